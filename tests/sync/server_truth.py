"""What the server holds for a user, read straight from the API, and the cache compared to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.api import ApiClient
from sync.cache import Cache
from tests.sync.derived_checks import counts, summaries

Json = dict[str, Any]


@dataclass
class Mailbox:
    threads: dict[str, Json] = field(default_factory=dict)
    messages: dict[str, Json] = field(default_factory=dict)
    states: dict[str, Json] = field(default_factory=dict)
    drafts: dict[str, Json] = field(default_factory=dict)
    folders: dict[str, Json] = field(default_factory=dict)


def server_mailbox(api: ApiClient) -> Mailbox:
    """Every object the user can see: the whole change feed folded from the beginning."""
    box = Mailbox()
    cursor = None
    while True:
        page = api.changes(cursor, limit=1000)
        for name in ("threads", "messages", "drafts", "folders"):
            target = getattr(box, name)
            for item in page[name]:
                target[item["id"]] = item
        for state in page["states"]:
            box.states[state["thread_id"]] = state
        for name, ids in page["deleted"].items():
            for ident in ids:
                getattr(box, name).pop(ident, None)
                if name == "threads":
                    box.states.pop(ident, None)
        cursor = page["cursor"]
        if not page["more"]:
            return box


def cache_mailbox(cache: Cache) -> Mailbox:
    """The same view of the cache: only rows the server confirmed, as the user sees them."""
    box = Mailbox()
    with cache.read() as conn:
        for tid, subject, count in conn.exec_driver_sql(
                "SELECT id, subject, message_count FROM threads "
                "WHERE local = 0 AND hidden = 0 AND subject IS NOT NULL").all():
            box.threads[tid] = {"id": tid, "subject": subject, "message_count": count}
        for tid, folder, unread, starred in conn.exec_driver_sql(
                "SELECT id, folder, unread, starred FROM threads "
                "WHERE local = 0 AND hidden = 0 AND folder IS NOT NULL").all():
            box.states[tid] = {"folder": folder, "unread": bool(unread), "starred": bool(starred)}
        for mid, tid, text in conn.exec_driver_sql(
                "SELECT id, thread_id, body_text FROM messages "
                "WHERE local = 0 AND hidden = 0").all():
            box.messages[mid] = {"id": mid, "thread_id": tid, "body_text": text}
    for draft in cache.drafts():
        box.drafts[draft["id"]] = draft
    for folder in cache.folders():
        if folder.get("custom"):
            box.folders[folder["id"]] = folder
    return box


def differences(cache: Cache, api: ApiClient) -> list[str]:
    """Where the cache and the server disagree (empty when they have converged)."""
    server, local = server_mailbox(api), cache_mailbox(cache)
    problems = []
    for name in ("threads", "messages", "drafts", "folders"):
        theirs, ours = getattr(server, name), getattr(local, name)
        if set(theirs) != set(ours):
            problems.append(f"{name}: only on server {sorted(set(theirs) - set(ours))[:5]}, "
                            f"only in cache {sorted(set(ours) - set(theirs))[:5]}")
    for tid, thread in server.threads.items():
        mine = local.threads.get(tid)
        if mine and (mine["subject"], mine["message_count"]) != (thread["subject"],
                                                                  thread["message_count"]):
            problems.append(f"thread {tid}: {mine} != {thread['subject']!r}, "
                            f"{thread['message_count']}")
    for mid, message in server.messages.items():
        mine = local.messages.get(mid)
        if mine and (mine["thread_id"], mine["body_text"]) != (message["thread_id"],
                                                                message["body_text"]):
            problems.append(f"message {mid} differs")
    for tid, state in server.states.items():
        mine = local.states.get(tid)
        want = {"folder": state["folder"], "unread": state["unread"], "starred": state["starred"]}
        if tid in server.threads and mine != want:
            problems.append(f"state of {tid}: cache {mine}, server {want}")
    for did, draft in server.drafts.items():
        mine = local.drafts.get(did)
        if mine and (mine["subject"], mine["body_html"]) != (draft["subject"], draft["body_html"]):
            problems.append(f"draft {did} differs")
    for fid, folder in server.folders.items():
        mine = local.folders.get(fid)
        if mine and mine["name"] != folder["name"]:
            problems.append(f"folder {fid}: {mine['name']!r} != {folder['name']!r}")
    stored, computed = summaries(cache)
    if stored != computed:
        wrong = sorted(set(stored) ^ set(computed))[:4]
        problems.append(f"thread summaries differ from their messages: {wrong}")
    kept, counted = counts(cache)
    if kept != counted:
        problems.append(f"folder counts {kept} differ from the threads' {counted}")
    return problems
