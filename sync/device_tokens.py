"""The device token of the last successful sign-in, per server and username.

The server answers one with every sign-in; sending it back at the next sign-in means that
sign-in is throttled only by this device's own failures, never by failures other people
make elsewhere (API.md, Auth). It is not a secret that unlocks anything alone, so it lives
in a small JSON file in the settings folder rather than the keyring. A file that cannot be
read or written only costs that protection, never the sign-in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs

FILE_NAME = "device-tokens.json"
MAX_ENTRIES = 50


def _key(server: str, username: str) -> str:
    return f"{server.rstrip('/')} {username.strip().lower()}"


class DeviceTokens:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(platformdirs.user_config_dir("practice-inbox")) / FILE_NAME

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def get(self, server: str, username: str) -> str | None:
        return self._read().get(_key(server, username))

    def put(self, server: str, username: str, token: str) -> None:
        entries = self._read()
        key = _key(server, username)
        entries.pop(key, None)
        entries[key] = token  # newest last; the oldest are dropped past MAX_ENTRIES
        kept = dict(list(entries.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".part")
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                      encoding="utf-8") as out:
                json.dump(kept, out, indent=1)
            os.replace(partial, self.path)
        except OSError:
            pass
