"""A saved draft's attachments as the attachment strip takes them: the cache keeps each file's
name, size and type with the draft (``draft["attachments"]``), in the order of its ids."""

from __future__ import annotations

from typing import Any

from sync.cache.rows import DraftRow

# A draft an editor opens: saved in the cache, or what the reply box hands to a composer.
OpenedDraft = DraftRow | dict[str, Any]


def draft_attachments(draft: OpenedDraft) -> list[dict[str, Any]]:
    """One dict per attachment id; details the cache does not know are None (the strip then
    says "Attached file")."""
    known = {a.get("id"): a for a in draft.get("attachments") or [] if isinstance(a, dict)}
    unknown = {"filename": None, "size": None, "content_type": None}
    return [{**unknown, **known.get(attachment_id, {}), "id": attachment_id}
            for attachment_id in draft.get("attachment_ids") or []]
