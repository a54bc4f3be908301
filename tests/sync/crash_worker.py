"""The engine in a process of its own, for the crash test to kill at random moments.

Arguments: server URL, cache file, cache key (hex), bearer token, number of messages,
the recipient's person id. It syncs, queues each message not yet queued (the cache says
which: a queued message is in it from the moment it is queued), prints "started",
"queued <n>" and finally "done" once the server has everything.
"""

from __future__ import annotations

import random
import sys
import time

from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine


def token(n: int) -> str:
    return f"crash{n:03d}"


def subject(n: int) -> str:
    return f"Crash thread {n}"


def queued(cache: Cache, n: int) -> bool:
    with cache.read() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM messages WHERE body_text LIKE ? LIMIT 1",
                                    (f"%{token(n)}%",)).first() is not None


def thread_of(cache: Cache, n: int) -> str:
    with cache.read() as conn:
        # The server's copy may already be here while the local one waits for its answer.
        return conn.exec_driver_sql("SELECT id FROM threads WHERE subject = ? ORDER BY local "
                                    "LIMIT 1", (subject(n),)).scalar_one()


def main() -> None:
    url, path, key_hex, bearer, total, recipient = sys.argv[1:7]
    cache = Cache.open(path, bytes.fromhex(key_hex))
    api = ApiClient(url, bearer, read_timeout=10)
    engine = SyncEngine(cache, api, None, page_limit=1, poll_wait=1.0, retry_base=0.05,
                        retry_cap=0.5)
    engine.start()
    print("started", flush=True)
    rng = random.Random()
    for n in range(int(total)):
        if queued(cache, n):
            continue
        if n % 4 == 0:
            engine.send_new([f"person:{recipient}"], subject(n),
                            f"<p>First message {token(n)} of a crash-tested thread.</p>")
        else:
            engine.reply(thread_of(cache, n - n % 4), f"<p>Reply {token(n)} after crashes.</p>")
        print(f"queued {n}", flush=True)
        time.sleep(rng.uniform(0.02, 0.1))
    if engine.wait_until_synced(120):
        print("done", flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main()
