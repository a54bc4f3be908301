"""Random operations, network faults and restarts (hypothesis): nothing lost, nothing doubled.

After every `settle` (and at the end) the network is healed, the engine must drain its
outbox, and the cache must equal the server, with each message sent exactly once.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sync import keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.events import CommandFailed
from tests.support.live_server import LiveServer
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_truth import differences, server_mailbox
from tests.sync.traffic import signed_in

NETWORKS = {
    "healthy": {"pass_": 1},
    "flaky": {"pass_": 6, "drop_before": 1, "drop_after": 1, "bad_gateway": 1},
    "down": {"drop_before": 1},
}


def machine_for(server: LiveServer, rivera: ApiClient, folder: Path,
                totals: Counter[str]) -> type:
    runs = itertools.count()

    class SyncMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.run = next(runs)
            self.alex = server.person_id("alex")
            self.proxy = FaultProxy(server.port, seed=self.run, stall_seconds=2.0).start()
            self.path = folder / f"machine-{self.run}.db"
            self.key = keys.cache_key(f"machine-{self.run}")
            self.failures: list[CommandFailed] = []
            self.sent: list[str] = []
            self.subjects: list[str] = []
            self.drafts: set[str] = set()
            self.serial = itertools.count()
            self._open()

        def _open(self) -> None:
            self.cache = Cache.open(self.path, self.key)
            api = ApiClient(self.proxy.url, rivera.token, read_timeout=1.5, poll_grace=1.0)

            def listen(event: object) -> None:
                if isinstance(event, CommandFailed):
                    self.failures.append(event)

            self.engine = SyncEngine(self.cache, api, listen, poll_wait=0.5, retry_base=0.02,
                                     retry_cap=0.2)
            self.engine.start()

        def _token(self) -> str:
            token = f"hyp{self.run}x{next(self.serial)}"
            self.sent.append(token)
            totals["messages"] += 1
            return token

        @initialize()
        def first_message(self) -> None:
            self.send_new()

        def _thread_ids(self) -> list[str]:
            with self.cache.read() as conn:
                return [r[0] for r in conn.exec_driver_sql(
                    "SELECT id FROM threads WHERE subject LIKE ? ORDER BY id",
                    (f"Machine {self.run} %",)).all()]

        @rule()
        def send_new(self) -> None:
            token = self._token()
            subject = f"Machine {self.run} thread {token}"
            self.subjects.append(subject)
            self.engine.send_new([f"person:{self.alex}"], subject,
                                 f"<p>Opening message {token} of a random walk.</p>")

        @precondition(lambda self: bool(self.subjects))
        @rule(data=st.data())
        def reply(self, data: st.DataObject) -> None:
            thread_id = data.draw(st.sampled_from(self._thread_ids()))
            self.engine.reply(thread_id, f"<p>Reply {self._token()} in a random walk.</p>")

        @precondition(lambda self: bool(self.subjects))
        @rule(data=st.data(), starred=st.booleans(), unread=st.booleans(),
              folder=st.sampled_from([None, "inbox", "archive", "trash"]))
        def change_state(self, data: st.DataObject, starred: bool, unread: bool,
                         folder: str | None) -> None:
            thread_id = data.draw(st.sampled_from(self._thread_ids()))
            self.engine.set_state([thread_id], folder=folder, unread=unread, starred=starred)

        @rule(subject=st.text(alphabet="abcdefgh ", max_size=12))
        def save_draft(self, subject: str) -> None:
            self.drafts.add(self.engine.save_draft({"subject": subject}))

        @precondition(lambda self: bool(self.drafts))
        @rule(data=st.data())
        def delete_draft(self, data: st.DataObject) -> None:
            draft_id = data.draw(st.sampled_from(sorted(self.drafts)))
            self.drafts.discard(draft_id)
            self.engine.delete_draft(draft_id)

        @rule(network=st.sampled_from(sorted(NETWORKS)))
        def network(self, network: str) -> None:
            totals[network] += 1
            self.proxy.set_faults(**NETWORKS[network])

        @rule()
        def restart(self) -> None:
            totals["restarts"] += 1
            self.engine.stop()
            self.cache.close()
            self._open()

        @rule()
        def settle(self) -> None:
            totals["settled"] += 1
            self.proxy.set_faults(**NETWORKS["healthy"])
            assert self.engine.wait_until_synced(60), self.cache.outbox_items()[:3]
            assert self.failures == []
            truth = server_mailbox(rivera)
            seen = Counter(word for m in truth.messages.values()
                           for word in re.findall(rf"hyp{self.run}x\d+", m["body_text"]))
            assert seen == Counter(self.sent)  # every message once, none lost
            assert {d for d in self.drafts} <= set(truth.drafts)
            assert differences(self.cache, rivera) == []

        def teardown(self) -> None:
            try:
                self.settle()
            finally:
                self.engine.stop()
                self.cache.close()
                self.proxy.stop()

    return SyncMachine


@pytest.mark.slow
def test_random_operations_faults_and_restarts_converge(live_server: LiveServer,
                                                         tmp_path: Path) -> None:
    rivera = signed_in(live_server, "dr.rivera")
    totals: Counter[str] = Counter()
    machine = machine_for(live_server, rivera, tmp_path, totals)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=10, stateful_step_count=30, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow]))
    # The walks did real work: messages under faults, restarts, settling in between.
    assert totals["messages"] >= 10 and totals["settled"] >= 10, totals
    assert totals["restarts"] and (totals["flaky"] or totals["down"]), totals
