"""The composer's document becomes small, clean HTML: formatting kept, anything else dropped."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit

from desktop.rich_text import document_to_html
from desktop.widgets.body_checks import document_length
from desktop.widgets.format_toolbar import FormatToolBar


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
    bar.clear.trigger()
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
