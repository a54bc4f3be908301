"""The check of the whole run's server log: it hears what servers store and finds it in the
log, whatever markup or spacing is around it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import SUITE_LOG
from tests.support.api_client import User
from tests.support.live_server import LiveServer
from tests.support.suite_log import SuiteLog


def test_a_stored_text_found_in_the_log_is_a_leak(tmp_path: Path) -> None:
    handler = SuiteLog(tmp_path / "server.log")
    log = logging.getLogger("server.leaky")
    log.addHandler(handler)
    log.propagate = False  # these lines are for this handler only
    try:
        handler.remember("<p>Marigold &amp; body text   of 3c1b</p>", "Too short")
        log.warning("refused: Marigold & body text of 3c1b")
        log.warning("refused: Marigold & body")
        log.warning("Too short")
        logging.getLogger("other.library").info("Marigold & body text of 3c1b")  # not heard
    finally:
        log.removeHandler(handler)
        log.propagate = True
    assert [text for text, _line in handler.leaks()] == ["Marigold & body text of 3c1b"]


def test_every_server_of_the_run_is_heard(live_server: LiveServer,
                                          request: pytest.FixtureRequest) -> None:
    suite_log = request.config.stash[SUITE_LOG]
    User(live_server, "dr.rivera").send(["alex"], subject="Heard by the suite log 51c0",
                                        body="<p>A body the suite log remembers, 8e2d.</p>")
    assert {"Heard by the suite log 51c0", "A body the suite log remembers, 8e2d."} \
        <= suite_log.texts
    logging.getLogger("server.anything").info("a line of the server 77aa")
    assert "a line of the server 77aa" in suite_log.path.read_text(encoding="utf-8")


def test_a_run_that_logged_nothing_has_no_leaks(tmp_path: Path) -> None:
    handler = SuiteLog(tmp_path / "never-written.log")
    handler.remember("A subject nobody logged, 1f3e")
    assert handler.leaks() == []
