"""Exactly once under network faults: 500 commands through a proxy that loses and stalls."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from sync.api import ApiClient
from sync.events import CommandFailed
from tests.support.live_server import LiveServer
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_truth import differences, server_mailbox
from tests.sync.traffic import signed_in

COMMANDS = 500


def _thread_id(engine, subject: str) -> str:
    """The thread's id as the cache knows it now: local until the server has made it."""
    with engine.cache.read() as conn:
        # The server's copy may already be here while the local one waits for its answer.
        return conn.exec_driver_sql("SELECT id FROM threads WHERE subject = ? AND hidden = 0 "
                                    "ORDER BY local LIMIT 1", (subject,)).scalar_one()


@pytest.mark.slow
def test_500_commands_through_faults_are_applied_exactly_once(
        live_server: LiveServer, make_engine) -> None:
    rivera = signed_in(live_server, "dr.rivera")
    alex_id = live_server.person_id("alex")
    proxy = FaultProxy(live_server.port, seed=3, stall_seconds=3.0).start()
    proxy.set_faults(pass_=84, drop_before=5, drop_after=5, bad_gateway=5, stall=1)
    faulty = ApiClient(proxy.url, rivera.token, read_timeout=1.5, poll_grace=1.0)
    engine, events = make_engine(faulty, retry_base=0.02, retry_cap=0.2)
    rng = random.Random(7)
    try:
        tokens: list[str] = []
        threads: dict[str, str] = {}  # local id -> subject
        starred: dict[str, bool] = {}  # subject -> starred
        drafts: dict[str, str] = {}
        for n in range(COMMANDS):
            roll = rng.random()
            if not threads or roll < 0.10:
                token, subject = f"token{n:04d}", f"Faulty line {n}"
                local_id = engine.send_new([f"person:{alex_id}"], subject,
                                           f"<p>Message {token} through the proxy.</p>")
                threads[local_id] = subject
                tokens.append(token)
            elif roll < 0.70:
                token = f"token{n:04d}"
                engine.reply(rng.choice(list(threads)),
                             f"<p>Reply {token} through the proxy.</p>")
                tokens.append(token)
            elif roll < 0.90:
                subject = threads[rng.choice(list(threads))]
                local_or_real = _thread_id(engine, subject)
                starred[subject] = not starred.get(subject, False)
                engine.set_state([local_or_real], starred=starred[subject])
            else:
                draft_id = rng.choice(list(drafts) + [None])
                subject = f"Draft version {n}"
                drafts[engine.save_draft({"id": draft_id, "subject": subject})] = subject
        assert engine.wait_until_synced(240), engine.cache.outbox_items()[:3]
    finally:
        proxy.set_faults(pass_=1)

    # Every fault happened, and the engine never gave up on a command.
    assert all(proxy.counts[mode] > 0 for mode in ("drop_before", "drop_after",
                                                   "bad_gateway", "stall")), proxy.counts
    assert events.of(CommandFailed) == []
    assert engine.cache.outbox_items() == []

    truth = server_mailbox(rivera)
    seen = Counter(word for message in truth.messages.values()
                   for word in message["body_text"].split() if word.startswith("token"))
    assert {t for t, n in seen.items() if n != 1} == set()  # nothing doubled
    assert set(seen) == set(tokens)  # nothing lost
    subjects = Counter(t["subject"] for t in truth.threads.values())
    assert subjects == Counter(threads.values())
    by_subject = {t["subject"]: t["id"] for t in truth.threads.values()}
    assert {s: truth.states[by_subject[s]]["starred"] for s in starred} == starred
    assert {d["id"]: d["subject"] for d in truth.drafts.values()} == drafts
    assert differences(engine.cache, rivera) == []
    proxy.stop()
