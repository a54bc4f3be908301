"""Two-step sign-in: TOTP enrolment (pending until confirmed) and one-time recovery codes."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.auth.totp import STEP, verify_totp
from server.db.accounts import RecoveryCode
from server.db.models import Person, Practice
from server.db.types import utcnow

RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ISSUER = "Practice Inbox"


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def start_enrolment(db: Session, person: Person) -> dict[str, str]:
    """A new pending secret and its otpauth:// URI; the current factor stays until confirmed."""
    secret = pyotp.random_base32()
    person.totp_pending_secret = secret
    practice = db.get(Practice, person.practice_id)
    issuer = f"{ISSUER} ({practice.name})" if practice else ISSUER
    uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(
        name=person.username, issuer_name=issuer
    )
    return {"secret": secret, "otpauth_uri": uri}


def confirm_enrolment(db: Session, person: Person, code: str) -> list[str] | None:
    """Turn the pending secret on if `code` matches it; returns fresh recovery codes."""
    if not person.totp_pending_secret:
        return None
    candidate = Person(totp_secret=person.totp_pending_secret, totp_last_step=None)
    if not verify_totp(candidate, code):
        return None
    person.totp_secret = person.totp_pending_secret
    person.totp_last_step = candidate.totp_last_step  # the confirming code is used up
    person.totp_pending_secret = None
    return new_recovery_codes(db, person)


def new_recovery_codes(db: Session, person: Person) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.add(RecoveryCode(person_id=person.id, code_hash=_hash(raw)))
    return codes


def remove_second_factor(db: Session, person: Person) -> None:
    person.totp_secret = None
    person.totp_pending_secret = None
    person.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))


def use_recovery_code(db: Session, person: Person, code: str) -> bool:
    """Accept an unused recovery code once (claimed with one conditional update)."""
    if len(_normal(code)) != 10:
        return False
    row_id = db.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row_id is None:
        return False
    claimed = db.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    return bool(claimed == 1)


def second_factor_ok(db: Session, person: Person, code: str) -> bool:
    """A current TOTP code, or else one of the person's unused recovery codes."""
    return verify_totp(person, code) or use_recovery_code(db, person, code)
