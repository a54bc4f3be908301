"""The thread list never reads rows on the GUI thread: a row whose block has not arrived paints
as a placeholder, its block is read by a worker and shown when it arrives, the next blocks in
the scroll direction are read ahead, and a block read for another folder is never shown; a new
listing is painted once.

The cache is a real encrypted cache file filled the way the sync engine fills it (two folders
of FOLDER_THREADS threads); the only addition is a wrapper that notes which thread asks for
rows and can hold a read back until the test lets it go.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt

from desktop.models import row_blocks
from desktop.models.roles import ID_ROLE, LOADING_ROLE
from desktop.models.row_blocks import BLOCK_ROWS
from desktop.models.thread_list_model import PEOPLE, SUBJECT, ThreadListModel
from desktop.tasks import TaskRunner
from desktop.widgets.thread_list import ThreadList
from sync.cache import Cache
from sync.cache.mirror import apply_page
from sync.cache.rows import RowValues
from sync.shapes import check_page

FOLDER_THREADS = 700  # more than a page of ids (400) and three blocks of rows
ME = {"id": "p-me", "username": "dr.rivera", "name": "Dr. Sofia Rivera", "kind": "staff",
      "role": "therapist", "status": None, "has_portal_account": True}
ALEX = {"id": "p-alex", "username": "alex", "name": "Alex Morgan", "kind": "client",
        "role": None, "status": "active", "has_portal_account": True}


def folder_page(first: int, count: int, folder: str) -> dict:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    threads, messages, states = [], [], []
    for n in range(first, first + count):
        thread_id, at = str(uuid.UUID(int=n + 1)), (base + timedelta(minutes=n)).isoformat()
        threads.append({
            "id": thread_id, "subject": f"{folder} thread {n}", "created_by": ALEX["id"],
            "created_at": at, "last_message_at": at, "participants": [ME, ALEX],
            "client_count": 1, "message_count": 1, "can_reply": True,
            "reply_blocked_reason": None, "can_delete": False, "can_quick_note": True,
        })
        messages.append({
            "id": str(uuid.UUID(int=10**6 + n)), "thread_id": thread_id, "sender_id": ALEX["id"],
            "sent_at": at, "body_html": f"<p>Message number {n}</p>",
            "body_text": f"Message number {n}", "attachments": [], "can_delete": False,
        })
        states.append({"thread_id": thread_id, "folder": folder, "unread": n % 3 == 0,
                       "starred": False, "in_sent": False})
    return {"cursor": str(first + count), "more": False, "threads": threads,
            "messages": messages, "states": states, "drafts": [], "folders": [],
            "people": [ME, ALEX],
            "deleted": {"threads": [], "messages": [], "drafts": [], "folders": []}}


class WatchedCache:
    """The real cache; notes the thread of every row read and every search, and holds back
    the reads of chosen threads, or chosen searches, until `release()`."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self.row_readers: list[threading.Thread] = []
        self.held_reads = 0
        self.searches: list[str] = []
        self._held_ids: set[str] = set()
        self._held_searches: set[str] = set()
        self.failing_searches: set[str] = set()
        self._gate = threading.Event()
        self._gate.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)

    def hold(self, thread_ids: list[str]) -> None:
        self._held_ids = set(thread_ids)
        self._gate.clear()

    def hold_searches(self, texts: set[str]) -> None:
        self._held_searches = texts
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def search(self, text: str, limit: int = 200) -> list[dict]:
        self.searches.append(text)
        if text in self._held_searches:
            self._gate.wait(20)
        if text in self.failing_searches:
            raise OSError("the cache file could not be read")
        return self._cache.search(text, limit=limit)

    def _reading(self, ids: list[str]) -> None:
        self.row_readers.append(threading.current_thread())
        if self._held_ids.intersection(ids):
            self.held_reads += 1
            self._gate.wait(20)

    def thread_rows(self, ids: list[str]) -> list[dict]:
        self._reading(ids)
        return self._cache.thread_rows(ids)

    def thread_row_values(self, ids: list[str]) -> RowValues:
        self._reading(ids)
        return self._cache.thread_row_values(ids)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[WatchedCache]:
    real = Cache.open(tmp_path / "cache.db", bytes(range(32)))
    with real.write() as conn:
        Cache.set_meta(conn, "session", '{"user": {"id": "p-me"}}')
        apply_page(conn, check_page(folder_page(0, FOLDER_THREADS, "archive")), ME["id"])
        apply_page(conn, check_page(folder_page(FOLDER_THREADS, FOLDER_THREADS, "inbox")),
                   ME["id"])
    watched = WatchedCache(real)
    yield watched
    watched.release()
    real.close()


