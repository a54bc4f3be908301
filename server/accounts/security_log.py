"""The server's own security log: failed sign-ins that belong to no practice.

Logger `practice.security`; it reaches the server's log output and `security.log` in the data
folder, where the operator looks. Each line: time, address and the username tried.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("practice.security")
_FORMAT = "%(asctime)s %(message)s"


def install(data_dir: Path) -> logging.Handler:
    """Add the data folder's security.log as a destination; `uninstall` it when serving ends."""
    path = (data_dir / "security.log").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def uninstall(handler: logging.Handler) -> None:
    log.removeHandler(handler)
    handler.close()


def unknown_username(username: str, address: str) -> None:
    # repr() keeps a username with newlines or escapes on one line of the log.
    log.warning("failed sign-in for unknown username %r from %s", username[:100], address)
