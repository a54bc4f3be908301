"""Optional TOTP second factor; a code is accepted once only."""

from __future__ import annotations

import time

import pyotp

from server.db.models import Person

STEP = 30


def verify_totp(person: Person, code: str) -> bool:
    """Accept a current (±1 step) code whose time step is newer than the last one used."""
    if not person.totp_secret or not code:
        return False
    totp = pyotp.TOTP(person.totp_secret, interval=STEP)
    now_step = int(time.time()) // STEP
    for step in (now_step - 1, now_step, now_step + 1):
        if totp.at(step * STEP) == code.strip():
            if person.totp_last_step is not None and step <= person.totp_last_step:
                return False
            person.totp_last_step = step
            return True
    return False
