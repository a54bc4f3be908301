"""The composer's recipient field: type to complete over people and groups, each pick a chip.

The completer is attached to the editor with ``setWidget`` rather than
``QLineEdit.setCompleter``: a line edit given a completer writes the picked label back into
itself after the pick (and each highlighted one while arrowing), which left the name just
picked behind as typed text. Here the typed text is only ever a search, and a pick (Enter,
Tab or a click) turns into a chip and empties it.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktop.models.recipient_model import Recipient, RecipientModel
from desktop.models.roles import RECORD_ROLE
from desktop.resources import icon
from desktop.widgets.flow_layout import FlowLayout


class RecipientChip(QFrame):
    """One chosen recipient, with its role (clients: active or inactive) and a remove button.

    Signals:
        removeRequested(str): the chip's address.
    """

    removeRequested = Signal(str)

    def __init__(self, recipient: Recipient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chip")
        self.recipient = recipient
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(4)
        self.label = QLabel(recipient.name)
        layout.addWidget(self.label)
        if recipient.detail:
            detail = QLabel(recipient.detail)
            detail.setObjectName("hint")
            if recipient.inactive:
                detail.setStyleSheet("color: #b7791f; font-weight: 600;")
            layout.addWidget(detail)
        remove = QToolButton()
        remove.setIcon(icon("close"))
        remove.setAutoRaise(True)
        remove.setToolTip(self.tr("Remove %s") % recipient.name)
        remove.clicked.connect(lambda: self.removeRequested.emit(recipient.address))
        layout.addWidget(remove)
        if recipient.inactive:
            self.setToolTip(self.tr(
                "%s is an inactive client: they will receive this message but can answer "
                "only the front office and billing.") % recipient.name)


class RecipientField(QWidget):
    """Signals:
    changed(): a recipient was added or removed, or the typed text changed.
    """

    changed = Signal()

    def __init__(self, model: RecipientModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._chips: dict[str, RecipientChip] = {}
        self._flow = FlowLayout(self)
        self.editor = QLineEdit()
        self.editor.setPlaceholderText(self.tr("Type a name, or a group such as All therapists"))
        self.editor.setFrame(False)
        self.editor.setMinimumWidth(  # the placeholder whole, with the line edit's own margins
            QFontMetrics(self.editor.font()).horizontalAdvance(self.editor.placeholderText())
            + 16)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._flow.addWidget(self.editor)
        self.completer = QCompleter(model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.setWidget(self.editor)
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]  # an overloaded signal
            self.on_completer_activated)
        self.editor.textEdited.connect(self.on_editor_textEdited)
        self.editor.textChanged.connect(self.changed)
        self.editor.returnPressed.connect(self.on_editor_returnPressed)
        self.editor.installEventFilter(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def addresses(self) -> list[str]:
        return list(self._chips)

    def recipients(self) -> list[Recipient]:
        return [chip.recipient for chip in self._chips.values()]

    def add_address(self, address: str) -> bool:
        recipient = self.model.find(address)
        if recipient is None:
            return False
        self.add_recipient(recipient)
        return True

    def add_recipient(self, recipient: Recipient) -> None:
        if recipient.address in self._chips:
            return
        chip = RecipientChip(recipient, self)
        chip.removeRequested.connect(self.remove_address)
        self._chips[recipient.address] = chip
        self._flow.removeWidget(self.editor)
        self._flow.addWidget(chip)
        self._flow.addWidget(self.editor)
        self.updateGeometry()
        self.changed.emit()

    @Slot(str)
    def remove_address(self, address: str) -> None:
        chip = self._chips.pop(address, None)
        if chip is None:
            return
        self._flow.removeWidget(chip)
        chip.deleteLater()
        self.updateGeometry()
        self.changed.emit()

    def pending_text(self) -> str:
        """Typed text not (yet) turned into a chip."""
        return self.editor.text().strip()

    def pending_problem(self) -> str:
        """What is wrong with the typed text left in the field, in words ("" when none is)."""
        text = self.pending_text()
        if not text:
            return ""
        found = self._matching(text)
        if not found:
            return self.tr("No one called \u201c%s\u201d can be written to: pick a name from "
                           "the list, or remove the text.") % text
        if len(found) > 1:
            return self.tr("\u201c%s\u201d matches %d people and groups: pick one from the "
                           "list.") % (text, len(found))
        return self.tr("Press Enter to add %s, or remove the text.") % found[0].name

    def _matching(self, text: str) -> list[Recipient]:
        exact = self.model.match_text(text)
        if exact is not None:
            return [exact]
        return [r for r in self.model.recipients()
                if text.lower() in r.label.lower() and r.address not in self._chips]

    def commit_typed(self) -> bool:
        """Turn the typed text into a chip when it names exactly one recipient."""
        text = self.pending_text()
        if not text:
            return True
        found = self._matching(text)
        if len(found) != 1:
            return False
        self.add_recipient(found[0])
        self.editor.clear()
        self._popup().hide()
        return True

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # a completer always has its popup list
        return popup

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._flow.heightForWidth(width)

    @Slot(str)
    def on_editor_textEdited(self, text: str) -> None:
        popup = self._popup()
        if not text.strip():
            popup.hide()
            return
        self.completer.setCompletionPrefix(text.strip())
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        self.completer.complete()
        # The first suggestion is ready to be taken with Enter, as in mail programs.
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    @Slot(QModelIndex)
    def on_completer_activated(self, index: QModelIndex) -> None:
        recipient = index.data(RECORD_ROLE)
        if recipient is not None:
            self.add_recipient(recipient)
        self.editor.clear()

    @Slot()
    def on_editor_returnPressed(self) -> None:
        self.commit_typed()

    def eventFilter(self, watched, event) -> bool:  # noqa: ANN001
        from PySide6.QtCore import QEvent

        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Backspace
            and not self.editor.text()
            and self._chips
        ):
            self.remove_address(list(self._chips)[-1])
            return True
        return super().eventFilter(watched, event)
