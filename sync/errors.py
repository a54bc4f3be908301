"""The exceptions the sync package raises: server refusals, network failures, bad answers."""

from __future__ import annotations


class ApiError(Exception):
    """The server refused (problem+json): `code` is stable, `detail` is a sentence for people,
    `problem` the whole answer (some carry more, such as an import's bad lines)."""

    def __init__(
        self, status: int, code: str, detail: str, retry_after: float | None = None,
        problem: dict | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after
        self.problem = problem or {}

    @property
    def retryable(self) -> bool:
        """True for answers that say "try again later" rather than "no"."""
        return self.status >= 500 or self.status in (408, 429)

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.detail!r})"


class NetworkError(Exception):
    """The server could not be reached or did not answer in time; the request may be retried.
    `timed_out`: it was reached, or may have been, but did not answer in time."""

    def __init__(self, reason: str, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class TlsError(NetworkError):
    """The server's certificate was not accepted; `kind` (a sync.tls.TlsProblem) says why.

    Never answered by retrying over plain HTTP or without verification."""

    def __init__(self, reason: str, kind: object) -> None:
        super().__init__(reason)
        self.kind = kind


class ProtocolError(Exception):
    """The server answered, but not in the shape API.md describes (bad JSON, missing fields)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InsecureServerAddress(ValueError):
    """A plain http:// address that is not this machine: refused, PHI never travels unencrypted."""
