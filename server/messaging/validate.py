"""Checks of what a sender wrote: subject, body, attachments, recipients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import directory, rules
from server.body_bounds import BodyBounds, refusal
from server.body_text import html_to_text
from server.config import Settings
from server.db.models import Blob, Message, MessageAttachment, Person, ThreadParticipant
from server.errors import ApiError, enforce, invalid
from server.sanitize import sanitize_html
from server.serialize import who


def subject(raw: str, settings: Settings) -> str:
    value = raw.strip()
    if not value:
        raise invalid("subject_required", "Add a subject.")
    if len(value) > settings.max_subject_chars:
        raise invalid(
            "validation_error",
            f"The subject is too long: at most {settings.max_subject_chars} characters.",
        )
    return value


@dataclass(frozen=True)
class CleanBody:
    """A body sanitized and rendered as text, ready to store."""

    html: str
    text: str


def body_bounds(settings: Settings) -> BodyBounds:
    return BodyBounds(
        max_bytes=settings.max_body_html_bytes,
        max_depth=settings.max_body_depth,
        max_elements=settings.max_body_elements,
    )


def check_body_bounds(raw_html: str, settings: Settings) -> None:
    """Refuse, in linear time, a body the sanitizer could spend too long on."""
    sentence = refusal(raw_html, body_bounds(settings))
    if sentence is not None:
        raise invalid("validation_error", sentence)


def clean_body(raw_html: str, settings: Settings) -> CleanBody:
    """The CPU-heavy part of taking a body: run it before any transaction opens."""
    check_body_bounds(raw_html, settings)
    clean = sanitize_html(raw_html)
    return CleanBody(html=clean, text=html_to_text(clean))


def body(prepared: CleanBody, settings: Settings) -> tuple[str, str]:
    if len(prepared.text) < settings.min_body_chars:
        raise invalid(
            "body_too_short",
            f"The message must be at least {settings.min_body_chars} characters long.",
        )
    return prepared.html, prepared.text


def referable_blobs(db: Session, user: Person, ids: list[str]) -> dict[str, Blob]:
    """Of these blob ids, those `user` may refer to: uploaded by them, or attached to a
    message in one of their threads (forwarding)."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    blobs = {
        b.id: b
        for b in db.scalars(
            select(Blob).where(Blob.id.in_(unique), Blob.practice_id == user.practice_id)
        ).all()
    }
    foreign = [blob_id for blob_id, blob in blobs.items() if blob.uploader_id != user.id]
    readable_elsewhere = set(
        db.scalars(
            select(MessageAttachment.blob_id)
            .join(Message, Message.id == MessageAttachment.message_id)
            .join(ThreadParticipant, ThreadParticipant.thread_id == Message.thread_id)
            .where(MessageAttachment.blob_id.in_(foreign), ThreadParticipant.person_id == user.id)
        ).all()
    ) if foreign else set()
    return {
        blob_id: blobs[blob_id]
        for blob_id in unique
        if blob_id in blobs
        and (blobs[blob_id].uploader_id == user.id or blob_id in readable_elsewhere)
    }


def attachments(db: Session, user: Person, ids: list[str]) -> list[Blob]:
    """Blobs the sender uploaded or can already read in one of their threads."""
    unique = list(dict.fromkeys(ids))
    allowed = referable_blobs(db, user, unique)
    if len(allowed) != len(unique):
        raise invalid(
            "validation_error",
            "One of the attachments does not exist any more; attach the file again.",
        )
    return [allowed[blob_id] for blob_id in unique]


def recipients(db: Session, sender: Person, addresses: list[str]) -> tuple[list[Person], bool]:
    """Expand addresses to people (sender left out, duplicates merged); says if groups were used."""
    people: dict[str, Person] = {}
    used_groups = False
    for address in addresses:
        kind, _, ident = address.partition(":")
        if kind == "person" and ident:
            person = db.get(Person, ident)
            if person is None or person.practice_id != sender.practice_id:
                raise _unknown(address)
            people[person.id] = person
        elif kind == "group" and ident:
            used_groups = True
            if not rules.may_address_groups(who(sender)):  # before the group is looked up
                enforce(rules.GROUPS_REFUSED)
            members = directory.group_members(db, sender.practice_id, ident)
            if members is None:
                raise _unknown(address)
            people.update((m.id, m) for m in members)
        else:
            raise _unknown(address)
    people.pop(sender.id, None)
    return list(people.values()), used_groups


def _unknown(address: str) -> ApiError:
    return invalid("unknown_recipient", f"There is no recipient “{address[:80]}” in this practice.")
