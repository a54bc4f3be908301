"""The user's own folders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import idempotency
from server.api.schemas import FolderIn
from server.db.models import Folder, Person, ThreadState
from server.deps import WORK, current_user, get_db
from server.errors import invalid, not_found
from server.feed.record import touch
from server.serialize import folder_json

router = APIRouter()


def _name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise invalid("validation_error", "Give the folder a name.")
    if len(name) > 100:
        raise invalid("validation_error", "Folder names can be at most 100 characters.")
    return name


def _own(db: Session, user: Person, folder_id: str) -> Folder:
    folder = db.get(Folder, folder_id.removeprefix("folder:"))
    if folder is None or folder.person_id != user.id:
        raise not_found("That folder")
    return folder


@router.get("/folders")
def list_folders(
    user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> dict[str, Any]:
    folders = db.scalars(
        select(Folder).where(Folder.person_id == user.id).order_by(Folder.name)
    ).all()
    return {"folders": [folder_json(f) for f in folders]}


@router.post("/folders", status_code=201)
def create_folder(
    body: FolderIn,
    request: Request,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> Response:
    def action() -> tuple[int, dict[str, Any]]:
        folder = Folder(person_id=user.id, name=_name(body.name))
        db.add(folder)
        db.flush()
        touch(db, [user.id], "folder", folder.id)
        return 201, folder_json(folder)

    return idempotency.handle(request, db, user, body.model_dump(), action)


@router.patch("/folders/{folder_id}")
def rename_folder(
    folder_id: str,
    body: FolderIn,
    user: Person = Depends(current_user),
    db: Session = WORK,
) -> dict[str, Any]:
    folder = _own(db, user, folder_id)
    folder.name = _name(body.name)
    touch(db, [user.id], "folder", folder.id)
    return folder_json(folder)


@router.delete("/folders/{folder_id}", status_code=204)
def delete_folder(
    folder_id: str, user: Person = Depends(current_user), db: Session = WORK
) -> Response:
    folder = _own(db, user, folder_id)
    placed = db.scalars(
        select(ThreadState).where(
            ThreadState.person_id == user.id, ThreadState.folder == f"folder:{folder.id}"
        )
    ).all()
    for state in placed:
        state.folder = "archive"
        touch(db, [user.id], "state", state.thread_id)
    db.delete(folder)
    touch(db, [user.id], "folder", folder.id, deleted=True)
    return Response(status_code=204)
