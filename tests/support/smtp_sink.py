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
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow mail server
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        """`delay`: seconds the sink takes to accept each message."""
        self.port = port or free_port()
        self.keeper = _Keeper(delay)
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
    def recipients(self) -> list[str]:
        with self.keeper.lock:
            return [r for _, rcpts in self.keeper.envelopes for r in rcpts]
