"""A signed-in session: the API client, the encrypted cache, the sync engine and the attachment
cache of one account, plus what the windows ask of them (limits, people, attachments)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop.engine_bridge import EngineBridge
from desktop.models.recipient_model import Recipient, recipients_from
from desktop.notices import Notices
from desktop.settings import AppSettings
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.blobs import BlobCache
from sync.cache import Cache
from sync.cache.rows import AttachmentRow, PersonRow
from sync.events import Change

log = logging.getLogger(__name__)


def account_name(server_url: str, username: str) -> str:
    """Names one sign-in in the keyring and on disk: "dr.rivera@https://host:port"."""
    parts = urlsplit(server_url.strip().rstrip("/"))
    return f"{username}@{parts.scheme}://{parts.netloc}"


def account_dir(data_root: Path, account: str) -> Path:
    return data_root / hashlib.sha256(account.encode()).hexdigest()[:24]


@dataclass
class Session:
    server_url: str
    account: str
    user: dict
    api: ApiClient
    cache: Cache
    blob_cache: BlobCache
    settings: AppSettings
    runner: TaskRunner
    notices: Notices
    bridge: EngineBridge
    key_in_memory: bool = False
    key_wrapped: bool = False  # no keyring: the cache key is wrapped with the password
    server_session: dict = field(default_factory=dict)
    _people: dict[str, PersonRow] | None = None

    _limits: dict | None = None
    _capabilities: dict | None = None

    # what windows ask ------------------------------------------------------------------------
    def limits(self) -> dict:
        """The server's limits as known now: from /session once fetched, else as cached; {}
        before the first sync has fetched them. Editors ask again on ``bridge.limitsChanged``."""
        if not self._limits:
            self._limits = self._known("limits", self.cache.limits)
        return dict(self._limits)

    def capabilities(self) -> dict:
        """What the server lets this person do (its `capabilities`), as known now: from
        /session once fetched, else as cached; {} before the first sync has fetched them, so
        nothing is offered yet. Views ask again on ``bridge.capabilitiesChanged``."""
        if not self._capabilities:
            self._capabilities = self._known("capabilities", self.cache.capabilities)
        return dict(self._capabilities)

    def _known(self, key: str, cached: Callable[[], dict]) -> dict:
        known = dict(self.server_session.get(key) or {})
        if not known:
            try:
                known = dict(cached() or {})
            except Exception:
                log.exception("reading the cached %s failed", key)
        return known

    def set_server_session(self, answer: dict) -> None:
        self.server_session = dict(answer)
        self._take_limits(answer.get("limits"))
        self._take_capabilities(answer.get("capabilities"))

    def refresh_from_cache(self) -> None:
        """Reads the limits and capabilities the engine has just cached (off the GUI
        thread)."""
        self.runner.run(lambda: (self.cache.limits(), self.cache.capabilities()),
                        self._take_cached,
                        lambda error: log.info("limits not read: %s", error))

    def _take_cached(self, read: tuple[dict, dict]) -> None:
        self._take_limits(read[0])
        self._take_capabilities(read[1])

    def _take_limits(self, limits: dict | None) -> None:
        if limits and dict(limits) != self._limits:
            self._limits = dict(limits)
            self.bridge.limitsChanged.emit()

    def _take_capabilities(self, capabilities: dict | None) -> None:
        if capabilities and dict(capabilities) != self._capabilities:
            self._capabilities = dict(capabilities)
            self.bridge.capabilitiesChanged.emit()

    def people_by_id(self) -> dict[str, PersonRow]:
        if self._people is None:
            self._people = {p["id"]: p.copy() for p in self.cache.people()}
        return dict(self._people)

    def forget_people(self) -> None:
        self._people = None

    def recipients(self) -> list[Recipient]:
        return recipients_from(list(self.people_by_id().values()), list(self.cache.groups()),
                               self.user.get("id"))

    def check_attachment(self, path: Path) -> str | None:
        from sync.blobs import check_attachment

        return check_attachment(path, self.limits())

    def upload_attachment(self, path: Path, progress: Any = None) -> dict:
        """Keep an encrypted copy and queue its upload (works offline); the engine reports
        the upload's progress as UploadProgress events under the returned local id.

        Called on a reader: the copy is made there, and the outbox is written by the single
        writer, in order with every other command."""
        engine = self.bridge.engine
        if engine is None:
            raise RuntimeError("syncing has stopped")
        staged = engine.stage_attachment(path)
        return dict(self.runner.on_writer(lambda: engine.queue_upload(staged)))

    def discard_attachment(self, attachment_id: str) -> None:
        """An attachment taken off a draft: its upload is removed from the server, in the
        background (the engine queues it, so it works offline too)."""
        engine = self.bridge.engine
        if engine is not None:
            self.runner.run(lambda: engine.discard_upload(attachment_id))

    def open_attachment(self, attachment: AttachmentRow) -> Path:
        return Path(self.blob_cache.open_path(dict(attachment)))

    # lifetime ----------------------------------------------------------------------------------
    def close(self) -> None:
        self.bridge.stop()
        for closer in (getattr(self.blob_cache, "cleanup", None),
                       getattr(self.cache, "close", None), getattr(self.api, "close", None)):
            if closer is None:
                continue
            try:
                closer()
            except Exception:
                log.exception("closing the session failed")


def open_session(
    *,
    server_url: str,
    username: str,
    api: Any,
    user: dict,
    data_root: Path,
    settings: AppSettings,
    runner: TaskRunner,
    notices: Notices,
    allow_memory_key: bool = False,
    key: bytes | None = None,
    key_created: bool = False,
) -> Session:
    """Open (or create) the account's encrypted cache and wire a sync engine to it.

    The cache key is `key` when the caller has it (unwrapped with the password where there is
    no keyring; `key_created` when it was made just now), else it comes from the OS keyring.
    Only ``allow_memory_key`` (the demo) may fall back to a key held in memory when there is no
    keyring; otherwise KeyringUnavailable propagates.
    """
    from sync.blobs import BlobCache
    from sync.cache import Cache
    from sync.engine import SyncEngine
    from sync.keys import KeyringUnavailable, cache_key, existing_cache_key

    account = account_name(server_url, username)
    key_in_memory, key_was_missing, key_wrapped = False, key_created, key is not None
    if key is None:
        try:
            key = existing_cache_key(account)
            if key is None:
                key, key_was_missing = cache_key(account), True
        except KeyringUnavailable:
            if not allow_memory_key:
                raise
            key, key_in_memory, key_was_missing = os.urandom(32), True, True
    folder = account_dir(data_root, account)
    folder.mkdir(parents=True, exist_ok=True)
    cache = Cache.open(folder / "cache.db", key, key_was_missing=key_was_missing)
    if cache.rebuilt_reason:
        notices.info.emit(cache.rebuilt_reason)
    cap = int(settings.get("cache/attachment_cap_mb")) * 1024 * 1024
    blob_cache = BlobCache(folder / "attachments", key, cap, api=api)
    bridge = EngineBridge(runner, notices)
    engine = SyncEngine(cache, api, listener=bridge.deliver, blob_cache=blob_cache)
    bridge.attach(engine)
    session = Session(
        server_url=server_url, account=account, user=dict(user), api=api, cache=cache,
        blob_cache=blob_cache, settings=settings, runner=runner, notices=notices, bridge=bridge,
        key_in_memory=key_in_memory, key_wrapped=key_wrapped,
    )
    bridge.cacheChanged.connect(
        lambda kinds, _ids: session.refresh_from_cache() if Change.SESSION in kinds else None)
    if key_in_memory:
        notices.persistent.emit("memory-key", notices.tr(
            "No keyring service: this demo's cache key is kept in memory only"))
    return session

