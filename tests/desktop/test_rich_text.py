"""The composer's document becomes small, clean HTML: formatting kept, anything else dropped."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit

from desktop.rich_text import document_to_html
from desktop.widgets.body_checks import document_length
from desktop.widgets.format_toolbar import FormatToolBar
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer


def test_toolbar_formatting_becomes_clean_html(qtbot: Any) -> None:
    editor = QTextEdit()
    bar = FormatToolBar(editor)
    qtbot.addWidget(editor)
    qtbot.addWidget(bar)
    editor.setPlainText("bold words")
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.NextWord, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    bar.bold.trigger()
    html = document_to_html(editor.document())
    assert html.startswith("<p><b>bold")
    assert "style=" not in html.replace('style="font-size', "")

    editor.setPlainText("one")
    editor.selectAll()
    bar.clear_format.trigger()
    bar.bullets.trigger()
    assert document_to_html(editor.document()) == "<ul><li>one</li></ul>"

    editor.setPlainText("see")
    editor.selectAll()
    bar.link_prompt = lambda selected: "lakeside.example/forms"
    bar.link.trigger()
    assert '<a href="https://lakeside.example/forms"' in document_to_html(editor.document())


def test_disallowed_content_is_removed(qtbot: Any) -> None:
    editor = QTextEdit()
    qtbot.addWidget(editor)
    editor.setHtml('<p>hi<img src="https://tracker.example/p.png"> '
                   '<a href="javascript:alert(1)">x</a></p>')
    html = document_to_html(editor.document())
    assert "img" not in html and "javascript" not in html and "tracker" not in html
    assert "hi" in html


def test_the_document_is_counted_as_the_server_counts_it(qtbot: Any) -> None:
    """Runs of spaces count once, and non-breaking spaces at the ends not at all."""
    editor = QTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("ok          .")
    assert document_length(editor.document()) == 4
    editor.setPlainText("  \u00a0hello\u00a0 ")
    assert document_length(editor.document()) == 5


# What a person may type, as the composer's document holds it: {w} is where more letters go.
TYPED = [
    ("plain", "plain", "{w}"),
    ("spaces around", "plain", "  \u00a0{w}\u00a0 "),
    ("two paragraphs", "html", "<p>ab</p><p>{w}</p>"),
    ("line break", "html", "<p>ab<br>{w}</p>"),
    ("bold and a list", "html", "<p><b>a</b></p><ul><li>{w}</li></ul>"),
    ("non-breaking inside", "html", "<p>a&nbsp;&nbsp;{w}</p>"),
    ("runs of spaces", "plain", "a    b\t\t{w}"),
    ("blank lines", "plain", "a\n\n\n\n{w}\n\n"),
    ("numbered list", "html", "<ol><li>{w}</li></ol><p>c</p>"),
]


def _document(kind: str, template: str, letters: int) -> QTextEdit:
    editor = QTextEdit()
    content = template.format(w="x" * letters)
    if kind == "plain":
        editor.setPlainText(content)
    else:
        editor.setHtml(content)
    return editor


@pytest.mark.parametrize("kind, template", [t[1:] for t in TYPED], ids=[t[0] for t in TYPED])
def test_a_body_counted_just_long_enough_is_what_the_server_accepts(
    qtbot: Any, live_server: LiveServer, kind: str, template: str
) -> None:
    """A body the composer counts as just long enough is accepted by the server, and one
    character less is refused: the desktop's count is the server's count."""
    api = Api(live_server)
    minimum = live_server.settings.min_body_chars
    probe = _document(kind, template, 1)
    qtbot.addWidget(probe)
    letters = minimum - document_length(probe.document()) + 1
    assert letters > 1, "the sample is longer than the minimum without its letters"
    for count, accepted in ((minimum, True), (minimum - 1, False)):
        editor = _document(kind, template, letters - (minimum - count))
        qtbot.addWidget(editor)
        assert document_length(editor.document()) == count
        reply = api.as_("dr.rivera").send(["alex"], body=document_to_html(editor.document()))
        if accepted:
            assert reply.status_code == 201, (count, reply.text)
        else:
            assert_problem(reply, 422, "body_too_short")
