"""What the thread list shows besides a folder's pages: search results as one row per thread
(its best match kept, newest thread first) and drafts as rows of the Drafts folder."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from desktop.models.list_row import ListRow, Override, SearchMatch

if TYPE_CHECKING:
    from sync.cache.rows import DraftRow, GroupRow, PersonRow, SearchHit, ThreadRow


def newest_first(ids: list[str], rows: list[ThreadRow]) -> list[str]:
    """`ids` ordered as a folder orders its threads: latest activity first."""
    when = {row["id"]: _timestamp(row["last_message_at"]) for row in rows}
    return sorted(ids, key=lambda i: when.get(i, 0.0), reverse=True)


def _timestamp(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(iso or "").timestamp()
    except ValueError:
        return 0.0


def search_rows(results: list[SearchHit]) -> tuple[list[str], dict[str, Override]]:
    """One row per thread (its best match's snippet kept), in the order of the results."""
    ids: list[str] = []
    overrides: dict[str, Override] = {}
    for result in results:
        thread_id = result["thread_id"]
        if thread_id in overrides:
            continue
        ids.append(thread_id)
        overrides[thread_id] = SearchMatch(snippet=result["snippet"],
                                           match_message_id=result["message_id"])
    return ids, overrides


def draft_rows(drafts: list[DraftRow], people: list[PersonRow],
                groups: list[GroupRow]) -> tuple[list[str], None, dict[str, Override]]:
    names = {f"person:{p['id']}": p["name"] for p in people}
    names.update({f"group:{g['id']}": g["name"] for g in groups})
    ids: list[str] = []
    rows: dict[str, Override] = {}
    for draft in sorted(drafts, key=lambda d: d["updated_at"] or "", reverse=True):
        ids.append(draft["id"])
        rows[draft["id"]] = ListRow(
            id=draft["id"], subject=draft["subject"], snippet="",
            participants_label=", ".join(names.get(a, "?") for a in draft["to"]),
            last_message_at=draft["updated_at"], unread=False, starred=False,
            has_attachments=bool(draft["attachment_ids"]), draft=draft,
        )
    return ids, None, rows
