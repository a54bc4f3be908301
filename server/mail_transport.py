"""Handing notification emails to the mail server: one SMTP connection for a batch of them.

Opening a connection costs a TCP handshake, EHLO, STARTTLS (a TLS handshake) and a login: for a
batch of notifications that is most of the work, so the connection is opened for the first
email of a batch and used for the rest. A failed send closes it, so the next email of the
batch starts on a fresh one. In demo mode (`drop_dir`) each email is written there as a file.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from types import TracebackType

from server.config import SmtpSettings

SMTP_TIMEOUT_SECONDS = 20


class MailTransport:
    """Use as a context manager around one batch; `send` raises OSError or SMTPException."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> MailTransport:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def send(self, msg: EmailMessage, name: str) -> None:
        """Sends `msg`; in demo mode writes it as `name`.eml instead."""
        smtp = self._smtp
        if smtp.drop_dir is not None:
            smtp.drop_dir.mkdir(parents=True, exist_ok=True)
            (smtp.drop_dir / f"{name}.eml").write_bytes(bytes(msg))
            return
        try:
            self._connected().send_message(msg)
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def _connected(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        smtp = self._smtp
        if not smtp.host:
            raise OSError("no SMTP server is configured")
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
        except BaseException:
            client.close()
            raise
        self._client = client
        return client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
