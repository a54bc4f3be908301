"""The Audit log window (admins): filter by person, action and dates over the whole history,
newest first, and export what the filters select to a CSV file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QTime, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.audit_model import AuditModel
from desktop.admin.labels import AUDIT_ACTIONS, count_text
from desktop.admin.person_picker import PersonPicker
from desktop.admin.record_table import record_table
from desktop.display import file_size
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi


def day_start_utc(day: QDate) -> str:
    """The first moment of a local calendar day, as an RFC 3339 UTC time."""
    local = QDateTime(day, QTime(0, 0))
    stamp = datetime.fromtimestamp(local.toSecsSinceEpoch(), UTC)
    return stamp.isoformat().replace("+00:00", "Z")


class _ExportProgress(QObject):
    """Signals:
    moved(int, int): bytes written so far (the total is not known in advance).
    """

    moved = Signal(int, int)


class AuditWindow(QWidget):
    def __init__(self, admin: AdminApi, runner: TaskRunner, names,  # noqa: ANN001
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.admin = admin
        self.runner = runner
        self.setObjectName("auditWindow")
        self.setWindowTitle(self.tr("Audit log"))
        self.resize(1100, 640)
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Person:")))
        self.person = PersonPicker(admin, runner)
        self.person.setObjectName("auditPerson")
        self.person.setMinimumWidth(220)
        filters.addWidget(self.person)
        self.person_role = QComboBox()
        self.person_role.addItem(self.tr("did it"), "actor_id")
        self.person_role.addItem(self.tr("was concerned"), "target_id")
        filters.addWidget(self.person_role)
        filters.addWidget(QLabel(self.tr("Action:")))
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem(self.tr("Any action"), "")
        for code, label in sorted(AUDIT_ACTIONS.items(), key=lambda item: item[1]):
            self.action.addItem(self.tr(label), code)
        filters.addWidget(self.action)
        today = QDate.currentDate()
        self.use_from = QCheckBox(self.tr("From"))
        self.date_from = QDateEdit(today.addDays(-30))
        self.use_to = QCheckBox(self.tr("to"))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        for widget in (self.use_from, self.date_from, self.use_to, self.date_to):
            filters.addWidget(widget)
        filters.addStretch(1)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        filters.addWidget(self.export_button)
        layout.addLayout(filters)

        self.model = AuditModel(admin, runner, names, self)
        self.table = record_table(self.model, "auditTable", (190, 240, 220, 260))
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("auditMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.person.personChanged.connect(self.apply_filters)
        self.person_role.currentIndexChanged.connect(self.apply_filters)
        self.action.currentIndexChanged.connect(self.apply_filters)
        for check, edit in ((self.use_from, self.date_from), (self.use_to, self.date_to)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.apply_filters)
            edit.dateChanged.connect(self.apply_filters)
        self.export_button.clicked.connect(self.on_export_button_clicked)
        self.model.failed.connect(self.message.setText)
        self.model.loaded.connect(self.on_model_loaded)
        self._export = _ExportProgress(self)
        self._export.moved.connect(
            lambda written, _total: self.message.setText(
                self.tr("Exporting… %s") % file_size(written)))
        self.apply_filters()

    def filters(self) -> dict:
        """API.md's audit filters for what the widgets say."""
        filters: dict = {}
        if self.person.person_id:
            filters[self.person_role.currentData()] = self.person.person_id
        if self.action.currentData():
            filters["action"] = self.action.currentData()
        if self.use_from.isChecked():
            filters["from"] = day_start_utc(self.date_from.date())
        if self.use_to.isChecked():
            filters["to"] = day_start_utc(self.date_to.date().addDays(1))
        return filters

    @Slot()
    def apply_filters(self) -> None:
        self.message.setText(self.tr("Loading…"))
        self.model.set_query(self.filters())

    @Slot()
    def on_model_loaded(self) -> None:
        count = self.model.rowCount()
        if not count:
            self.message.setText(self.tr("No events match these filters."))
            return
        more = self.tr(", scroll for older ones") if self.model.next_cursor else ""
        self.message.setText(count_text(count, "event", "events")
                             + self.tr(" shown, newest first") + more + ".")

    @Slot()
    def on_export_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the audit log"),
                                              "audit-log.csv", self.tr("CSV files (*.csv)"))
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        filters, admin, moved = self.filters(), self.admin, self._export.moved
        self.export_button.setEnabled(False)
        self.message.setText(self.tr("Exporting…"))

        def done(size: int) -> None:
            self.export_button.setEnabled(True)
            self.message.setText(self.tr("Saved %s (%s).") % (path.name, file_size(size)))

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.message.setText(self.tr("The export failed: %s") % admin_error_text(error))

        self.runner.run(lambda: admin.export_audit(filters, path, moved.emit), done, failed)
