"""The HTTP client of the practice server API (API.md): one method per endpoint.

Each thread's calls go over a `requests.Session` of that thread (requests does not promise a
session is safe across threads), with explicit connect and read timeouts (the
long poll gets its wait plus a grace period, and may go over a connection of its own that
can be cut, see sync.poll_line). Error answers become `ApiError`, failures to
reach the server `NetworkError`, answers that are not the JSON API.md promises
`ProtocolError`. Plain http:// is refused unless the server is on this machine.
"""

from __future__ import annotations

import email.utils
import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import quote, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter

from sync.device_tokens import DeviceTokens
from sync.errors import ApiError, InsecureServerAddress, NetworkError, ProtocolError
from sync.poll_line import PollLine
from sync.tls import tls_error

__all__ = ["ApiClient", "ApiError", "NetworkError", "ProtocolError", "InsecureServerAddress"]

API_PREFIX = "/api/v1"
USER_AGENT = "PracticeInbox/0.1"
Json = dict[str, Any]


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(base_url: str) -> str:
    """The API root (".../api/v1") of a server address; refuses insecure or odd addresses."""
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{base_url!r} is not a server address (expected https://host).")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InsecureServerAddress(
            f"{base_url} uses plain http://; only https:// is allowed for a server that is "
            "not on this computer."
        )
    if not url.endswith(API_PREFIX):
        url += API_PREFIX
    return url


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_from(response: requests.Response) -> ApiError:
    retry_after = _retry_after(response.headers.get("Retry-After"))
    body: Any = None
    try:
        body = orjson.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        detail = body.get("detail")
        if not isinstance(detail, str) or not detail:
            detail = f"The server refused the request ({body['code']})."
        return ApiError(response.status_code, body["code"], detail, retry_after, body)
    reason = response.reason or "error"
    return ApiError(
        response.status_code,
        f"http_{response.status_code}",
        f"The server answered {response.status_code} {reason}.",
        retry_after,
    )


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class ApiClient:
    """A signed-in (or not yet) connection to one practice server."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        poll_grace: float = 15.0,
        verify: bool | str = True,
        device_tokens: DeviceTokens | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.token = token
        self.device_tokens = device_tokens or DeviceTokens()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.poll_grace = poll_grace
        self.verify = verify  # True (the system's CAs) or the path of a CA file to trust
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _configure(self, session: requests.Session, adapter: HTTPAdapter) -> None:
        session.verify = self.verify
        session.trust_env = False
        session.headers["User-Agent"] = USER_AGENT
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    def poll_line(self) -> PollLine:
        """A connection of its own for long polls (`changes(..., line=...)`), which another
        thread can cut to end a poll at once; close it when done."""
        return PollLine(self._configure)

    @property
    def _session(self) -> requests.Session:
        """The calling thread's session, made on its first call."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._configure(
                session, HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
            )
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def sessions_made(self) -> int:
        """How many threads have called the server through this client."""
        with self._sessions_lock:
            return len(self._sessions)

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    # -- plumbing -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        data: Any = None,
        read_timeout: float | None = None,
        stream: bool = False,
        line: PollLine | None = None,
    ) -> requests.Response:
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if headers:
            all_headers.update(headers)
        timeout = (self.connect_timeout, read_timeout or self.read_timeout)
        try:
            session = self._session if line is None else line.session
            response = session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                data=data,
                headers=all_headers,
                timeout=timeout,
                stream=stream,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise tls_error(exc) from exc
        except requests.exceptions.Timeout as exc:
            raise NetworkError("The server did not answer in time.", timed_out=True) from exc
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise NetworkError(f"The server could not be reached: {exc}") from exc
        if response.status_code >= 400 or (300 <= response.status_code < 400):
            try:
                raise _error_from(response)
            finally:
                response.close()
        return response

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Sends a request and returns its JSON body (None for an empty answer)."""
        response = self._send(method, path, **kwargs)
        try:
            if response.status_code == 204 or not response.content:
                return None
            try:
                return orjson.loads(response.content)
            except ValueError as exc:
                raise ProtocolError(
                    f"The server's answer to {method} {path.split('?')[0]} is not valid JSON."
                ) from exc
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError) as exc:
            raise NetworkError(f"The connection broke while reading the answer: {exc}") from exc
        finally:
            response.close()

    def _object(self, method: str, path: str, **kwargs: Any) -> Json:
        body = self._call(method, path, **kwargs)
        if not isinstance(body, dict):
            raise ProtocolError(f"The server's answer to {method} {path} is not a JSON object.")
        return body

    @staticmethod
    def _idempotent(key: str | None) -> dict[str, str] | None:
        return {"Idempotency-Key": key} if key else None

    # -- auth -----------------------------------------------------------------------------

    def login(self, username: str, password: str, totp_code: str | None = None) -> Json:
        """Sign in, sending the device token of this device's last success for `username`
        (so failures made elsewhere never hold it up) and keeping the one answered."""
        payload: Json = {"username": username, "password": password}
        if totp_code:
            payload["totp_code"] = totp_code
        device_token = self.device_tokens.get(self.base_url, username)
        if device_token:
            payload["device_token"] = device_token
        body = self._object("POST", "/auth/login", json=payload)
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise ProtocolError("The server's sign-in answer carries no token.")
        self.token = token
        answered = body.get("device_token")
        if isinstance(answered, str) and answered and answered != device_token:
            self.device_tokens.put(self.base_url, username, answered)
        return body

    def logout(self) -> None:
        try:
            self._call("POST", "/auth/logout")
        finally:
            self.token = None

    def session(self) -> Json:
        return self._object("GET", "/session")

    def directory(self) -> Json:
        return self._object("GET", "/directory")

    # -- the change feed ------------------------------------------------------------------

    def changes(self, since: str | None = None, limit: int = 500, wait: float = 0,
                *, line: PollLine | None = None) -> Json:
        """A page of the change feed; with a wait, a long poll (sent over `line` if given,
        so that it can be cut, see poll_line)."""
        seconds = max(0.0, min(60.0, float(wait)))
        params: Json = {"limit": limit, "wait": int(seconds) if seconds.is_integer() else seconds}
        if since:
            params["since"] = since
        return self._object(
            "GET", "/changes", params=params, read_timeout=wait + self.poll_grace, line=line
        )

    def snapshot(self, limit: int = 200, messages: int = 10) -> Json:
        """The newest `limit` threads of each folder with their newest `messages` messages
        (an ApiError with status 404 from a server that has no snapshot)."""
        return self._object("GET", "/snapshot", params={"limit": limit, "messages": messages})

    # -- threads and messages -------------------------------------------------------------

    def create_thread(
        self,
        to: list[str],
        subject: str,
        body_html: str,
        attachment_ids: list[str],
        draft_id: str | None = None,
        *,
        idempotency_key: str,
    ) -> Json:
        payload: Json = {
            "to": to,
            "subject": subject,
            "body_html": body_html,
            "attachment_ids": attachment_ids,
        }
        if draft_id:
            payload["draft_id"] = draft_id
        return self._object(
            "POST", "/threads", json=payload, headers=self._idempotent(idempotency_key)
        )

    def add_message(
        self,
        thread_id: str,
        body_html: str,
        attachment_ids: list[str],
        draft_id: str | None = None,
        *,
        idempotency_key: str,
    ) -> Json:
        payload: Json = {"body_html": body_html, "attachment_ids": attachment_ids}
        if draft_id:
            payload["draft_id"] = draft_id
        return self._object(
            "POST",
            f"/threads/{_segment(thread_id)}/messages",
            json=payload,
            headers=self._idempotent(idempotency_key),
        )

    def threads(self, folder: str = "inbox", limit: int = 50, before: str | None = None) -> Json:
        params: Json = {"folder": folder, "limit": limit}
        if before:
            params["before"] = before
        return self._object("GET", "/threads", params=params)

    def thread(self, thread_id: str) -> Json:
        return self._object("GET", f"/threads/{_segment(thread_id)}")

    @staticmethod
    def _state_fields(folder: str | None, unread: bool | None, starred: bool | None) -> Json:
        fields: Json = {}
        if folder is not None:
            fields["folder"] = folder
        if unread is not None:
            fields["unread"] = unread
        if starred is not None:
            fields["starred"] = starred
        return fields

    def set_thread_state(
        self,
        thread_id: str,
        folder: str | None = None,
        unread: bool | None = None,
        starred: bool | None = None,
    ) -> Json:
        return self._object(
            "PATCH",
            f"/threads/{_segment(thread_id)}/state",
            json=self._state_fields(folder, unread, starred),
        )

    def set_thread_states(
        self,
        thread_ids: list[str],
        folder: str | None = None,
        unread: bool | None = None,
        starred: bool | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Json:
        payload = {"thread_ids": thread_ids, **self._state_fields(folder, unread, starred)}
        return self._object(
            "POST", "/threads/state", json=payload, headers=self._idempotent(idempotency_key)
        )

    def delete_message(self, message_id: str) -> None:
        self._call("DELETE", f"/messages/{_segment(message_id)}")

    def delete_thread(self, thread_id: str) -> None:
        self._call("DELETE", f"/threads/{_segment(thread_id)}")

    def quick_note(self, thread_id: str, body: str, *, idempotency_key: str | None = None) -> Json:
        return self._object(
            "POST",
            f"/threads/{_segment(thread_id)}/quick-note",
            json={"body": body},
            headers=self._idempotent(idempotency_key),
        )

    # -- clients --------------------------------------------------------------------------

    def client_notes(self, client_id: str) -> Json:
        return self._object("GET", f"/clients/{_segment(client_id)}/notes")

    def set_client_status(self, client_id: str, status: str) -> Json:
        return self._object("PATCH", f"/clients/{_segment(client_id)}", json={"status": status})

    # -- folders --------------------------------------------------------------------------

    def folders(self) -> Json:
        return self._object("GET", "/folders")

    def create_folder(self, name: str, *, idempotency_key: str | None = None) -> Json:
        return self._object(
            "POST", "/folders", json={"name": name}, headers=self._idempotent(idempotency_key)
        )

    def rename_folder(self, folder_id: str, name: str) -> Json:
        return self._object("PATCH", f"/folders/{_segment(folder_id)}", json={"name": name})

    def delete_folder(self, folder_id: str) -> None:
        self._call("DELETE", f"/folders/{_segment(folder_id)}")

    # -- drafts ---------------------------------------------------------------------------

    def drafts(self) -> Json:
        return self._object("GET", "/drafts")

    def put_draft(self, draft: Json) -> Json:
        fields = ("to", "subject", "body_html", "attachment_ids", "thread_id")
        payload = {name: draft[name] for name in fields if name in draft}
        return self._object("PUT", f"/drafts/{_segment(draft['id'])}", json=payload)

    def delete_draft(self, draft_id: str) -> None:
        self._call("DELETE", f"/drafts/{_segment(draft_id)}")

    # -- blobs ----------------------------------------------------------------------------

    def upload_blob(
        self,
        body: IO[bytes],
        filename: str,
        content_type: str,
        *,
        idempotency_key: str | None = None,
    ) -> Json:
        """Streams `body` (a file-like object whose length requests can tell) as a new blob."""
        headers = {"Content-Type": content_type, "X-Filename": quote(filename, safe="")}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._object("POST", "/blobs", data=body, headers=headers)

    def delete_blob(self, blob_id: str) -> None:
        """Removes one's own upload that no sent message carries (taken off a draft)."""
        self._call("DELETE", f"/blobs/{_segment(blob_id)}")

    @contextmanager
    def download_blob(self, blob_id: str) -> Iterator[requests.Response]:
        """The streamed answer of GET /blobs/{id}; read it with `iter_content`."""
        response = self._send("GET", f"/blobs/{_segment(blob_id)}", stream=True)
        try:
            yield response
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError) as exc:
            raise NetworkError(f"The download broke off: {exc}") from exc
        finally:
            response.close()

    # -- audit ----------------------------------------------------------------------------

    def audit(self, since: int | None = None, limit: int = 100) -> Json:
        params: Json = {"limit": limit}
        if since is not None:
            params["since"] = since
        return self._object("GET", "/audit", params=params)
