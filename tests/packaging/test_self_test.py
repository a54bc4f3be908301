"""`practice-inbox --self-test` from source: the same run and the same judge as for the bundle,
plus the ways it must fail (an alert that shows content, a blank window, a log with text)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage

from desktop import app as app_module
from desktop import self_test
from desktop.tray import Tray
from tests.packaging.conftest import load_script

smoke = load_script("smoke")


def test_self_test_from_source_syncs_sends_and_alerts(tmp_path: Path) -> None:
    screenshot = tmp_path / "window.png"
    result = smoke.run_self_test([sys.executable, "-m", "desktop.app"], screenshot)

    assert result.passed, result.problem()
    assert result.exit_code == 0
    steps = result.summary["steps"]
    assert set(steps) == {"libraries_s", "demo_server_s", "window_s", "initial_sync_s",
                          "render_s", "send_s", "answer_alert_s", "quit_s"}
    progress = [line for _t, line in result.stdout if line.startswith("self-test: ")]
    assert [line.split()[1] for line in progress] == [name[:-2] for name in steps]
    assert result.start_to_window_s is not None and result.start_to_window_s > 0
    image = QImage(str(screenshot))
    assert image.width() >= 800 and image.height() >= 500
    assert len({image.pixel(x, y) for x in range(0, image.width(), 13)
                for y in range(0, image.height(), 11)}) > 8
    assert all(line in smoke.ALLOWED_STDERR for line in result.stderr if line.strip())


@pytest.fixture
def app_state(qapp: Any) -> Iterator[Any]:
    """The self-test styles the application as the program does; put it back afterwards."""
    saved = (qapp.styleSheet(), qapp.palette(), qapp.windowIcon(),
             QCoreApplication.organizationName(), QCoreApplication.applicationName(),
             qapp.quitOnLastWindowClosed())
    yield qapp
    qapp.setStyleSheet(saved[0])
    qapp.setPalette(saved[1])
    qapp.setWindowIcon(saved[2])
    QCoreApplication.setOrganizationName(saved[3])
    QCoreApplication.setApplicationName(saved[4])
    qapp.setQuitOnLastWindowClosed(saved[5])


def test_an_alert_showing_the_sender_fails_the_self_test_with_one_line(
        app_state: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(self_test.tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(Tray, "alert_text",
                        lambda self, sender, subject: (f"New secure message from {sender}",
                                                       subject))
    code = app_module.main(["--self-test"])
    captured = capsys.readouterr()

    assert code == 1
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("practice-inbox self-test failed: ")
    assert "receiving the answer and its tray alert" in lines[0]
    assert "New secure message" in lines[0]
    assert not any(line.startswith("{") for line in captured.out.splitlines())
    assert not list(scratch.iterdir())  # the server's data, cache and settings went away


def test_the_self_test_passes_in_process_and_logs_no_message_text(
        app_state: Any, capsys: Any, private_home: Path) -> None:
    assert app_module.main(["--self-test"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["self_test"] == "passed"
    log_file = Path(summary["log"])
    assert log_file.is_relative_to(private_home / "xdg_state_home" / "practice-inbox")
    assert log_file.is_file()
    text = log_file.read_text(encoding="utf-8")
    assert "alembic" in text  # the demo server's migration was logged ...
    assert not any(private in text for private in self_test.PRIVATE_TEXTS)  # ... no content


def test_a_blank_picture_is_refused(qapp: Any, tmp_path: Path) -> None:
    blank = QImage(1280, 800, QImage.Format.Format_ARGB32)
    blank.fill(Qt.GlobalColor.white)
    with pytest.raises(self_test.SelfTestFailed, match="blank"):
        self_test.check_not_blank(blank, tmp_path / "blank.png")
    assert not (tmp_path / "blank.png").exists()
    with pytest.raises(self_test.SelfTestFailed, match="empty"):
        self_test.check_not_blank(QImage(), None)


def test_a_log_holding_message_text_is_refused(tmp_path: Path) -> None:
    log_file = tmp_path / "practice-inbox.log"
    log_file.write_text("INFO ok\n", encoding="utf-8")
    self_test.check_log_is_private(log_file)
    (tmp_path / "practice-inbox.log.2").write_text(f"INFO {self_test.REPLY}\n", encoding="utf-8")
    with pytest.raises(self_test.SelfTestFailed, match="practice-inbox.log.2"):
        self_test.check_log_is_private(log_file)
