"""The composer's formatting toolbar: bold, italic, underline, strikethrough, lists, link, size,
clear formatting, each with a keyboard shortcut, acting on a QTextEdit."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QFont, QKeySequence, QTextCharFormat, QTextListFormat
from PySide6.QtWidgets import QComboBox, QInputDialog, QTextEdit, QToolBar, QToolButton, QWidget

from desktop.resources import icon

TEXT_SIZES = (("Small", 8.0), ("Normal", 10.0), ("Large", 13.0), ("Huge", 17.0))


class FormatToolBar(QToolBar):
    def __init__(self, editor: QTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Formatting"), parent)
        self.editor = editor
        self.setObjectName("formatToolBar")
        # Where the bar is too narrow (the reply box at 1024 px) the rest of it is behind
        # this button; the style's own chevron is dark on a dark palette.
        more = self.findChild(QToolButton, "qt_toolbar_ext_button")
        if more is not None:
            more.setIcon(icon("more"))
            more.setToolTip(self.tr("More formatting"))
        self.bold = self._toggle("format-bold", self.tr("Bold"), QKeySequence.StandardKey.Bold,
                                 self.on_bold_toggled)
        self.italic = self._toggle("format-italic", self.tr("Italic"),
                                   QKeySequence.StandardKey.Italic, self.on_italic_toggled)
        self.underline = self._toggle("format-underline", self.tr("Underline"),
                                      QKeySequence.StandardKey.Underline,
                                      self.on_underline_toggled)
        self.strike = self._toggle("format-strike", self.tr("Strikethrough"),
                                   QKeySequence("Ctrl+Shift+X"), self.on_strike_toggled)
        self.addSeparator()
        self.bullets = self._button("format-bullets", self.tr("Bulleted list"),
                                    QKeySequence("Ctrl+Shift+8"),
                                    lambda: self.toggle_list(QTextListFormat.Style.ListDisc))
        self.numbers = self._button("format-numbers", self.tr("Numbered list"),
                                    QKeySequence("Ctrl+Shift+7"),
                                    lambda: self.toggle_list(QTextListFormat.Style.ListDecimal))
        self.link = self._button("format-link", self.tr("Link"), QKeySequence("Ctrl+K"),
                                 self.on_link_triggered)
        self.addSeparator()
        self.size_box = QComboBox()
        self.size_box.setToolTip(self.tr("Text size"))
        for name, points in TEXT_SIZES:
            self.size_box.addItem(self.tr(name), points)
        self.size_box.setCurrentIndex(1)
        self.size_box.activated.connect(self.on_size_activated)
        self.addWidget(self.size_box)
        self.clear_format = self._button("format-clear", self.tr("Clear formatting"),
                                  QKeySequence("Ctrl+Space"), self.on_clear_triggered)
        editor.currentCharFormatChanged.connect(self.on_editor_currentCharFormatChanged)
        self.link_prompt = self._ask_link

    def _button(self, icon_name: str, text: str, shortcut: QKeySequence, slot) -> QAction:  # noqa: ANN001
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(shortcut)
        action.setToolTip(f"{text} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _toggle(self, icon_name: str, text: str, shortcut, slot) -> QAction:  # noqa: ANN001
        action = self._button(icon_name, text, QKeySequence(shortcut), slot)
        action.triggered.disconnect(slot)
        action.setCheckable(True)
        action.toggled.connect(slot)
        return action

    def _merge(self, fmt: QTextCharFormat) -> None:
        cursor = self.editor.textCursor()
        cursor.mergeCharFormat(fmt)
        self.editor.mergeCurrentCharFormat(fmt)

    @Slot(bool)
    def on_bold_toggled(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
        self._merge(fmt)

    @Slot(bool)
    def on_italic_toggled(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(on)
        self._merge(fmt)

    @Slot(bool)
    def on_underline_toggled(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontUnderline(on)
        self._merge(fmt)

    @Slot(bool)
    def on_strike_toggled(self, on: bool) -> None:
        fmt = QTextCharFormat()
        fmt.setFontStrikeOut(on)
        self._merge(fmt)

    def toggle_list(self, style: QTextListFormat.Style) -> None:
        cursor = self.editor.textCursor()
        current = cursor.currentList()
        if current is not None and current.format().style() == style:
            block_format = cursor.blockFormat()
            current.remove(cursor.block())
            block_format.setIndent(0)
            cursor.setBlockFormat(block_format)
            return
        list_format = QTextListFormat()
        list_format.setStyle(style)
        cursor.createList(list_format)

    @Slot()
    def on_link_triggered(self) -> None:
        cursor = self.editor.textCursor()
        url = self.link_prompt(cursor.selectedText())
        if not url:
            return
        if not url.lower().startswith(("http://", "https://", "mailto:")):
            url = "https://" + url
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(True)
        fmt.setForeground(self.palette().link())
        if cursor.hasSelection():
            cursor.mergeCharFormat(fmt)
        else:
            cursor.insertText(url, fmt)
            self.editor.setCurrentCharFormat(QTextCharFormat())

    def _ask_link(self, selected: str) -> str:
        text, ok = QInputDialog.getText(self, self.tr("Link"), self.tr("Web address:"))
        return text.strip() if ok else ""

    @Slot(int)
    def on_size_activated(self, index: int) -> None:
        fmt = QTextCharFormat()
        fmt.setFontPointSize(float(self.size_box.itemData(index)))
        self._merge(fmt)

    @Slot()
    def on_clear_triggered(self) -> None:
        cursor = self.editor.textCursor()
        plain = QTextCharFormat()
        plain.setFontPointSize(self.editor.document().defaultFont().pointSizeF())
        if cursor.hasSelection():
            cursor.setCharFormat(plain)
        self.editor.setCurrentCharFormat(plain)

    @Slot(QTextCharFormat)
    def on_editor_currentCharFormatChanged(self, fmt: QTextCharFormat) -> None:
        for action, on in (
            (self.bold, fmt.fontWeight() >= QFont.Weight.DemiBold),
            (self.italic, fmt.fontItalic()),
            (self.underline, fmt.fontUnderline() and not fmt.isAnchor()),
            (self.strike, fmt.fontStrikeOut()),
        ):
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)
