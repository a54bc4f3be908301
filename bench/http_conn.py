"""A minimal keep-alive HTTP/1.1 client over one asyncio connection, for load generators.

A thousand clients each hold a connection of their own, as desktops do; a pooled client
library would spend the load generator's CPU searching its pool instead. Answers must carry
Content-Length (every JSON answer of the server does).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit

import orjson


class HttpError(Exception):
    pass


class Connection:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Host": f"{self.host}:{self.port}", **headers}
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, *, params: dict[str, object] | None = None,
                      json: object = None, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """(status, body); raises HttpError when the connection fails (and drops it)."""
        if json is not None:
            body = orjson.dumps(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        target = self.prefix + path + (f"?{urlencode(params)}" if params else "")
        lines = [f"{method} {target} HTTP/1.1",
                 *(f"{k}: {v}" for k, v in {**self.headers, **(headers or {})}.items()),
                 f"Content-Length: {len(body)}", "", ""]
        try:
            if self._streams is None:
                self._streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self._streams
            writer.write("\r\n".join(lines).encode() + body)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionResetError("closed by the server")
            status = int(status_line.split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            data = await reader.readexactly(length)
            if close:
                self.close()
            return status, data
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            self.close()
            raise HttpError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
