"""Import clients from a CSV file: choose it, see every row and every bad line with the server's
reason (a dry run creates nobody), then import all of them at once with a progress bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.import_preview import (
    ImportCheck,
    NotCsvText,
    PreviewModel,
    check_file,
    error_line_text,
)
from desktop.error_text import admin_error_text
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi

COLUMNS_HELP = ("Columns: name, email (required), username, status, assigned_therapist "
                "(a username), has_portal_account. The first line names the columns.")


class _UploadProgress(QObject):
    """Carries the worker's upload progress to the GUI thread.

    Signals:
        moved(int, int): bytes sent, bytes in all.
    """

    moved = Signal(int, int)


class ImportClientsDialog(QDialog):
    """Signals:
    imported(int): that many clients were created.
    """

    imported = Signal(int)

    def __init__(self, admin: AdminApi, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.admin = admin
        self.runner = runner
        self.check: ImportCheck | None = None
        self.created: int | None = None
        self.setWindowTitle(self.tr("Import clients"))
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Choose a CSV file of clients. Nothing is created until every "
                               "line is right and you press Import.") + "\n"
                       + self.tr(COLUMNS_HELP))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        pick = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("Choose file…"))
        self.choose_button.clicked.connect(self.on_choose_button_clicked)
        pick.addWidget(self.choose_button)
        self.file_label = QLabel(self.tr("No file chosen."))
        pick.addWidget(self.file_label, 1)
        layout.addLayout(pick)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        self.preview.setModel(self.preview_model)
        self.preview.verticalHeader().setVisible(False)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.preview, 3)
        self.errors_label = QLabel(self.tr("Lines to fix:"))
        layout.addWidget(self.errors_label)
        self.errors = QListWidget()
        self.errors.setObjectName("importErrors")
        self.errors.currentRowChanged.connect(self.on_errors_currentRowChanged)
        layout.addWidget(self.errors, 1)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.on_import_button_clicked)
        buttons.addWidget(self.import_button)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._show_errors([])
        self._upload = _UploadProgress(self)
        self._upload.moved.connect(self.on_upload_moved)

    # choosing and checking ---------------------------------------------------------------
    @Slot()
    def on_choose_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a CSV file of clients"),
                                              "", self.tr("CSV files (*.csv);;All files (*)"))
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        """Reads and checks ``path`` in the background; the preview shows the outcome."""
        self.check = None
        self.created = None
        self.preview_model.show_check(None)
        self._show_errors([])
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.file_label.setText(path.name)
        self.summary.setText(self.tr("Checking %s…") % path.name)
        admin = self.admin
        self.runner.run(lambda: check_file(admin, path), self._checked, self._check_failed)

    def _checked(self, check: ImportCheck) -> None:
        self.choose_button.setEnabled(True)
        self.check = check
        self.preview_model.show_check(check)
        self.preview.resizeColumnsToContents()
        self._show_errors(check.errors)
        if not check.rows:
            self.summary.setText(self.tr("%s has no clients in it, only its first line.")
                                 % check.path.name)
        elif check.errors:
            self.summary.setText(self.tr(
                "%d of %d lines need fixing. Nothing has been created: correct the file and "
                "choose it again.") % (len({e.get('line') for e in check.errors}),
                                       len(check.rows)))
        else:
            self.summary.setText(self.tr("All %d clients are ready to import.")
                                 % check.would_create)
        self.import_button.setEnabled(check.ok)

    def _check_failed(self, error: BaseException) -> None:
        self.choose_button.setEnabled(True)
        self.summary.setText(str(error) if isinstance(error, NotCsvText)
                             else admin_error_text(error))

    def _show_errors(self, errors: list[dict]) -> None:
        self.errors.clear()
        for error in errors:
            self.errors.addItem(error_line_text(error))
        self.errors.setVisible(bool(errors))
        self.errors_label.setVisible(bool(errors))

    @Slot(int)
    def on_errors_currentRowChanged(self, row: int) -> None:
        if self.check is None or row < 0:
            return
        line = self.check.errors[row].get("line")
        for index, (row_line, _cells) in enumerate(self.check.rows):
            if row_line == line:
                self.preview.selectRow(index)
                self.preview.scrollTo(self.preview_model.index(index, 0))
                return

    # importing ---------------------------------------------------------------------------
    @Slot()
    def on_import_button_clicked(self) -> None:
        check = self.check
        if check is None or not check.ok:
            return
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, len(check.data))
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Sending the file… %p%"))
        admin, moved = self.admin, self._upload.moved
        self.runner.run(
            lambda: admin.import_clients(check.data, progress=moved.emit),
            self._imported, self._import_failed, serial=True)

    @Slot(int, int)
    def on_upload_moved(self, sent: int, total: int) -> None:
        if sent >= total:
            self.progress.setRange(0, 0)  # the server is creating them: no figure to show
            self.progress.setFormat(self.tr("Creating the clients…"))
        else:
            self.progress.setValue(sent)

    def _imported(self, answer: dict) -> None:
        self.created = int(answer.get("created") or 0)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat(self.tr("Done"))
        self.choose_button.setEnabled(True)
        self.summary.setText(self.tr("Created %d clients. Invite them from People when they "
                                     "should start using the portal.") % self.created)
        self.close_button.setText(self.tr("Done"))
        self.imported.emit(self.created)

    def _import_failed(self, error: BaseException) -> None:
        self.progress.setVisible(False)
        self.choose_button.setEnabled(True)
        problem = getattr(error, "problem", {}) or {}
        if problem.get("errors"):
            self._show_errors(list(problem["errors"]))
        self.summary.setText(self.tr("Nothing was imported. %s") % admin_error_text(error))
        self.import_button.setEnabled(self.check is not None and self.check.ok)
