"""The task runner's contract: serial tasks run in the order they were queued, answers reach
the GUI thread and skip widgets deleted meanwhile, shutdown waits for running work and
refuses more, reads run below the GUI thread's priority, and `Latest` drops the answers of
replaced questions."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Slot

from desktop.tasks import Latest, TaskRunner


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def test_serial_tasks_run_one_at_a_time_in_the_order_queued(qtbot: Any, runner: TaskRunner
                                                            ) -> None:
    ran: list[int] = []
    at_once = {"now": 0, "most": 0}
    lock = threading.Lock()
    rng = random.Random(7)

    def task(n: int, pause: float) -> int:
        with lock:
            at_once["now"] += 1
            at_once["most"] = max(at_once["most"], at_once["now"])
        time.sleep(pause)
        ran.append(n)
        with lock:
            at_once["now"] -= 1
        return n

    answered: list[int] = []
    for n in range(20):
        pause = rng.uniform(0, 0.01)
        runner.run(lambda n=n, pause=pause: task(n, pause), answered.append, serial=True)
    qtbot.waitUntil(lambda: len(answered) == 20, timeout=10_000)
    assert ran == list(range(20)) and answered == list(range(20))
    assert at_once["most"] == 1


def test_answers_come_on_the_gui_thread_and_errors_to_on_error(qtbot: Any, runner: TaskRunner
                                                               ) -> None:
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []
    runner.run(lambda: 1, lambda _r: threads.append(threading.current_thread()))
    runner.run(lambda: 1 / 0, errors.append)  # no on_error: logged, never raised here
    runner.run(lambda: 1 / 0, None, errors.append)
    qtbot.waitUntil(lambda: bool(threads) and bool(errors) and runner.pending == 0,
                    timeout=5_000)
    assert threads == [threading.main_thread()]
    assert [type(e) for e in errors] == [ZeroDivisionError]


def test_reads_run_below_the_gui_threads_priority(qtbot: Any, runner: TaskRunner) -> None:
    answers: list[int] = []
    runner.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
               answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=5_000)
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert answers[0] > gui  # a higher niceness: the GUI thread comes first


class _Listener(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.heard: list[Any] = []

    @Slot(object)
    def hear(self, result: Any) -> None:
        self.heard.append(result)


def test_an_answer_for_a_deleted_widget_is_dropped(qtbot: Any, runner: TaskRunner) -> None:
    gone, kept = _Listener(), _Listener()
    release = threading.Event()
    latest = Latest()
    runner.run(lambda: release.wait(5) and "late", gone.hear)
    runner.run(lambda: release.wait(5) and "late", latest.ask().then(gone.hear))
    runner.run(lambda: release.wait(5) and "late", kept.hear)
    heard_by_gone = gone.heard
    gone.deleteLater()
    qtbot.waitUntil(lambda: not _valid(gone), timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5_000)
    assert heard_by_gone == [] and kept.heard == ["late"]


def _valid(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_shutdown_waits_for_running_work_and_refuses_more(qtbot: Any) -> None:
    runner = TaskRunner()
    finished = threading.Event()
    runner.run(lambda: (time.sleep(0.2), finished.set()), serial=True)
    runner.shutdown()
    assert finished.is_set()
    ran = threading.Event()
    runner.run(ran.set)
    time.sleep(0.1)
    assert not ran.is_set()
    with pytest.raises(RuntimeError):
        runner.wait_for(lambda: 1)


def test_only_the_newest_question_is_answered(qtbot: Any) -> None:
    runner = TaskRunner(readers=3)  # all three questions out at once
    latest = Latest()
    shown: list[str] = []
    gates = {name: threading.Event() for name in ("first", "second", "third")}
    tickets = []
    for name in gates:
        ticket = latest.ask()
        tickets.append(ticket)
        runner.run(lambda name=name: gates[name].wait(5) and name, ticket.then(shown.append))
    assert [t.current for t in tickets] == [False, False, True]
    gates["third"].set()
    qtbot.waitUntil(lambda: shown == ["third"], timeout=5_000)
    gates["first"].set()
    gates["second"].set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5_000)
    assert shown == ["third"]
    latest.drop()
    assert not tickets[-1].current
    runner.shutdown()


def test_waiting_for_a_task_collects_first_and_never_inside_its_loop(qtbot: Any,
                                                                     runner: TaskRunner) -> None:
    import gc

    inside: list[bool] = []

    def check() -> str:
        time.sleep(0.2)
        return "done"

    def during_the_loop() -> None:
        inside.append(gc.isenabled())

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, during_the_loop)
    assert gc.isenabled()
    assert runner.wait_for(check) == "done"
    assert inside == [False]  # the loop ran with automatic collection off
    assert gc.isenabled()  # and it is back on afterwards
