"""Which new passwords are refused: too short, the username, or a commonly used one.

The common passwords are the 30,000 most frequent of Xato's corpus of ten million leaked
passwords, as shipped (MIT licence) in the `zxcvbn` package's frequency lists.
"""

from __future__ import annotations

from functools import cache

MIN_LENGTH = 12
MAX_LENGTH = 1000
TRAILING = "0123456789!@#$%^&*()-_=+.,?~ "


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str) -> str | None:
    """A sentence saying why `password` may not be used, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters for your password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters for your password."
    lowered = password.lower()
    if username and username.lower() in lowered:
        return "Your password may not contain your username."
    common = common_passwords()
    stem = lowered.rstrip(TRAILING)
    if lowered in common or (len(stem) >= 4 and stem in common):
        return (
            "That password is one of the most commonly used passwords (perhaps with digits "
            "added): choose one that is harder to guess."
        )
    if len(set(password)) < 4:
        return "Use a password with more different characters."
    return None
