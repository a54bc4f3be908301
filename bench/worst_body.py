"""The worst message bodies the limits allow, taken apart: how long the bound check, the
sanitizer and the plain-text rendering take, and a whole send of each over loopback HTTP.

Target: under 100 ms to accept the worst body allowed. The floor, measured in the same run,
is the same send with a one-line body. The probe's body (`"<div>" * 60000`) is refused;
its time to refusal is printed too. Last line: one JSON object.

    .venv/bin/python bench/worst_body.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.body_bounds import refusal  # noqa: E402
from server.body_text import html_to_text  # noqa: E402
from server.config import Settings  # noqa: E402
from server.messaging.validate import body_bounds, clean_body  # noqa: E402
from server.sanitize import sanitize_html  # noqa: E402
from tests.support.api_client import Api  # noqa: E402
from tests.support.hostile_inputs import nested_divs, worst_allowed_bodies  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402


def median_ms(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    settings = Settings.build(data_dir=tempfile.mkdtemp(prefix="bench-body-"))
    bounds = body_bounds(settings)
    result: dict[str, object] = {"target_ms": 100}
    steps: dict[str, dict[str, float]] = {}
    for name, body in worst_allowed_bodies().items():
        clean = sanitize_html(body)
        steps[name] = {
            "bytes": len(body.encode()),
            "check_ms": median_ms(lambda b=body: refusal(b, bounds), args.rounds),
            "sanitize_ms": median_ms(lambda b=body: sanitize_html(b), args.rounds),
            "text_ms": median_ms(lambda c=clean: html_to_text(c), args.rounds),
            "accept_ms": median_ms(lambda b=body: clean_body(b, settings), args.rounds),
        }
        print(f"{name:>14}: {steps[name]}")
    probe = nested_divs(60_000)
    result["probe_refused_ms"] = median_ms(lambda: refusal(probe, bounds), args.rounds)
    print(f"the probe's 60,000 <div>s refused in {result['probe_refused_ms']} ms")

    tmp = tempfile.mkdtemp(prefix="bench-body-")
    with LiveServer(Path(tmp) / "data", run_workers=False) as server:
        rivera = Api(server).as_("dr.rivera")

        def send(body: str) -> None:
            reply = rivera.send(["alex"], body=body)
            assert reply.status_code == 201, reply.text

        floor = median_ms(lambda: send("<p>A short message, one line.</p>"), args.rounds)
        http = {name: median_ms(lambda b=body: send(b), args.rounds)
                for name, body in worst_allowed_bodies().items()}
    print(f"send over HTTP: floor (one line) {floor} ms; worst bodies {http}")
    result.update(steps=steps, http_floor_ms=floor, http_send_ms=http,
                  worst_accept_ms=max(s["accept_ms"] for s in steps.values()))
    print(json.dumps(result))
    return 0 if float(result["worst_accept_ms"]) < 100 else 1  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
