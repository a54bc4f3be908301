"""The thread list's row: a thread's row from the cache, completed by a search match, or a draft
shown as a row of the Drafts folder.

A thread the cache no longer shows is a row with only its id and empty texts; a draft's row has
no folder, count or delete flag. The fields are those of ``sync.cache.rows.ThreadRow`` where
they are there at all, so a ThreadRow is a ListRow as it is.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast, final

from sync.cache.rows import DraftRow, ThreadRow

# The display texts by column, then the unread flag (ThreadListModel._shown).
Shown = tuple[str, str, str, str, str, str, bool]


@final  # no more fields: a row given with a subject is a whole row (see read_block_rows)
class SearchMatch(TypedDict):
    """What a search result puts into its thread's row: its best match."""

    snippet: str  # HTML: the matched words in <b>
    match_message_id: str


class ListRow(TypedDict):
    id: str
    subject: str
    snippet: str
    last_message_at: NotRequired[str | None]
    participants_label: NotRequired[str]
    unread: NotRequired[bool]
    starred: NotRequired[bool]
    has_attachments: NotRequired[bool]
    message_count: NotRequired[int]
    folder: NotRequired[str | None]
    can_delete: NotRequired[bool]
    match_message_id: NotRequired[str]  # a search result's best matching message
    draft: NotRequired[DraftRow]  # a row of the Drafts folder
    _shown: NotRequired[Shown]  # prepared when the row is first painted


# A search result completes its thread's row; a draft is a whole row of its own.
Override = ListRow | SearchMatch


def as_list_row(row: ThreadRow) -> ListRow:
    """A thread's row as the list holds it: the same dict."""
    # A ThreadRow has every field a ListRow requires, each of the same type; the type checker
    # refuses it only because a ListRow may have more.
    return cast(ListRow, row)


def with_match(row: ListRow, match: SearchMatch | None) -> ListRow:
    """The row, or a copy of it completed by a search result's match."""
    return {**row, **match} if match else row


def missing_row(thread_id: str) -> ListRow:
    """The row of a thread the cache does not show (hidden or gone since its id was read)."""
    return {"id": thread_id, "subject": "", "snippet": ""}
