"""The served OpenAPI document, fuzzed by schemathesis against a real loopback server.

Every operation gets generated requests as a therapist, as a client, as the front office and
as an administrator (who reach the administration routes' success answers too); each answer
must not be a server error and must match the document: its status code, its content type
and its body's schema. Each identity fuzzes its own server, so what one changes (an
administrator requiring two-step sign-in of staff, say) does not shape another's run. The
run is bounded (a fixed number of examples per operation, a per-example deadline) and its
seed is printed, so a failure replays with PRACTICE_FUZZ_SEED=<seed>.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode, checks

from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.openapi_data import converse

SEED = int(os.environ.get("PRACTICE_FUZZ_SEED") or random.randrange(2**32))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
MAX_EXAMPLES = int(os.environ.get("PRACTICE_FUZZ_EXAMPLES") or 15)
# Who the requests are made as: a therapist (staff), an active client of theirs, the front
# office (who manages clients) and an administrator.
SIGNED_IN_AS = {"staff": "dr.rivera", "client": "alex", "front_office": "frontdesk",
                "admin": "admin"}


@pytest.fixture
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("fuzz-data")).start()
    try:
        converse(Api(live))
        yield live
    finally:
        live.stop()


@pytest.fixture
def tokens(fuzzed_server: LiveServer) -> dict[str, str]:
    return {role: fuzzed_server.token(name) for role, name in SIGNED_IN_AS.items()}


@pytest.fixture
def served_schema(fuzzed_server: LiveServer) -> Any:
    loaded = schemathesis.openapi.from_url(f"{fuzzed_server.api}/openapi.json", timeout=30)
    # Signing out would end the session the rest of the run signs its requests with.
    return loaded.exclude(path_regex=r"/auth/logout$")


def explained(failure: BaseException) -> str:
    """The failure and, for a group (Hypothesis' flaky report), what each member said."""
    members = getattr(failure, "exceptions", ())
    return "\n".join([str(failure), *(f"  - {explained(m)}" for m in members)])


def fuzz_every_operation(schema: Any, server: LiveServer, token: str) -> list[str]:
    """Each operation's generated requests, sent and checked; one line per failing operation."""
    print(f"replay with PRACTICE_FUZZ_SEED={SEED}")
    failures = []
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    for result in schema.get_all_operations():
        operation = result.ok()

        # Valid requests and invalid ones alike: both must get a documented answer.
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=cases)
        @seed(SEED)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=timedelta(seconds=5),
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(base_url=server.url, session=http, checks=CHECKS, timeout=30)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}: {explained(failure)}")
    http.close()
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(SIGNED_IN_AS))
def test_every_answer_matches_the_served_document(
    role: str, served_schema: Any, fuzzed_server: LiveServer, tokens: dict[str, str]
) -> None:
    failures = fuzz_every_operation(served_schema, fuzzed_server, tokens[role])
    assert not failures, f"seed {SEED}:\n" + "\n\n".join(failures)
