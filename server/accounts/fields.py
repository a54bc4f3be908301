"""Checks of the fields a person is made of, shared by the admin API and the CSV import.

Each returns a sentence saying what is wrong, or None.
"""

from __future__ import annotations

import re

from server.rules import STAFF_ROLES

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
CLIENT_STATUSES = ("active", "inactive")


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return (
            "A username has 3 to 64 characters: letters, digits, dots, hyphens and underscores."
        )
    return None


def name_problem(name: str) -> str | None:
    if not name.strip():
        return "Enter the person's name."
    if len(name.strip()) > 200:
        return "A name has at most 200 characters."
    return None


def email_problem(email: str) -> str | None:
    if len(email) > 254 or not EMAIL.fullmatch(email.strip()):
        return "Enter an email address such as name@example.org."
    return None


def role_problem(role: str | None) -> str | None:
    if role not in STAFF_ROLES:
        return "A staff member's role is one of " + ", ".join(STAFF_ROLES) + "."
    return None


def status_problem(status: str | None) -> str | None:
    if status not in CLIENT_STATUSES:
        return "A client's status is active or inactive."
    return None


def username_from(email: str, name: str, taken: set[str]) -> str:
    """A free username made from the email's local part (or the name)."""
    base = re.sub(r"[^a-z0-9._-]+", ".", email.split("@")[0].lower()).strip("._-")
    if len(base) < 3:
        base = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "client"
    base = base[:56].ljust(3, "0")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate
