"""The one way the GUI runs work off its thread: ``TaskRunner.run(fn, on_done, on_error)``.

Reads run on a small pool; writes (``serial=True``: engine commands) run in the order they
were queued on one worker, so two commands never race. The result or the exception comes
back on the GUI thread, and is dropped when the callback belongs to a widget deleted
meanwhile. Workers never touch widgets, and the readers run at a lower scheduling priority
than the GUI thread (where the system allows it). ``Latest`` drops the answers to questions that a
newer one replaced (the folder clicked before the last, the search typed before the last).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], object]  # its result is ignored
Failed = Callable[[BaseException], None]


class Latest:
    """Only the newest question's answer is wanted: each ``ask()`` gives a ticket and makes
    every earlier ticket stale; ``drop()`` makes them all stale (nothing is wanted now)."""

    def __init__(self) -> None:
        self._asked = 0

    def ask(self) -> Ticket:
        self._asked += 1
        return Ticket(self, self._asked)

    def drop(self) -> None:
        self._asked += 1


class Ticket:
    """One question asked of a ``Latest``."""

    def __init__(self, latest: Latest, number: int) -> None:
        self._latest = latest
        self._number = number

    @property
    def current(self) -> bool:
        """False once a newer question was asked (safe to read from a worker too)."""
        return self._latest._asked == self._number

    def then(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, called only while this ticket is current (and, as any callback of
        ``TaskRunner.run``, not once its widget is deleted)."""
        def if_current(*args: Any) -> None:
            if self.current:
                callback(*args)

        if_current.owner = getattr(callback, "__self__", None)  # type: ignore[attr-defined]
        return if_current


class TaskRunner(QObject):
    """Runs callables on worker threads and hands their outcome to the GUI thread.

    Signals:
        finished(object, object, object): internal relay (callback, result, error).
        idle(): emitted on the GUI thread when no task is pending any more.
    """

    finished = Signal(object, object, object)
    idle = Signal()

    def __init__(self, parent: QObject | None = None, readers: int = 2) -> None:
        super().__init__(parent)
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="read",
                                           initializer=yield_to_the_gui)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write")
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self.finished.connect(self.on_finished)

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        serial: bool = False,
    ) -> None:
        """Run ``fn()`` in the background; ``serial`` puts it in the single writer queue."""
        if self._closed:
            return
        with self._lock:
            self._pending += 1
        executor = self._writer if serial else self._readers
        executor.submit(self._work, fn, on_done, on_error)

    def _work(self, fn: Callable[[], Any], on_done: Done | None, on_error: Failed | None) -> None:
        try:
            result = fn()
        except Exception as error:  # handed to the GUI thread, never lost
            self.finished.emit((on_done, on_error), None, error)
            return
        self.finished.emit((on_done, on_error), result, None)

    @Slot(object, object, object)
    def on_finished(self, callbacks: tuple, result: Any, error: BaseException | None) -> None:
        on_done, on_error = callbacks
        with self._lock:
            self._pending -= 1
            now_idle = self._pending == 0
        try:
            if error is not None:
                if on_error is not None and _alive(on_error):
                    on_error(error)
                elif on_error is None:
                    log.error("background task failed", exc_info=error)
            elif on_done is not None and _alive(on_done):
                on_done(result)
        finally:
            if now_idle:
                self.idle.emit()

    def on_writer(self, fn: Callable[[], Any]) -> Any:
        """From a task already off the GUI thread: runs ``fn()`` on the single writer, after
        the writes queued before it, and returns its result (or raises its error)."""
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("on_writer() waits: call it from a task, not the GUI thread")
        return self._writer.submit(fn).result()

    def wait_for(self, fn: Callable[[], Any]) -> Any:
        """Runs ``fn()`` on a reader while the GUI thread goes on handling events, and returns
        its result (or raises its error): for the steps of starting up that have nothing to
        show until they end (a sign-in, unwrapping a key)."""
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        loop = QEventLoop()
        outcome: dict[str, Any] = {}

        def done(result: Any) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(error: BaseException) -> None:
            outcome["error"] = error
            loop.quit()

        self.run(fn, done, failed)
        if not outcome:
            # No collection inside the nested loop: one there can run the finalizer of a
            # wrapper whose Qt object a window deleted before (a crash, seen at sign-in).
            # What is garbage now is collected first; refcounting goes on meanwhile.
            gc.collect()
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                loop.exec()
            finally:
                if was_enabled:
                    gc.enable()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def shutdown(self) -> None:
        """Wait for running tasks and refuse new ones (called once at quit)."""
        self._closed = True
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)


READER_NICENESS = 5  # 10 starved the readers: placeholders, and the GUI waiting on the GIL


def yield_to_the_gui() -> None:
    """Lower the calling worker thread's priority. On a clinic PC with another program busy
    on one core, the reader and the GUI thread share the other: the GUI thread painting
    should come first, and the reader still keeps up with a fast scroll."""
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, 0) + READER_NICENESS)
        except OSError:  # not allowed here: the readers run as the GUI does
            pass


def _alive(callback: Callable) -> bool:
    """False when the callback belongs to a widget that has been deleted meanwhile: a method
    of it, or a function made inside one of its methods (holding it in its closure, perhaps
    through a function wrapping that one)."""
    return all(shiboken6.isValid(o) for o in _owners(callback, depth=3))


def _owners(callback: Any, depth: int) -> list[QObject]:
    found = [o for o in (getattr(callback, "__self__", None), getattr(callback, "owner", None))
             if isinstance(o, QObject)]
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            held = cell.cell_contents
        except ValueError:  # a name the function has not been given a value for yet
            continue
        if isinstance(held, QObject):
            found.append(held)
        elif callable(held) and depth > 1:
            found += _owners(held, depth - 1)
    return found
