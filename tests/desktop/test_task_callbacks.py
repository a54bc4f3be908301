"""A background task's answer is not handed to a view that was deleted while it ran (signing
out while the first sync still changes the cache): neither to its method nor to a function
made in one of its methods, nor to a function wrapping such a one."""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from desktop.tasks import TaskRunner


class View(QObject):
    def __init__(self, calls: list[str]) -> None:
        super().__init__()
        self.calls = calls

    def read(self, runner: TaskRunner, gate: threading.Event) -> None:
        def done(result: Any) -> None:
            self.calls.append(f"{self.objectName()} {result}")  # fails on a deleted view

        runner.run(lambda: gate.wait(10), done)

    def read_wrapped(self, runner: TaskRunner, gate: threading.Event) -> None:
        def done(result: Any) -> None:
            self.calls.append(f"{self.objectName()} {result}")

        def unless_replaced(result: Any) -> None:  # as a "newest answer only" helper wraps it
            done(result)

        runner.run(lambda: gate.wait(10), unless_replaced)

    def read_into_method(self, runner: TaskRunner, gate: threading.Event) -> None:
        runner.run(lambda: gate.wait(10), self.shown)

    def shown(self, result: Any) -> None:
        self.calls.append(f"{self.objectName()} {result}")


def test_answers_for_a_deleted_view_are_dropped(qtbot: Any) -> None:
    runner = TaskRunner()
    calls: list[str] = []
    try:
        kept, gone = View(calls), View(calls)
        kept.setObjectName("kept")
        gate = threading.Event()
        for view in (kept, gone):
            view.read(runner, gate)
            view.read_wrapped(runner, gate)
            view.read_into_method(runner, gate)
        shiboken6.delete(gone)
        gate.set()
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
        assert calls == ["kept True"] * 3
    finally:
        runner.shutdown()
