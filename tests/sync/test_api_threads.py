"""The API client gives each thread a `requests.Session` of its own (requests does not promise
a session is safe across threads): pull, push, prefetch, blobs and the GUI each call over
theirs, and closing the client closes them all."""

from __future__ import annotations

import threading

from sync.api import ApiClient
from tests.support.live_server import LiveServer


def test_each_thread_calls_over_a_session_of_its_own(live_server: LiveServer) -> None:
    api = ApiClient(live_server.url, live_server.token("dr.rivera"))
    assert api.session()["user"]["username"] == "dr.rivera"
    assert api.directory()["people"]
    assert api.sessions_made() == 1  # one thread, many calls: one session

    seen: list[str] = []

    def call() -> None:
        seen.append(api.session()["user"]["username"])
        seen.append(api.session()["user"]["username"])

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert seen == ["dr.rivera"] * 6
    assert api.sessions_made() == 4

    api.close()
    assert api.sessions_made() == 0
    assert api.session()["user"]["username"] == "dr.rivera"  # usable again after close
    api.close()
