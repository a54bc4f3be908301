"""Clean-up passes: old tombstones are forgotten (old cursors get 410), orphan blobs go."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from server.db.models import Blob, FeedEntry
from server.db.types import utcnow
from server.maintenance import prune_tombstones, remove_unreferenced_blobs, run_once
from tests.support import sample_files
from tests.support.api_client import Api

PNG = sample_files.image("PNG", (1, 1))


def upload(user, name: str = "scan.png") -> dict:  # type: ignore[no-untyped-def]
    reply = user.http.post(
        user.url("/blobs"),
        data=PNG,
        timeout=30,
        headers={"X-Filename": name, "Content-Type": "image/png"},
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_old_tombstones_are_pruned_and_old_cursors_expire(api: Api) -> None:
    rivera, alex = api.as_("dr.rivera"), api.as_("alex")
    thread = rivera.send(["alex"]).json()["thread"]
    old_cursor = alex.changes()["cursor"]
    assert rivera.delete(f"/threads/{thread['id']}").status_code == 204
    with api.server.ctx.sessions() as db:
        db.execute(
            update(FeedEntry)
            .where(FeedEntry.deleted.is_(True))
            .values(changed_at=utcnow() - timedelta(days=200))
        )
        db.commit()
        assert prune_tombstones(db, 90 * 24 * 3600) > 0
    expired = alex.get("/changes", params={"since": old_cursor})
    assert expired.status_code == 410
    assert expired.json()["code"] == "cursor_expired"
    fresh = alex.changes()  # a resync from scratch works and no longer knows the thread
    assert thread["id"] not in {t["id"] for t in fresh["threads"]}
    assert fresh["deleted"]["threads"] == []


def test_recent_tombstones_are_kept(api: Api) -> None:
    rivera, alex = api.as_("dr.rivera"), api.as_("alex")
    thread = rivera.send(["alex"]).json()["thread"]
    cursor = alex.changes()["cursor"]
    rivera.delete(f"/threads/{thread['id']}")
    with api.server.ctx.sessions() as db:
        assert prune_tombstones(db, 90 * 24 * 3600) == 0
    page = alex.changes(cursor)
    assert page["deleted"]["threads"] == [thread["id"]]


def test_unreferenced_blobs_go_after_a_day_but_draft_blobs_stay(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    orphan, drafted, sent = upload(rivera), upload(rivera), upload(rivera)
    draft_id = "7f0f3c7e-8d3f-4f7a-9a43-2d1b9f1f0a11"
    assert rivera.put(f"/drafts/{draft_id}", {"attachment_ids": [drafted["id"]]}).status_code == 200
    assert rivera.send(["alex"], attachment_ids=[sent["id"]]).status_code == 201
    store = api.server.ctx.blobs
    with api.server.ctx.sessions() as db:
        db.execute(update(Blob).values(created_at=utcnow() - timedelta(hours=25)))
        db.commit()
        assert remove_unreferenced_blobs(db, store, 24 * 3600) == 1
    assert store.stored_size(orphan["id"]) is None
    assert store.stored_size(drafted["id"]) is not None
    assert store.stored_size(sent["id"]) is not None
    assert rivera.get(f"/blobs/{orphan['id']}").status_code == 404
    assert rivera.get(f"/blobs/{drafted['id']}").status_code == 200


def test_a_whole_maintenance_pass_runs(api: Api) -> None:
    api.as_("dr.rivera").send(["alex"])
    server = api.server
    run_once(server.ctx.sessions, server.settings, server.ctx.blobs)
    assert api.as_("alex").changes()["threads"]


def test_a_retried_upload_replays_the_first_answer(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    headers = {"X-Filename": "scan.png", "Content-Type": "image/png", "Idempotency-Key": "up-1"}
    store = api.server.ctx.blobs
    first = rivera.http.post(rivera.url("/blobs"), data=PNG, headers=headers, timeout=30)
    files_after_first = store.stored_ids()
    again = rivera.http.post(rivera.url("/blobs"), data=PNG, headers=headers, timeout=30)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert store.stored_ids() == files_after_first  # no second copy kept
    other = rivera.http.post(rivera.url("/blobs"), data=PNG + b"x", headers=headers, timeout=30)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
