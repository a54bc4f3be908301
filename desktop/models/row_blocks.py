"""The thread list's row fields, read from the cache in blocks of rows on worker threads.

Painting never waits on the cache: a row whose block is not read yet is reported as missing
(the view paints it as a placeholder), its block is read through the TaskRunner and the rows
are announced with ``rowsRead`` when it arrives. The blocks painted last are read first; a
block or two ahead in the scroll direction is read while the reader is otherwise idle. A block
read for an earlier set of ids (another folder, a refresh) is dropped.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.models.list_row import (
    ListRow,
    Override,
    SearchMatch,
    as_list_row,
    missing_row,
    with_match,
)
from desktop.tasks import TaskRunner
from sync.cache.queries import thread_row

if TYPE_CHECKING:
    from sync.cache import Cache
    from sync.cache.rows import ThreadRow

log = logging.getLogger(__name__)
# A block's rows, each a ListRow or, until it is first asked for, a thread's row as read.
Block = list["ListRow | list[Any]"]
ReadBlock = tuple[Block, "str | None"]  # a block as read_block_values reads it
Made = TypeVar("Made")

BLOCK_ROWS = 200
BLOCKS_KEPT = 64
# One block read at a time: a read holds the GIL for much of its time, and two at once leave
# the GUI thread too little of it to paint (bench/desktop_open.py: frames over 50 ms).
READS_AT_ONCE = 1
WANTED_KEPT = 4  # painted blocks waiting for a reader; older ones were scrolled past
READ_AHEAD = 2  # blocks read ahead in the scroll direction
RECENT_KEPT = 3  # blocks painted last, read again together with the ids on a refresh


def read_block_rows(cache: Cache, ids: list[str], overrides: dict[str, Override],
                    known: dict[str, ThreadRow] | None = None) -> list[ListRow]:
    """The rows of `ids` in order; a row given whole by `overrides` (a draft) is not read, one
    given in part (a search snippet) is read and completed by it. Rows in `known`, read with
    the ids, are not read again."""
    if known is None:
        wanted = _to_read(ids, overrides)
        known = {r["id"]: r for r in cache.thread_rows(wanted)} if wanted else {}
    return _in_order(ids, overrides, known, lambda row, extra: with_match(as_list_row(row), extra))


def read_block_values(cache: Cache, ids: list[str], overrides: dict[str, Override]
                      ) -> ReadBlock:
    """A block as `read_block_rows` reads it, but with each thread's row left as the values
    read (``sync.cache.queries.thread_row_values``), and the user's id to make them rows with:
    making a row is left to the GUI thread, for the rows it paints. Run while the GUI thread
    paints, this reader then holds the interpreter lock for the SQL's JSON answer only."""
    wanted = _to_read(ids, overrides)
    read = cache.thread_row_values(wanted) if wanted else None
    values = {row[0]: row for row in read.values} if read else {}
    return _in_order(ids, overrides, values, lambda row, _extra: row), \
        read.me_id if read else None


def _to_read(ids: list[str], overrides: dict[str, Override]) -> list[str]:
    """The ids whose rows are read: all but those given whole (drafts)."""
    return [i for i in ids if "subject" not in overrides.get(i, ())]


def _in_order(ids: list[str], overrides: dict[str, Override], found: dict[str, Any],
              row_of: Callable[[Any, SearchMatch | None], Made]) -> list[ListRow | Made]:
    """The rows of `ids` in order: given whole by `overrides`, made by `row_of` from what was
    found (with the search match, if any), or a missing row."""
    block: list[ListRow | Made] = []
    for thread_id in ids:
        extra = overrides.get(thread_id)
        if extra is not None and "subject" in extra:
            block.append(extra)
            continue
        row = found.get(thread_id)
        block.append(row_of(row, extra) if row is not None
                     else with_match(missing_row(thread_id), extra))
    return block


def read_blocks(cache: Cache, ids: list[str], overrides: dict[str, Override],
                block_numbers: list[int], known: dict[str, ThreadRow] | None = None
                ) -> dict[int, list[ListRow]]:
    """Several blocks of `ids` at once (those on screen, read together with a folder's ids),
    from `known` when the rows were read with the ids (a search's)."""
    blocks: dict[int, list[ListRow]] = {}
    for block_no in block_numbers:
        start = block_no * BLOCK_ROWS
        block_ids = ids[start:start + BLOCK_ROWS]
        if block_ids:
            blocks[block_no] = read_block_rows(cache, block_ids, overrides, known)
    return blocks


