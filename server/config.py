"""Server settings, read from the command line or PRACTICE_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from server.db.types import utcnow


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PRACTICE_{name}", default)


@dataclass
class SmtpSettings:
    host: str | None = None
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    sender: str = "no-reply@practice-inbox.local"
    # When set, notifications are written as .eml files here instead of sent (demo mode).
    drop_dir: Path | None = None

    @classmethod
    def from_env(cls) -> SmtpSettings:
        drop = _env("SMTP_DROP_DIR")
        return cls(
            host=_env("SMTP_HOST"),
            port=int(_env("SMTP_PORT", "587") or 587),
            starttls=(_env("SMTP_STARTTLS", "1") or "1") not in ("0", "false", "no"),
            username=_env("SMTP_USER"),
            password=_env("SMTP_PASSWORD"),
            sender=_env("SMTP_SENDER", "no-reply@practice-inbox.local") or "",
            drop_dir=Path(drop) if drop else None,
        )


@dataclass
class Settings:
    data_dir: Path
    database_url: str
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    max_attachment_bytes: int = 10 * 1024 * 1024
    min_body_chars: int = 10
    max_subject_chars: int = 200
    token_idle_seconds: int = 72 * 3600
    token_max_seconds: int = 30 * 24 * 3600
    portal_idle_seconds: int = 15 * 60
    portal_max_seconds: int = 12 * 3600
    # Sign-in throttling (server.auth.throttle): per (username, address or device) pair the
    # 10th failure inside the window starts a wait that doubles with each further failure.
    login_window_seconds: int = 15 * 60
    login_failures_before_wait: int = 10
    login_first_wait_seconds: int = 60
    login_longest_wait_seconds: int = 15 * 60
    # Ceilings over the window for sign-ins without a device token.
    login_max_failures_per_user: int = 50
    login_max_failures_per_address: int = 100
    # Devices remembered per person for sign-in; the least recently used go first.
    login_devices_per_person: int = 20
    max_pending_upload_bytes: int = 200 * 1024 * 1024
    idempotency_seconds: int = 48 * 3600
    unreferenced_blob_seconds: int = 24 * 3600
    tombstone_seconds: int = 90 * 24 * 3600
    feed_page_max: int = 1000
    long_poll_max_seconds: int = 60
    email_retry_seconds: tuple[int, ...] = (5, 30, 120, 600, 1800)
    # The address clients and staff reach this server at (scheme, host, port): the base of every
    # portal link. Unset, it is the address the server listens on (set when serving starts).
    public_url: str | None = None
    # How long a process may hold an outbox row it is sending before another may take it;
    # renewed before each email, so longer than one SMTP delivery can take.
    email_lease_seconds: float = 300
    # After a send wakes the email worker, how long it lets the next sends queue theirs, so
    # that one claim of the outbox and one SMTP connection serve them all.
    email_gather_seconds: float = 0.25
    run_workers: bool = True
    # Read the next page of a feed while the client takes in the last (server.feed.read_ahead).
    feed_read_ahead: bool = True
    # Addresses whose X-Forwarded-For/-Proto are believed (uvicorn's forwarded_allow_ips);
    # empty means forwarded headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Behind a TLS-terminating proxy: requests that did not come over HTTPS are refused.
    behind_proxy: bool = False
    # Served over TLS directly (`serve --tls-cert/--tls-key`).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Lifetimes of the links to set a password, and the clock they are judged by (tests move it).
    invite_link_seconds: int = 72 * 3600
    reset_link_seconds: int = 3600
    clock: Callable[[], datetime] = utcnow
    # Hostile input and load (API.md "Limits, throttling and hostile input").
    max_json_bytes: int = 1024 * 1024
    max_body_html_bytes: int = 256 * 1024
    max_body_depth: int = 64
    max_body_elements: int = 20_000
    # Database connections: a request that waits longer than this for one gets 503.
    db_pool_size: int = 20
    db_pool_overflow: int = 20
    db_wait_seconds: float = 5.0
    # Requests that may write, handled at once (server.transport.write_gate).
    write_slots: int = 4
    # Connections (server.http.guard).
    header_seconds: float = 10.0
    body_seconds: float = 60.0
    upload_min_bytes_per_second: int = 64 * 1024
    keep_alive_seconds: float = 30.0
    max_connections_per_address: int = 200
    over_cap_grace_seconds: float = 10.0

    def portal_url(self, slug: str) -> str:
        """The practice's client portal: {public URL}/portal/{slug}/ (PORTAL.md)."""
        base = (self.public_url or "http://127.0.0.1:8765").rstrip("/")
        return f"{base}/portal/{slug}/"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @classmethod
    def build(
        cls,
        data_dir: str | Path | None = None,
        database_url: str | None = None,
        **overrides: object,
    ) -> Settings:
        """Settings from explicit values, falling back to the environment, then defaults."""
        data = Path(data_dir or _env("DATA_DIR") or Path.cwd() / "practice-data").resolve()
        url = database_url or _env("DATABASE_URL") or f"sqlite:///{data / 'practice.db'}"
        settings = cls(data_dir=data, database_url=url, smtp=SmtpSettings.from_env(),
                       feed_read_ahead=_env("FEED_READ_AHEAD", "1") != "0",
                       public_url=_env("PUBLIC_URL") or None)
        for key, value in overrides.items():
            setattr(settings, key, value)
        return settings

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir.mkdir(parents=True, exist_ok=True)
