"""What "Import clients…" shows before anything is created: the file's rows as a table, each
bad line marked with the server's reason (its `dry_run` answer). Reading and parsing run on a
worker; this module holds no rule about what a good row is, the server decides."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from desktop.models.index import Index
from sync.admin_api import AdminApi
from sync.errors import ApiError

MAX_FILE_BYTES = 20 * 1024 * 1024


class NotCsvText(Exception):
    """The chosen file is not UTF-8 text (for example a spreadsheet saved in its own format)."""


@dataclass
class ImportCheck:
    """A file read and checked by the server without creating anyone."""

    path: Path
    data: bytes
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells); the header is line 1
    errors: list[dict] = field(default_factory=list)  # {"line", "column", "detail"}
    would_create: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def errors_by_line(self) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = {}
        for error in self.errors:
            found.setdefault(int(error.get("line") or 0), []).append(error)
        return found


def read_csv(path: Path) -> tuple[bytes, list[str], list[tuple[int, list[str]]]]:
    """The file as UTF-8 bytes to send (a spreadsheet's byte-order mark removed), its header
    and its rows, each with the line it starts on."""
    raw = path.read_bytes()[: MAX_FILE_BYTES + 1]
    if len(raw) > MAX_FILE_BYTES:
        raise NotCsvText(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotCsvText(f"{path.name} is not UTF-8 text. Save it from your spreadsheet as "
                         "\"CSV UTF-8\" and choose it again.") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    line = reader.line_num + 1
    for cells in reader:
        if not header:
            header = [c.strip() for c in cells]
        elif any(c.strip() for c in cells):
            rows.append((line, cells))
        line = reader.line_num + 1
    return text.encode("utf-8"), header, rows


def check_file(admin: AdminApi, path: Path) -> ImportCheck:
    """Reads ``path`` and asks the server for a dry run (runs on a worker)."""
    data, header, rows = read_csv(path)
    check = ImportCheck(path, data, header, rows)
    try:
        answer = admin.import_clients(data, dry_run=True)
    except ApiError as error:
        if error.code != "import_invalid":
            raise
        check.errors = [e for e in error.problem.get("errors") or [] if isinstance(e, dict)]
        if not check.errors:
            check.errors = [{"line": 0, "column": None, "detail": error.detail}]
        return check
    check.would_create = int(answer.get("created") or answer.get("would_create") or len(rows))
    return check


def error_line_text(error: dict) -> str:
    line, column = error.get("line"), error.get("column")
    where = f"Line {line}" if line else "The file"
    if column:
        where += f", {column}"
    return f"{where}: {error.get('detail') or 'not valid'}"


class PreviewModel(QAbstractTableModel):
    """The file's rows under its own header, plus a first column naming each row's line;
    bad rows are tinted and carry their reasons as a tooltip."""

    BAD = QColor(197, 48, 48, 60)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.check: ImportCheck | None = None
        self._bad: dict[int, list[dict]] = {}

    def show_check(self, check: ImportCheck | None) -> None:
        self.beginResetModel()
        self.check = check
        self._bad = check.errors_by_line() if check else {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.check is None else len(self.check.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.check is None else len(self.check.header) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.check is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return None
        return self.tr("Line") if section == 0 else self.check.header[section - 1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.check is None:
            return None
        line, cells = self.check.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return str(line)
            column = index.column() - 1
            return cells[column] if column < len(cells) else ""
        if line in self._bad:
            if role == Qt.ItemDataRole.BackgroundRole:
                return self.BAD
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(error_line_text(e) for e in self._bad[line])
        return None