class RowBlocks(QObject):
    """Row fields by row number, for the ids the thread list model shows.

    Signals:
        rowsRead(int, int): the fields of rows first..last have arrived.
    """

    rowsRead = Signal(int, int)

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._runner = runner
        self._ids: list[str] = []
        self._overrides: dict[str, Override] = {}
        self._generation = 0
        self._blocks: OrderedDict[int, Block] = OrderedDict()
        self._me_id: str | None = None  # for the rows of blocks read as values
        self._reading: set[tuple[int, int]] = set()  # (generation, block number)
        self._wanted: OrderedDict[int, None] = OrderedDict()  # newest last
        self._ahead: list[int] = []
        self._last_block = -1
        self._direction = 1
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._held = False

    def hold(self) -> None:
        """Start no more reads for the ids shown: others are being read to replace them (a
        search typed, another folder), and those reads must not wait behind these. What is
        painted meanwhile is still noted as wanted."""
        self._held = True

    def resume(self) -> None:
        """Read what is wanted after all (the ids that were to replace them did not come)."""
        self._held = False
        self._start_reads()

    def reset(self, ids: list[str], overrides: dict[str, Override],
              blocks: dict[int, list[ListRow]], forget_position: bool) -> None:
        """Show new ids (the list is shared with the model, which may append to it), with the
        blocks already read for them."""
        self._generation += 1
        self._held = False
        self._ids = ids
        self._overrides = overrides
        self._blocks.clear()
        for block_no in sorted(blocks):
            block: Block = list(blocks[block_no])
            self._store(block_no, block)
        self._wanted.clear()
        self._ahead.clear()
        self._last_block = -1
        if forget_position:
            self._recent.clear()

    def recent_blocks(self) -> list[int]:
        """The blocks painted last (where the view is), or the first one."""
        return list(self._recent) or [0]

    def is_read(self, row: int) -> bool:
        block = self._blocks.get(row // BLOCK_ROWS)
        return block is not None and row % BLOCK_ROWS < len(block)

    def row(self, row: int) -> ListRow | None:
        """The row's fields if its block is read; None otherwise, and its block is asked for.
        Called for every painted cell: no cache access here, ever."""
        block_no = row // BLOCK_ROWS
        if block_no != self._last_block:
            self._moved_to(block_no)
        block = self._blocks.get(block_no)
        offset = row - block_no * BLOCK_ROWS
        if block is None or offset >= len(block):  # not read, or read before rows were appended
            if block_no not in self._wanted and (self._generation, block_no) not in self._reading:
                self._want(block_no)
            return None
        entry = block[offset]
        if isinstance(entry, list):
            entry = block[offset] = self._made(entry)
        return entry

    def row_now(self, row: int) -> ListRow:
        """The row's fields, read from the cache on the calling thread if its block is not read:
        for an action on one row, never for painting."""
        if self.is_read(row):
            made = self.row(row)
            if made is not None:
                return made
        return read_block_rows(self._cache, [self._ids[row]], self._overrides)[0]

    def _made(self, values: list[Any]) -> ListRow:
        """The row of a thread read as values (read_block_values), completed by its search
        match if it has one."""
        extra = self._overrides.get(values[0])
        row = as_list_row(thread_row(values, self._me_id))
        return with_match(row, extra) if extra is not None and "subject" not in extra else row

    # which blocks to read ---------------------------------------------------------------------
    def _moved_to(self, block_no: int) -> None:
        if self._last_block >= 0:
            self._direction = 1 if block_no > self._last_block else -1
        self._last_block = block_no
        if block_no in self._blocks:
            self._blocks.move_to_end(block_no)  # kept longest: it is on screen
        self._recent[block_no] = None
        self._recent.move_to_end(block_no)
        while len(self._recent) > RECENT_KEPT:
            self._recent.popitem(last=False)
        self._read_ahead_of(block_no)

    def appended(self) -> None:
        """Ids were appended (the next page): the blocks ahead of the one painted last may be
        among them."""
        if self._last_block >= 0:
            self._read_ahead_of(self._last_block)

    def _read_ahead_of(self, block_no: int) -> None:
        last = (len(self._ids) - 1) // BLOCK_ROWS
        ahead = (block_no + self._direction * step for step in range(1, READ_AHEAD + 1))
        self._ahead = [b for b in ahead if 0 <= b <= last]
        self._start_reads()

    def _want(self, block_no: int) -> None:
        self._wanted[block_no] = None
        while len(self._wanted) > WANTED_KEPT:
            self._wanted.popitem(last=False)
        self._start_reads()

    def _start_reads(self) -> None:
        while not self._held and len(self._reading) < READS_AT_ONCE:
            if self._wanted:
                block_no = self._wanted.popitem()[0]  # the block painted last comes first
            elif self._ahead:
                block_no = self._ahead.pop(0)
            else:
                return
            if (self._generation, block_no) not in self._reading and not self._complete(block_no):
                self._read(block_no)

    def _complete(self, block_no: int) -> bool:
        block = self._blocks.get(block_no)
        start = block_no * BLOCK_ROWS
        return block is not None and len(block) == len(self._ids[start:start + BLOCK_ROWS])

    # reading -----------------------------------------------------------------------------------
    def _read(self, block_no: int) -> None:
        start = block_no * BLOCK_ROWS
        ids = self._ids[start:start + BLOCK_ROWS]
        if not ids:
            return
        key = (self._generation, block_no)
        cache, overrides = self._cache, self._overrides
        self._reading.add(key)

        def arrived(read: ReadBlock) -> None:
            block = self._with_user(read)
            self._reading.discard(key)
            if key[0] == self._generation and self._ids[start:start + len(ids)] == ids:
                known = self._blocks.get(block_no)
                if known is None or len(known) <= len(block):
                    self._store(block_no, block)
                    self.rowsRead.emit(start, start + len(block) - 1)
            self._start_reads()

        def failed(error: BaseException) -> None:  # asked for again when painted again
            self._reading.discard(key)
            log.warning("reading a block of thread rows failed: %s", type(error).__name__)
            self._start_reads()

        self._runner.run(lambda: read_block_values(cache, ids, overrides), arrived, failed)

    def add_block(self, block_no: int, read: ReadBlock) -> None:
        """A block of the ids shown, read ahead with them (the first of a page appended)."""
        block = self._with_user(read)
        known = self._blocks.get(block_no)
        if known is None or len(known) < len(block):
            self._store(block_no, block)

    def _with_user(self, read: ReadBlock) -> Block:
        block, me_id = read
        if me_id is not None:
            self._me_id = me_id
        return block

    def _store(self, block_no: int, block: Block) -> None:
        self._blocks[block_no] = block
        self._blocks.move_to_end(block_no)
        while len(self._blocks) > BLOCKS_KEPT:
            self._blocks.popitem(last=False)
