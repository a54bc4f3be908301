"""Picking a recipient from the suggestions, by keyboard or mouse, leaves no typed text behind
and the composer's hint speaks only of what is really left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics


def open_composer(qtbot: Any, open_inbox: Any) -> Any:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    qtbot.addWidget(composer)
    composer.resize(1024, 620)
    return composer


def type_for_suggestions(qtbot: Any, field: Any, text: str) -> Any:
    """Types `text` into the recipient field; returns the suggestions' popup, once shown."""
    field.editor.setFocus()
    qtbot.keyClicks(field.editor, text)
    popup = field.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    return popup


def test_picking_with_arrow_keys_and_enter_clears_the_typed_text(qtbot: Any,
                                                                 open_inbox: Any) -> None:
    composer = open_composer(qtbot, open_inbox)
    field = composer.recipients
    popup = type_for_suggestions(qtbot, field, "Alex")
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert [r.name for r in field.recipients()] == ["Alex Morgan"]
    qtbot.waitUntil(lambda: field.editor.text() == "")
    qtbot.wait(50)  # whatever the completer does after the pick has been done by now
    assert field.editor.text() == ""
    assert "Alex" not in composer.hint.text()  # no word about the person just picked
    assert "Pick" not in composer.hint.text()
    composer.subject.setText("Next session")
    composer.body.setPlainText("See you on Tuesday at ten, as agreed.")
    assert composer.send_button.isEnabled(), composer.hint.text()


def test_picking_with_the_mouse_clears_the_typed_text(qtbot: Any, open_inbox: Any) -> None:
    composer = open_composer(qtbot, open_inbox)
    field = composer.recipients
    popup = type_for_suggestions(qtbot, field, "Casey")
    rect = popup.visualRect(popup.model().index(0, 0))
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [r.name for r in field.recipients()] == ["Casey Nguyen"]
    qtbot.wait(50)
    assert field.editor.text() == ""
    assert "Pick" not in composer.hint.text()


def test_the_hint_names_what_is_typed_and_not_yet_picked(qtbot: Any, open_inbox: Any) -> None:
    composer = open_composer(qtbot, open_inbox)
    field = composer.recipients
    field.add_address(next(r.address for r in composer.recipient_model.recipients()
                           if r.name == "Alex Morgan"))
    qtbot.keyClicks(field.editor, "Zed")
    assert "No one called \u201cZed\u201d" in composer.hint.text()
    assert "Alex" not in composer.hint.text()
    assert not composer.send_button.isEnabled()
    field.editor.clear()
    qtbot.keyClicks(field.editor, "All")
    assert "\u201cAll\u201d matches" in composer.hint.text()


def test_the_to_placeholder_is_shown_whole(qtbot: Any, open_inbox: Any) -> None:
    composer = open_composer(qtbot, open_inbox)
    editor = composer.recipients.editor
    needed = QFontMetrics(editor.font()).horizontalAdvance(editor.placeholderText())
    for width in (640, 1024, 1400):
        composer.resize(width, 620)
        composer.show()
        qtbot.waitExposed(composer)
        qtbot.wait(20)
        margins = editor.textMargins()
        # QLineEdit keeps a few pixels of its own on each side of the text.
        assert editor.width() - margins.left() - margins.right() - 8 >= needed, width
