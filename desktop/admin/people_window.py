"""The People window: search and sort the practice's staff and clients, add and edit them,
invite them, disable them and reset their two-step sign-in, and import clients from CSV.
What each role may do comes from the session's capabilities; the server decides the rest."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.import_dialog import ImportClientsDialog
from desktop.admin.labels import count_text, invite_text
from desktop.admin.people_model import PeopleModel
from desktop.admin.person_dialog import PersonDialog
from desktop.admin.record_table import record_table
from desktop.dialogs.confirm import confirm_change
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi

SEARCH_DELAY_MS = 250


class PeopleWindow(QWidget):
    def __init__(self, admin: AdminApi, runner: TaskRunner, capabilities: dict,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.admin = admin
        self.runner = runner
        self.dialog: QDialog | None = None
        self.may_manage_staff = bool(capabilities.get("manage_staff"))
        self.may_reset_mfa = bool(capabilities.get("reset_mfa", self.may_manage_staff))
        self.setObjectName("peopleWindow")
        self.setWindowTitle(self.tr("People"))
        self.resize(1100, 640)
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("peopleSearch")
        self.search.setPlaceholderText(self.tr("Search by name, username or email"))
        self.search.setClearButtonEnabled(True)
        filters.addWidget(self.search, 1)
        self.kind = QComboBox()
        if self.may_manage_staff:
            self.kind.addItem(self.tr("Everyone"), None)
            self.kind.addItem(self.tr("Staff"), "staff")
        self.kind.addItem(self.tr("Clients"), "client")
        filters.addWidget(self.kind)
        self.include_disabled = QCheckBox(self.tr("Show disabled"))
        filters.addWidget(self.include_disabled)
        layout.addLayout(filters)

        actions = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.invite_button = QPushButton(self.tr("Invite"))
        self.disable_button = QPushButton(self.tr("Disable…"))
        self.reset_mfa_button = QPushButton(self.tr("Reset two-step sign-in…"))
        self.import_button = QPushButton(self.tr("Import clients…"))
        for button in (self.add_button, self.edit_button, self.invite_button,
                       self.disable_button, self.reset_mfa_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        layout.addLayout(actions)
        self.reset_mfa_button.setVisible(self.may_reset_mfa)
        self.import_button.setVisible(bool(capabilities.get("import_clients", True)))

        self.model = PeopleModel(admin, runner, self)
        self.table = record_table(self.model, "peopleTable",
                                  (200, 130, 120, 220, 110, 80, 110))
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        layout.addWidget(self.table, 1)

        self.details = QLabel()
        self.details.setObjectName("personDetails")
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        self.message = QLabel()
        self.message.setObjectName("peopleMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        self.kind.currentIndexChanged.connect(self.apply_filters)
        self.include_disabled.toggled.connect(self.apply_filters)
        self.add_button.clicked.connect(self.on_add_button_clicked)
        self.edit_button.clicked.connect(self.on_edit_button_clicked)
        self.invite_button.clicked.connect(self.on_invite_button_clicked)
        self.disable_button.clicked.connect(self.on_disable_button_clicked)
        self.reset_mfa_button.clicked.connect(self.on_reset_mfa_button_clicked)
        self.import_button.clicked.connect(self.on_import_button_clicked)
        self.table.doubleClicked.connect(lambda _index: self.on_edit_button_clicked())
        self.table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.model.modelReset.connect(self.update_buttons)
        self.model.dataChanged.connect(self.update_buttons)
        self.model.failed.connect(self.show_message)
        self.model.busyChanged.connect(self.on_model_busyChanged)
        self.apply_filters()

    # the listing -------------------------------------------------------------------------
    @Slot()
    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.search(self.kind.currentData(), self.search.text(),
                          self.include_disabled.isChecked())

    @Slot(bool)
    def on_model_busyChanged(self, busy: bool) -> None:
        if busy:
            self.details.setText(self.tr("Loading…"))
        else:
            self.update_buttons()

    def selected(self) -> dict | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.record(index.row())

    @Slot()
    def update_buttons(self) -> None:
        person = self.selected()
        may_touch = person is not None and (self.may_manage_staff
                                            or person.get("kind") == "client")
        self.edit_button.setEnabled(may_touch)
        self.invite_button.setEnabled(may_touch and not (person or {}).get("disabled"))
        self.disable_button.setEnabled(may_touch)
        self.reset_mfa_button.setEnabled(bool(self.may_reset_mfa and may_touch
                                              and (person or {}).get("mfa_enabled")))
        if person is None:
            count = self.model.rowCount()
            more = self.tr(" (scroll for more)") if self.model.next_cursor else ""
            self.details.setText(count_text(count, "person", "people") + self.tr(" shown")
                                 + more + ".")
            self.invite_button.setText(self.tr("Invite"))
            self.disable_button.setText(self.tr("Disable…"))
            return
        self.invite_button.setText(self.tr("Resend invite") if person.get("invite_sent_at")
                                   else self.tr("Invite"))
        self.disable_button.setText(self.tr("Enable") if person.get("disabled")
                                    else self.tr("Disable…"))
        self.details.setText(f"{person.get('name')} — {invite_text(person)}")

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _person_changed(self, person: dict, notice: str = "") -> None:
        self.model.replace(person)
        self.update_buttons()
        if notice:
            self.show_message(notice)

    # commands ----------------------------------------------------------------------------
    @Slot()
    def on_add_button_clicked(self) -> None:
        dialog = PersonDialog(self.admin, self.runner, None, self.may_manage_staff, self)
        dialog.accepted.connect(lambda: self._added(dialog.person))
        self._open(dialog)

    def _added(self, person: dict | None) -> None:
        if person:
            self.show_message(self.tr("%s was added. Invite them when they should sign in.")
                              % person.get("name"))
            self.model.reload()

    @Slot()
    def on_edit_button_clicked(self) -> None:
        person = self.selected()
        if person is None:
            return
        dialog = PersonDialog(self.admin, self.runner, person, self.may_manage_staff, self)
        def saved() -> None:
            if dialog.person:
                self._person_changed(dialog.person, self.tr("Saved."))

        dialog.accepted.connect(saved)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        """Opens a dialog of this window (window-modal, without a nested event loop)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def on_invite_button_clicked(self) -> None:
        person = self.selected()
        if person is None:
            return
        person_id, name = person["id"], person.get("name")
        again = bool(person.get("invite_sent_at"))
        self.invite_button.setEnabled(False)

        def done(answer: dict | None) -> None:
            self.show_message(
                self.tr("A new invite is on its way to %s; the earlier link no longer works.")
                % name if again else self.tr("An invite is on its way to %s.") % name)
            if answer and answer.get("id") == person_id:
                self._person_changed(answer)
            else:
                self.model.reload()

        self.runner.run(lambda: self.admin.invite(person_id), done, self._refused, serial=True)

    @Slot()
    def on_disable_button_clicked(self) -> None:
        person = self.selected()
        if person is None:
            return
        person_id, name = person["id"], person.get("name") or person.get("username")
        if person.get("disabled"):
            self.runner.run(lambda: self.admin.update_person(person_id, {"disabled": False}),
                            lambda p: self._person_changed(p, self.tr("%s may sign in again.")
                                                           % name),
                            self._refused, serial=True)
            return
        if not confirm_change(
                self, self.tr("Disable %s") % name, self.tr("Disable %s?") % name,
                self.tr("They are signed out everywhere at once and can no longer sign in. "
                        "Their messages stay where they are, and you can enable them again "
                        "later."),
                self.tr("Disable")):
            return
        self.runner.run(lambda: self.admin.update_person(person_id, {"disabled": True}),
                        lambda p: self._person_changed(
                            p, self.tr("%s is disabled and signed out.") % name),
                        self._refused, serial=True)

    @Slot()
    def on_reset_mfa_button_clicked(self) -> None:
        person = self.selected()
        if person is None:
            return
        person_id, name = person["id"], person.get("name")
        if not confirm_change(
                self, self.tr("Reset two-step sign-in"),
                self.tr("Reset two-step sign-in for %s?") % name,
                self.tr("Their authenticator app and recovery codes stop working. They sign in "
                        "with their password alone and set two-step sign-in up again."),
                self.tr("Reset")):
            return

        def done(_result: object) -> None:
            self.show_message(self.tr("Two-step sign-in was reset for %s.") % name)
            self.model.reload()

        self.runner.run(lambda: self.admin.reset_mfa(person_id), done, self._refused,
                        serial=True)

    @Slot()
    def on_import_button_clicked(self) -> None:
        dialog = ImportClientsDialog(self.admin, self.runner, self)
        dialog.imported.connect(self._imported)
        self._open(dialog)

    def _imported(self, count: int) -> None:
        self.show_message(self.tr("%d clients were imported.") % count)
        self.model.reload()

    def _refused(self, error: BaseException) -> None:
        self.update_buttons()
        self.show_message(admin_error_text(error))
