"""The log file: in the user's standard log folder, rotating, quiet on stderr, and never holding
message text (engine events, API answers, SQL parameters)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from desktop import logs
from sync.events import NewMessage

SUBJECT = "Lab results for Jordan Ellis"
BODY = "Jordan's A1C came back at 7.9"


@pytest.fixture
def log_file(private_home: Path) -> Iterator[Path]:
    path = logs.log_to_file()
    assert path is not None
    try:
        yield path
    finally:
        logs.stop_logging_to_file()


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(path.parent.glob("*.log*")))


def test_the_log_lives_in_the_users_state_folder(log_file: Path, private_home: Path) -> None:
    assert log_file == private_home / "xdg_state_home" / "practice-inbox" / "log" / \
        "practice-inbox.log"
    logging.getLogger("desktop.test").info("sync started")
    assert "INFO desktop.test [MainThread] sync started" in written(log_file)


def test_an_event_with_a_subject_is_logged_by_its_type_only(log_file: Path) -> None:
    event = NewMessage("t-1", "m-1", "Jordan Ellis", SUBJECT)
    try:
        raise RuntimeError("listener broke")
    except RuntimeError:
        logging.getLogger("sync.status").exception("the sync event listener failed on %r", event)
    logging.getLogger("desktop.test").info("answer %s", {"subject": SUBJECT, "body_html": BODY})
    logging.getLogger("desktop.test").info("messages %s", [event, event])
    logging.getLogger("desktop.test").info("alert %(subject)s in %(thread)s",
                                           {"subject": SUBJECT, "thread": "t-9"})
    content = written(log_file)
    assert "the sync event listener failed on <NewMessage>" in content
    assert "RuntimeError: listener broke" in content  # the traceback is kept
    assert "answer <dict>" in content and "messages <list of 2>" in content
    assert "alert <subject> in t-9" in content
    assert SUBJECT not in content and "Jordan" not in content and BODY not in content


def test_sql_parameters_never_reach_the_log(log_file: Path) -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE messages (id TEXT PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO messages VALUES ('m-1', :body)"), {"body": BODY})
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO messages VALUES ('m-1', :body)"), {"body": BODY})
    except IntegrityError as error:
        assert BODY in str(error)  # SQLAlchemy does put the values in its message
        logging.getLogger("sync.push").exception("push failed: %s", error)
    content = written(log_file)
    assert "UNIQUE constraint failed: messages.id" in content
    assert "[parameters hidden]" in content
    assert BODY not in content


def test_stderr_gets_warnings_only_and_the_same_privacy(private_home: Path) -> None:
    stream = io.StringIO()
    console = logging.StreamHandler(stream)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(console)
    try:
        path = logs.log_to_file()
        assert path is not None
        log = logging.getLogger("desktop.test")
        log.info("started quietly")
        log.warning("alert for %r", NewMessage("t", "m", "Jordan Ellis", SUBJECT))
        assert stream.getvalue() == "WARNING desktop.test: alert for <NewMessage>\n"
        assert "started quietly" in written(path)
    finally:
        root.removeHandler(console)
        logs.stop_logging_to_file()


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(
        private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 20_000)
    path = logs.log_to_file()
    assert path is not None
    try:
        log = logging.getLogger("desktop.test")
        for n in range(2_000):  # about 200 kB: ten times the size of one file
            log.info("page %05d applied with 500 changes", n)
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["practice-inbox.log"] + [
            f"practice-inbox.log.{i}" for i in range(1, logs.BACKUP_COUNT + 1)]
        assert all(p.stat().st_size <= 20_000 for p in path.parent.iterdir())
        assert "page 01999" in path.read_text(encoding="utf-8")
    finally:
        logs.stop_logging_to_file()


def test_an_unusable_log_folder_leaves_the_program_running_on_stderr(
        private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = private_home / "not-a-folder"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the log folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    level = logging.getLogger().level
    assert logs.log_to_file() is None
    assert "not writing a log file" in capsys.readouterr().err
    assert not any(getattr(h, "practice_inbox", False) for h in logging.getLogger().handlers)
    assert logging.getLogger().level == level
