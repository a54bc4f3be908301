"""Add or edit one person: name, username, email, role (staff) or status, assigned therapists
and portal access (clients). The server's refusal is shown inside the dialog and nothing typed
is lost; on success ``person`` holds the server's AdminPerson."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.labels import STAFF_ROLES, error_label
from desktop.display import ROLE_NAMES
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi


def therapists_of(admin: AdminApi) -> list[dict]:
    """Every enabled therapist of the practice (runs on a worker)."""
    found: list[dict] = []
    cursor = None
    while True:
        page = admin.people("staff", limit=500, after=cursor)
        found.extend(p for p in page.get("people") or [] if p.get("role") == "therapist")
        cursor = page.get("next")
        if not cursor:
            return found


class PersonDialog(QDialog):
    def __init__(self, admin: AdminApi, runner: TaskRunner, person: dict | None = None,
                 may_add_staff: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.admin = admin
        self.runner = runner
        self.original = dict(person or {})
        self.person: dict | None = None
        editing = person is not None
        self.setWindowTitle(self.tr("Edit %s") % person.get("name") if person
                            else self.tr("Add a person"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Client"), "client")
        if may_add_staff or self.original.get("kind") == "staff":
            self.kind.addItem(self.tr("Staff member"), "staff")
        self.kind.setCurrentIndex(max(0, self.kind.findData(self.original.get("kind", "client"))))
        self.kind.setEnabled(not editing)
        form.addRow(self.tr("Kind:"), self.kind)
        self.name = QLineEdit(self.original.get("name", ""))
        form.addRow(self.tr("Full name:"), self.name)
        self.username = QLineEdit(self.original.get("username", ""))
        self.username.setPlaceholderText(self.tr("letters, digits, . - _ (3 to 64)"))
        form.addRow(self.tr("Username:"), self.username)
        self.email = QLineEdit(self.original.get("email", "") or "")
        form.addRow(self.tr("Email:"), self.email)
        self.role_label = QLabel(self.tr("Role:"))
        self.role = QComboBox()
        for role in STAFF_ROLES:
            self.role.addItem(self.tr(ROLE_NAMES[role]), role)
        self.role.setCurrentIndex(max(0, self.role.findData(self.original.get("role"))))
        form.addRow(self.role_label, self.role)
        self.status_label = QLabel(self.tr("Status:"))
        self.status = QComboBox()
        self.status.addItem(self.tr("Active"), "active")
        self.status.addItem(self.tr("Inactive (may read, not write)"), "inactive")
        self.status.setCurrentIndex(max(0, self.status.findData(self.original.get("status"))))
        form.addRow(self.status_label, self.status)
        self.portal = QCheckBox(self.tr("May sign in to the client portal"))
        self.portal.setChecked(bool(self.original.get("has_portal_account", not editing)))
        form.addRow(self.tr("Portal:"), self.portal)
        self.therapists_label = QLabel(self.tr("Therapists:"))
        self.therapists = QListWidget()
        self.therapists.setObjectName("assignedTherapists")
        self.therapists.setMaximumHeight(120)
        form.addRow(self.therapists_label, self.therapists)
        layout.addLayout(form)
        self.error = error_label("personError")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if not editing:
            self.save_button.setText(self.tr("Add"))
        self.buttons.accepted.connect(self.on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self.on_kind_currentIndexChanged)
        self.on_kind_currentIndexChanged()
        self.runner.run(lambda: therapists_of(admin), self._show_therapists,
                        lambda error: self.show_error(admin_error_text(error)))

    def _show_therapists(self, therapists: list[dict]) -> None:
        assigned = set(self.original.get("assigned_therapist_ids") or [])
        for therapist in therapists:
            item = QListWidgetItem(f"{therapist.get('name')} ({therapist.get('username')})")
            item.setData(Qt.ItemDataRole.UserRole, therapist["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if therapist["id"] in assigned
                               else Qt.CheckState.Unchecked)
            self.therapists.addItem(item)

    @Slot()
    def on_kind_currentIndexChanged(self) -> None:
        client = self.kind.currentData() == "client"
        staff_only: tuple[QWidget, ...] = (self.role_label, self.role)
        clients_only: tuple[QWidget, ...] = (
            self.status_label, self.status, self.portal, self.therapists_label, self.therapists)
        for widget in staff_only:
            widget.setVisible(not client)
        for widget in clients_only:
            widget.setVisible(client)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def assigned_ids(self) -> list[str]:
        return [self.therapists.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.therapists.count())
                if self.therapists.item(i).checkState() == Qt.CheckState.Checked]

    def fields(self) -> dict[str, Any]:
        """What the form says, in API.md's field names."""
        fields: dict[str, Any] = {"kind": self.kind.currentData(),
                                  "name": self.name.text().strip(),
                                  "username": self.username.text().strip(),
                                  "email": self.email.text().strip()}
        if fields["kind"] == "staff":
            fields["role"] = self.role.currentData()
        else:
            fields["status"] = self.status.currentData()
            fields["has_portal_account"] = self.portal.isChecked()
            if self.therapists.count() or not self.original:
                fields["assigned_therapist_ids"] = self.assigned_ids()
        return fields

    def changes(self) -> dict[str, Any]:
        """For an edit, only the fields that differ from the person as loaded."""
        fields = self.fields()
        if not self.original:
            return fields
        changed = {}
        for name, value in fields.items():
            old = self.original.get(name)
            if name == "assigned_therapist_ids":
                if sorted(value) != sorted(old or []):
                    changed[name] = value
            elif name != "kind" and value != (old or ("" if isinstance(value, str) else old)):
                changed[name] = value
        return changed

    @Slot()
    def on_buttons_accepted(self) -> None:
        fields = self.fields()
        if not fields["name"] or not fields["username"]:
            self.show_error(self.tr("Enter the person's full name and a username."))
            return
        changes = self.changes()
        if self.original and not changes:
            self.reject()
            return
        self.set_busy(True)
        if self.original:
            person_id = self.original["id"]
            work = lambda: self.admin.update_person(person_id, changes)  # noqa: E731
        else:
            work = lambda: self.admin.create_person(changes)  # noqa: E731
        self.runner.run(work, self._saved, self._refused, serial=True)

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        if busy:
            self.show_error("")

    def _saved(self, person: dict) -> None:
        self.set_busy(False)
        self.person = person
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.set_busy(False)
        self.show_error(admin_error_text(error))
