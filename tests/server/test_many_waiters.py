"""One server process holds 1,000 waiting long polls and still answers everyone else."""

from __future__ import annotations

import asyncio
import time
import uuid

from tests.support.api_client import Api

WAITERS = 1000


async def _open_long_poll(
    port: int, token: str, cursor: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/changes?since={cursor}&wait=30 HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    return reader, writer


async def _status_and_body(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    raw = await reader.read()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_thousand_waiting_long_polls(api: Api) -> None:
    server = api.server
    rivera = api.as_("dr.rivera")
    alex = api.as_("alex")
    cursor = rivera.changes()["cursor"]

    async def scenario() -> tuple[float, float, list[int], list[bytes]]:
        polls = await asyncio.gather(
            *(_open_long_poll(server.port, rivera.token, cursor) for _ in range(WAITERS))
        )
        deadline = time.monotonic() + 60
        while server.ctx.hub.waiting < WAITERS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert server.ctx.hub.waiting == WAITERS

        started = time.monotonic()
        session = await asyncio.to_thread(alex.get, "/session")
        answered_in = time.monotonic() - started
        assert session.status_code == 200

        sent = await asyncio.to_thread(
            alex.post,
            "/threads",
            {
                "to": [f"person:{rivera.id}"],
                "subject": "Wake everyone",
                "body_html": "<p>One message wakes every waiting poll.</p>",
            },
            str(uuid.uuid4()),
        )
        assert sent.status_code == 201, sent.text
        sent_at = time.monotonic()
        results = await asyncio.gather(*(_status_and_body(r) for r, _ in polls))
        all_woken_in = time.monotonic() - sent_at
        for _, writer in polls:
            writer.close()
        return answered_in, all_woken_in, [s for s, _ in results], [b for _, b in results]

    answered_in, all_woken_in, statuses, bodies = asyncio.run(scenario())
    assert statuses == [200] * WAITERS
    assert all(b'"Wake everyone"' in body for body in bodies)
    # Functional bounds only (timings are measured in bench/): nobody waited for the 30 s poll.
    assert answered_in < 10
    assert all_woken_in < 20