@pytest.fixture
def thread_list(qtbot: Any, cache: WatchedCache) -> Iterator[ThreadList]:
    runner = TaskRunner()
    model = ThreadListModel(cache, runner)
    view = ThreadList(model)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    yield view
    cache.release()
    runner.shutdown()


def show(qtbot: Any, view: ThreadList, folder: str) -> ThreadListModel:
    model = view.thread_model
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.show_folder(folder)
    view.doItemsLayout()  # the scroll range of the new rows, before scrolling to one
    return model


def show_whole_inbox(qtbot: Any, view: ThreadList) -> ThreadListModel:
    """The Inbox with its second page appended; that page's last block (600..699) is not read
    until painted."""
    model = show(qtbot, view, "inbox")
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == FOLDER_THREADS and model._runner.pending == 0,
                    timeout=10_000)
    return model


def paint_row(view: ThreadList, row: int) -> None:
    """Scroll `row` into view and paint the rows on screen now."""
    view.scrollTo(view.thread_model.index(row, SUBJECT))
    assert view.rowAt(0) <= row <= view.rowAt(view.viewport().height() - 1)
    view.viewport().repaint()


def rows_of_block(folder: str, block_no: int) -> list[str]:
    """The ids of a block of a folder's rows, newest thread first (as the list shows them)."""
    first = FOLDER_THREADS if folder == "inbox" else 0
    ids = [str(uuid.UUID(int=n + 1)) for n in reversed(range(first, first + FOLDER_THREADS))]
    return ids[block_no * BLOCK_ROWS:(block_no + 1) * BLOCK_ROWS]


