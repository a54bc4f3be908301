"""The administration and account calls of API.md ("Accounts and administration") over an
`ApiClient`: people, invites, CSV import, the practice, the audit log, passwords and two-step
sign-in. Qt-free like the rest of sync; the desktop calls these off its GUI thread."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from sync.api import ApiClient, Json
from sync.errors import NetworkError

Progress = Callable[[int, int], None]

PERSON_FIELDS = ("kind", "username", "name", "email", "role", "status",
                 "assigned_therapist_ids", "has_portal_account", "disabled")
PRACTICE_FIELDS = ("name", "require_mfa_for_staff", "portal_notice")
AUDIT_FILTERS = ("actor_id", "target_id", "action", "from", "to")


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class _CountingReader(io.BytesIO):
    """A request body that says how much of it has been sent (requests reads it in blocks
    and learns its length from ``len``, so the upload keeps its Content-Length)."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        super().__init__(data)
        self._total = len(data)
        self._progress = progress

    def __len__(self) -> int:
        return self._total

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if self._progress is not None:
            self._progress(self.tell(), self._total)
        return chunk


class AdminApi:
    """The admin and account endpoints of one signed-in (or, for a reset, anonymous) client."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # -- people ---------------------------------------------------------------------------

    def people(self, kind: str | None = None, q: str = "", include_disabled: bool = False,
               limit: int = 200, after: str | None = None) -> Json:
        """One page of `GET /admin/people`, ordered by name: ``{"people", "next"}``."""
        params: Json = {"limit": limit}
        if kind:
            params["kind"] = kind
        if q:
            params["q"] = q
        if include_disabled:
            params["include_disabled"] = 1
        if after:
            params["after"] = after
        return self.api._object("GET", "/admin/people", params=params)

    def create_person(self, fields: Json) -> Json:
        payload = {k: v for k, v in fields.items() if k in PERSON_FIELDS and k != "disabled"}
        return self.api._object("POST", "/admin/people", json=payload)

    def update_person(self, person_id: str, fields: Json) -> Json:
        payload = {k: v for k, v in fields.items() if k in PERSON_FIELDS and k != "kind"}
        return self.api._object("PATCH", f"/admin/people/{_segment(person_id)}", json=payload)

    def invite(self, person_id: str) -> Json | None:
        """Emails a set-password link; the answer may carry the person as they are now."""
        body = self.api._call("POST", f"/admin/people/{_segment(person_id)}/invite")
        return body if isinstance(body, dict) else None

    def reset_mfa(self, person_id: str) -> None:
        self.api._call("POST", f"/admin/people/{_segment(person_id)}/reset-mfa")

    def import_clients(self, csv_bytes: bytes, dry_run: bool = False,
                       progress: Progress | None = None) -> Json:
        """`POST /admin/people/import`; a file with bad lines raises ApiError
        ``import_invalid`` whose ``problem["errors"]`` names each one."""
        params = {"dry_run": 1} if dry_run else None
        return self.api._object(
            "POST", "/admin/people/import", params=params,
            data=_CountingReader(csv_bytes, progress),
            headers={"Content-Type": "text/csv; charset=utf-8"},
            read_timeout=max(self.api.read_timeout, 120.0))

    # -- the practice ---------------------------------------------------------------------

    def practice(self) -> Json:
        return self.api._object("GET", "/admin/practice")

    def update_practice(self, fields: Json) -> Json:
        payload = {k: v for k, v in fields.items() if k in PRACTICE_FIELDS}
        return self.api._object("PATCH", "/admin/practice", json=payload)

    # -- the audit log --------------------------------------------------------------------

    @staticmethod
    def _audit_params(filters: Json) -> Json:
        return {k: v for k, v in filters.items() if k in AUDIT_FILTERS and v not in (None, "")}

    def audit(self, filters: Json, limit: int = 200, **paging: Any) -> Json:
        """One page of `GET /audit` with the filters of API.md; ``paging`` carries the cursor
        parameters (``since``, ``before``, ``order``) as the server names them."""
        params = {**self._audit_params(filters), "limit": limit}
        params.update({k: v for k, v in paging.items() if v is not None})
        return self.api._object("GET", "/audit", params=params)

    def export_audit(self, filters: Json, destination: Path,
                     progress: Progress | None = None) -> int:
        """Streams `GET /audit?format=csv` into ``destination`` (written beside it first, so
        a broken download leaves no half file); returns the bytes written."""
        params = {**self._audit_params(filters), "format": "csv"}
        partial = destination.with_name(destination.name + ".part")
        written = 0
        response = self.api._send("GET", "/audit", params=params, stream=True,
                                  headers={"Accept": "text/csv"},
                                  read_timeout=max(self.api.read_timeout, 120.0))
        try:
            with partial.open("wb") as out:
                for chunk in response.iter_content(64 * 1024):
                    out.write(chunk)
                    written += len(chunk)
                    if progress is not None:
                        progress(written, 0)
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError) as exc:
            partial.unlink(missing_ok=True)
            raise NetworkError(f"The export broke off: {exc}") from exc
        finally:
            response.close()
        partial.replace(destination)
        return written

    # -- passwords and the signed-in person -----------------------------------------------

    def request_password_reset(self, username: str) -> None:
        """`POST /auth/password-reset`: answered 202 whether or not the person exists."""
        self.api._call("POST", "/auth/password-reset", json={"username": username})

    def set_password(self, token: str, new_password: str) -> None:
        self.api._call("POST", "/auth/set-password",
                       json={"token": token, "new_password": new_password})

    def change_password(self, current_password: str, new_password: str) -> None:
        self.api._call("POST", "/account/password",
                       json={"current_password": current_password,
                             "new_password": new_password})

    def start_totp(self) -> Json:
        """A pending second factor: ``{"secret", "otpauth_uri"}``."""
        return self.api._object("POST", "/account/totp")

    def confirm_totp(self, code: str) -> list[str]:
        """Turns the pending second factor on; returns the ten recovery codes."""
        body = self.api._object("POST", "/account/totp/confirm", json={"code": code.strip()})
        return [str(c) for c in body.get("recovery_codes") or []]

    def disable_totp(self, password: str) -> None:
        self.api._call("DELETE", "/account/totp", json={"password": password})
