"""A minimal client cache for feed tests: applies /changes pages the way API.md describes."""

from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]
KINDS = ("threads", "messages", "drafts", "folders", "people")


class FeedCache:
    """Objects by id; a page's objects replace what is there, its tombstones remove."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Json]] = {k: {} for k in (*KINDS, "states")}

    def apply(self, page: Json) -> None:
        for kind in KINDS:
            for obj in page[kind]:
                self.objects[kind][obj["id"]] = copy.deepcopy(obj)
        for state in page["states"]:
            self.objects["states"][state["thread_id"]] = copy.deepcopy(state)
        deleted = page["deleted"]
        for thread_id in deleted["threads"]:
            self.objects["threads"].pop(thread_id, None)
            self.objects["states"].pop(thread_id, None)
            for message_id in [
                m["id"] for m in self.objects["messages"].values() if m["thread_id"] == thread_id
            ]:
                self.objects["messages"].pop(message_id)
        for kind in ("messages", "drafts", "folders"):
            for ident in deleted[kind]:
                self.objects[kind].pop(ident, None)

    def snapshot(self) -> dict[str, dict[str, Json]]:
        return copy.deepcopy(self.objects)

    def messages_of(self, thread_id: str) -> list[Json]:
        found = [m for m in self.objects["messages"].values() if m["thread_id"] == thread_id]
        return sorted(found, key=lambda m: (m["sent_at"], m["id"]))
