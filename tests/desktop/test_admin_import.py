"""Import clients…: a file with bad lines is previewed with every bad line and its reason and
creates nobody; a good file is imported with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.admin.import_dialog import ImportClientsDialog
from desktop.admin.import_preview import NotCsvText, read_csv
from tests.desktop.admin_support import WAIT_MS, csv_of, runner, sign_in  # noqa: F401


def open_import(qtbot: Any, admin: Any, runner: Any) -> ImportClientsDialog:  # noqa: F811
    dialog = ImportClientsDialog(admin, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def checked(qtbot: Any, dialog: ImportClientsDialog, path: Path) -> None:
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.choose_button.isEnabled(), timeout=WAIT_MS)


def test_bad_lines_are_each_named_and_nothing_is_created(
        qtbot: Any, sign_in: Any, runner: Any, tmp_path: Path) -> None:  # noqa: F811
    admin = sign_in("admin")
    path = tmp_path / "clients.csv"
    path.write_bytes(csv_of([
        "Noor Haddad,noor@example.org,noor.haddad,active,dr.rivera,1",
        "Missing Email,,missing.email,,,",                      # line 3: no email
        "Sam Ortiz,sam@example.org,sam.ortiz,,dr.nobody,",      # line 4: unknown therapist
        "Taken Name,taken@example.org,alex,,,",                 # line 5: username taken
        "Lee Park,lee@example.org,lee.park,,,",
    ]))
    dialog = open_import(qtbot, admin, runner)
    checked(qtbot, dialog, path)
    assert dialog.preview_model.rowCount() == 5
    lines = sorted({int(e["line"]) for e in dialog.check.errors})
    assert lines == [3, 4, 5]
    shown = [dialog.errors.item(i).text() for i in range(dialog.errors.count())]
    assert any(text.startswith("Line 3") for text in shown)
    assert any(text.startswith("Line 4") for text in shown)
    assert any(text.startswith("Line 5") for text in shown)
    assert "need fixing" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    bad_row = next(r for r, (line, _cells) in enumerate(dialog.check.rows) if line == 4)
    index = dialog.preview_model.index(bad_row, 1)
    assert dialog.preview_model.data(index, 3)  # a tooltip with the reason (ToolTipRole)
    good_row = next(r for r, (line, _cells) in enumerate(dialog.check.rows) if line == 2)
    assert dialog.preview_model.data(dialog.preview_model.index(good_row, 1), 3) is None
    for username in ("noor.haddad", "lee.park"):
        assert admin.people(q=username)["people"] == []


def test_a_good_file_is_imported_with_progress(
        qtbot: Any, sign_in: Any, runner: Any, tmp_path: Path) -> None:  # noqa: F811
    admin = sign_in("admin")
    path = tmp_path / "clients.csv"
    rows = [f"Imported Client {n:03d},imported{n:03d}@example.org,imported.{n:03d},,,"
            for n in range(500)]
    path.write_bytes(b"\xef\xbb\xbf" + csv_of(rows))  # as a spreadsheet saves "CSV UTF-8"
    dialog = open_import(qtbot, admin, runner)
    checked(qtbot, dialog, path)
    assert dialog.check.errors == []
    assert "500 clients are ready" in dialog.summary.text()
    assert admin.people(q="imported.")["people"] == []  # the dry run created nobody
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS) as imported:
        dialog.import_button.click()
        assert dialog.progress.isVisible()
    assert imported.args == [500]
    assert values and max(values) >= 1
    assert "Created 500 clients" in dialog.summary.text()
    found = 0
    cursor = None
    while True:
        page = admin.people(kind="client", q="imported.", after=cursor, limit=200)
        found += len(page["people"])
        cursor = page["next"]
        if not cursor:
            break
    assert found == 500


def test_a_file_that_is_not_utf8_is_refused_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes("name,email\nJosé Núñez,jose@example.org\n".encode("cp1252"))
    with pytest.raises(NotCsvText, match="not UTF-8"):
        read_csv(path)


def test_rows_know_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text('name,email\nA,a@example.org\n\n"B\nsecond line",b@example.org\nC,c@x.org\n')
    _data, header, rows = read_csv(path)
    assert header == ["name", "email"]
    assert [line for line, _cells in rows] == [2, 4, 6]
