"""The directory: people and groups the signed-in person can address."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from server import directory
from server.db.models import Person
from server.deps import current_user, get_db
from server.serialize import person_json

router = APIRouter()


@router.get("/directory")
def get_directory(
    user: Person = Depends(current_user), db: Session = Depends(get_db)
) -> dict[str, object]:
    return {
        "people": [person_json(p) for p in directory.visible_people(db, user)],
        "groups": directory.groups(db, user),
    }
