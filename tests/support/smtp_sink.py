"""A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.postgres import free_port


class _Keeper:
    def __init__(self, delay: float = 0.0, refuse: frozenset[str] = frozenset()) -> None:
        self.delay = delay
        self.refuse = refuse
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.peers: list[Any] = []  # the client address of each message's connection
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow mail server
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port: int | None = None, delay: float = 0.0,
                 refuse: frozenset[str] = frozenset()) -> None:
        """`delay`: seconds the sink takes to accept each message; `refuse`: recipient
        addresses it answers 550 to."""
        self.port = port or free_port()
        self.keeper = _Keeper(delay, refuse)
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        self._controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.keeper.lock:
            return list(self.keeper.messages)

    @property
    def connections(self) -> int:
        """How many client connections the messages came over."""
        with self.keeper.lock:
            return len(set(self.keeper.peers))

    @property
    def recipients(self) -> list[str]:
        with self.keeper.lock:
            return [r for _, rcpts in self.keeper.envelopes for r in rcpts]