def test_rows_paint_as_placeholders_until_their_block_arrives(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    cache.hold(rows_of_block("inbox", 1))  # read ahead as soon as the top is painted
    model = show(qtbot, thread_list, "inbox")
    top = model.index(0, SUBJECT)
    assert not top.data(LOADING_ROLE)  # read with the ids: no placeholder on opening
    assert top.data() == f"inbox thread {2 * FOLDER_THREADS - 1}"

    assert [model.thread_id(r) for r in range(200, 400)] == rows_of_block("inbox", 1)
    paint_row(thread_list, 250)
    far = model.index(250, SUBJECT)
    assert far.data(LOADING_ROLE) is True
    assert far.data() == ""
    assert model.index(250, PEOPLE).data() == ""
    assert far.data(Qt.ItemDataRole.FontRole) is None  # not bold, even for an unread thread
    assert model.record_if_read(250) is None
    qtbot.waitUntil(lambda: cache.held_reads == 1, timeout=10_000)

    with qtbot.waitSignal(model.dataChanged, timeout=10_000,
                          check_params_cb=lambda first, last, *_: first.row() <= 250 <= last.row()):
        cache.release()
    thread_id = model.thread_id(250)
    expected = next(iter(cache.thread_rows([thread_id])))
    assert far.data(LOADING_ROLE) is False
    assert far.data() == expected["subject"]
    assert model.index(250, PEOPLE).data() == "Alex Morgan"
    assert bool(far.data(Qt.ItemDataRole.FontRole)) == expected["unread"]


def test_rows_read_in_the_background_are_made_on_the_gui_thread_as_they_are_painted(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList, monkeypatch: Any) -> None:
    made_on: list[threading.Thread] = []
    make = row_blocks.thread_row

    def noted(values: list[Any], me_id: str | None) -> dict:
        made_on.append(threading.current_thread())
        return make(values, me_id)

    monkeypatch.setattr(row_blocks, "thread_row", noted)
    model = show(qtbot, thread_list, "inbox")  # the rows on top come with the ids
    assert made_on == []
    paint_row(thread_list, 250)  # as placeholders; their block is read, and the one after
    qtbot.waitUntil(lambda: model.record_if_read(250) is not None
                    and model._runner.pending == 0, timeout=10_000)
    thread_list.viewport().repaint()
    painted = range(thread_list.rowAt(0),
                    thread_list.rowAt(thread_list.viewport().height() - 1) + 1)
    assert 0 < len(made_on) <= len(painted)  # not the whole block of 200
    assert set(made_on) == {threading.main_thread()}
    for row in (painted[0], 250, painted[-1]):
        record = dict(model.record(row))
        record.pop("_shown", None)
        assert record == cache.thread_rows([model.thread_id(row)])[0]


def test_the_gui_thread_never_reads_rows(qtbot: Any, cache: WatchedCache,
                                         thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    model.reveal_all()
    thread_list.doItemsLayout()
    for row in range(0, model.total(), 8):
        paint_row(thread_list, row)
    paint_row(thread_list, model.total() - 1)
    qtbot.waitUntil(lambda: all(model.record_if_read(r) is not None
                                for r in range(0, model.total(), BLOCK_ROWS)), timeout=10_000)
    assert len(cache.row_readers) >= FOLDER_THREADS // BLOCK_ROWS
    assert threading.main_thread() not in cache.row_readers
    shown = [model.index(r, SUBJECT).data() for r in range(model.total())]
    assert len(set(shown)) == FOLDER_THREADS and all(s.startswith("inbox") for s in shown)


def test_a_block_read_for_the_previous_folder_is_never_shown(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    cache.hold(rows_of_block("inbox", 1))
    model = show(qtbot, thread_list, "inbox")
    paint_row(thread_list, 250)
    assert model.record_if_read(250) is None
    qtbot.waitUntil(lambda: cache.held_reads == 1, timeout=10_000)

    show(qtbot, thread_list, "archive")  # while the Inbox's block 1 is still being read
    shown_wrong: list[int] = []
    announced: list[int] = []

    def check_announced(first: Any, last: Any, *_: Any) -> None:
        for row in range(first.row(), last.row() + 1):
            announced.append(row)
            record = model.record_if_read(row)
            if record is None or record["id"] != model.thread_id(row):
                shown_wrong.append(row)

    model.dataChanged.connect(check_announced)
    cache.release()
    paint_row(thread_list, 250)
    qtbot.waitUntil(lambda: model.record_if_read(250) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    assert 250 in announced
    assert shown_wrong == []
    for row in range(BLOCK_ROWS, 2 * BLOCK_ROWS):
        record = model.record_if_read(row)
        assert record is not None and record["id"] == model.thread_id(row)
        assert record["folder"] == "archive"
        assert model.index(row, SUBJECT).data().startswith("archive thread")
        assert model.index(row, SUBJECT).data(ID_ROLE) == model.thread_id(row)


def test_a_refresh_keeps_the_rows_on_screen(qtbot: Any, cache: WatchedCache,
                                            thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    paint_row(thread_list, 350)
    qtbot.waitUntil(lambda: model.record_if_read(350) is not None, timeout=10_000)
    at_reset: list[bool] = []
    model.modelReset.connect(lambda: at_reset.append(bool(model.index(350, SUBJECT)
                                                          .data(LOADING_ROLE))))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.refresh()
    assert at_reset == [False]


def test_blocks_ahead_in_the_scroll_direction_are_read_before_they_are_painted(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    model.reveal_all()
    thread_list.doItemsLayout()
    paint_row(thread_list, 250)  # down into block 1: blocks 2 and 3 are read ahead
    qtbot.waitUntil(lambda: model.record_if_read(650) is not None, timeout=10_000)
    assert model.record_if_read(450) is not None

    model = show(qtbot, thread_list, "archive")
    model.reveal_all()
    thread_list.doItemsLayout()
    paint_row(thread_list, 650)
    paint_row(thread_list, 450)  # up into block 2: block 1 is read ahead
    qtbot.waitUntil(lambda: model.record_if_read(250) is not None, timeout=10_000)
    assert model.record_if_read(250)["folder"] == "archive"


def test_a_search_overtaken_by_further_typing_is_never_run(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    cache.hold_searches({"mes", "mess"})
    model.show_search("mes")
    qtbot.waitUntil(lambda: cache.searches == ["mes"], timeout=10_000)
    model.show_search("mess")  # both readers are now busy with searches typed before
    qtbot.waitUntil(lambda: sorted(cache.searches) == ["mes", "mess"], timeout=10_000)
    model.show_search("messa")
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.show_search("message")
        cache.release()
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    assert sorted(cache.searches) == ["mes", "mess", "message"]  # "messa" never ran
    assert model.source == ("search", "message")
    assert model.total() == BLOCK_ROWS  # the search's limit of matching threads
    assert model.index(0, SUBJECT).data().startswith("inbox thread")


def test_a_search_typed_reads_no_more_rows_of_the_folder_it_replaces(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """The search's own read must not wait behind blocks of rows it is about to replace."""
    model = show_whole_inbox(qtbot, thread_list)
    cache.hold_searches({"message"})
    model.show_search("message")
    qtbot.waitUntil(lambda: cache.searches == ["message"], timeout=10_000)
    reads_before = len(cache.row_readers)
    paint_row(thread_list, 650)  # it paints as placeholders
    assert model.index(650, SUBJECT).data(LOADING_ROLE) is True
    qtbot.wait(200)
    assert len(cache.row_readers) == reads_before  # no block of the Inbox was read meanwhile
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        cache.release()
    assert model.source == ("search", "message")
    assert not model.index(0, SUBJECT).data(LOADING_ROLE)


def test_when_the_search_cannot_be_read_the_rows_shown_are_read_again(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    model = show_whole_inbox(qtbot, thread_list)
    cache.failing_searches = {"message"}
    model.show_search("message")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    paint_row(thread_list, 650)
    qtbot.waitUntil(lambda: model.record_if_read(650) is not None, timeout=10_000)
    assert model.index(650, SUBJECT).data().startswith("inbox thread")


def test_a_search_reads_the_rows_of_its_threads_once(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    reads_before = len(cache.row_readers)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.show_search("message")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    assert len(cache.row_readers) == reads_before + 1
    assert model.total() == BLOCK_ROWS
    assert all(model.record_if_read(row) is not None for row in range(model.total()))


class PaintCounter(QObject):
    paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def count_paints(qtbot: Any, view: ThreadList) -> PaintCounter:
    qtbot.waitUntil(lambda: view.thread_model._runner.pending == 0, timeout=10_000)
    qtbot.wait(100)  # everything shown so far painted
    counter = PaintCounter(view)
    view.viewport().installEventFilter(counter)
    return counter


def test_a_new_listing_is_painted_once(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """Typing a search repaints the list with its results, and not a second time after."""
    model = show(qtbot, thread_list, "inbox")
    counter = count_paints(qtbot, thread_list)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.show_search("message")
    qtbot.waitUntil(lambda: counter.paints >= 1, timeout=10_000)
    qtbot.wait(300)
    assert counter.paints == 1


def test_a_page_of_ids_ends_on_a_block_so_appending_leaves_no_block_half_read(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """A block read before the next page arrived would show that page's first rows as
    placeholders until it was read again."""
    model = show(qtbot, thread_list, "inbox")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.total() == FOLDER_THREADS, timeout=10_000)
    for start in range(0, FOLDER_THREADS, BLOCK_ROWS):
        read = [model.record_if_read(r) is not None
                for r in range(start, min(start + BLOCK_ROWS, FOLDER_THREADS))]
        assert all(read) or not any(read), f"the block from row {start} is half read"


def test_the_next_page_is_read_ahead_of_the_rows_painted_last(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """Scrolling down to the end of a page, the blocks of the page appended next are read
    before they are painted, as blocks ahead within a page are."""
    model = show(qtbot, thread_list, "inbox")
    paint_row(thread_list, model.total() - 20)  # near the end, before the view asks for more
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    assert model.total() == 2 * BLOCK_ROWS
    thread_list.hide()  # nothing of the next page is painted
    model.fetchMore()
    assert model.total() == FOLDER_THREADS
    qtbot.waitUntil(lambda: model.record_if_read(2 * BLOCK_ROWS) is not None
                    and model.record_if_read(FOLDER_THREADS - 1) is not None, timeout=10_000)


def test_the_first_rows_of_the_next_page_are_there_as_soon_as_it_is_appended(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """Where one page meets the next, a fast scroll shows no placeholders: the next page is
    read ahead together with the rows of its first block."""
    model = show(qtbot, thread_list, "inbox")
    qtbot.waitUntil(lambda: model._runner.pending == 0, timeout=10_000)
    readers = len(cache.row_readers)
    model.fetchMore()
    assert model.total() == FOLDER_THREADS
    first = 2 * BLOCK_ROWS
    assert model.record_if_read(first) is not None  # no read on the GUI thread, no wait
    assert model.record_if_read(first + BLOCK_ROWS - 1) is not None
    assert threading.main_thread() not in cache.row_readers[readers:]
    assert model.record(first)["subject"] == cache.thread_rows(
        [model.thread_id(first)])[0]["subject"]


def test_rows_read_ahead_off_screen_do_not_repaint_the_rows_on_screen(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    cache.hold(rows_of_block("inbox", 1))  # read ahead as soon as the top is painted
    model = show(qtbot, thread_list, "inbox")
    qtbot.waitUntil(lambda: cache.held_reads == 1, timeout=10_000)
    qtbot.wait(100)
    counter = PaintCounter(thread_list)
    thread_list.viewport().installEventFilter(counter)
    cache.release()
    qtbot.waitUntil(lambda: model.record_if_read(BLOCK_ROWS) is not None, timeout=10_000)
    qtbot.wait(200)
    assert counter.paints == 0
    model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: counter.paints == 1, timeout=10_000)  # a change on screen is shown


def test_a_scroll_step_that_appends_a_page_is_painted_once(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    model = show(qtbot, thread_list, "inbox")
    paint_row(thread_list, model.total() - 20)
    counter = count_paints(qtbot, thread_list)
    bar = thread_list.verticalScrollBar()
    bar.setValue(bar.maximum())  # the view asks for the next page
    thread_list.viewport().repaint()  # the step painted at once, not on the next pass
    assert model.total() == FOLDER_THREADS and counter.paints == 1
    qtbot.wait(300)
    assert counter.paints == 1


def test_rows_painted_while_a_search_was_read_are_read_when_it_fails(
        qtbot: Any, cache: WatchedCache, thread_list: ThreadList) -> None:
    """Nothing needs painting again: what was painted as placeholders is read after all."""
    model = show_whole_inbox(qtbot, thread_list)
    cache.hold_searches({"message"})
    cache.failing_searches = {"message"}
    model.show_search("message")
    qtbot.waitUntil(lambda: cache.searches == ["message"], timeout=10_000)
    paint_row(thread_list, 650)
    assert model.record_if_read(650) is None
    cache.release()
    qtbot.waitUntil(lambda: model.record_if_read(650) is not None, timeout=10_000)
