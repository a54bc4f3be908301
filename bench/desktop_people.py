"""How the People window behaves with 10,000 clients.

Starts a practice server process on loopback with the demo practice (a process of its own, so
that its work does not share this one's interpreter lock), imports CLIENTS clients through the
API's CSV import, then opens the People window offscreen as the administrator and measures:

- first_page_ms: the window shown to its first page of rows in the table;
- search_ms (p50/p95): a search typed into the field to its rows shown (the debounce delay
  of the field is left out: the search is applied at once);
- sort_all_ms: sorting by email, which reads every page and sorts on a worker, to the rows
  shown;
- max_gui_stall_ms: the longest time the GUI thread did not run its event loop during all of
  that (a 5 ms timer measures the gaps);
- floor_first_page_ms, floor_search_ms (p50/p95): the same first page and searches as plain
  API calls, with no Qt at all.

Prints figures; the last line is a JSON object.

    .venv/bin/python bench/desktop_people.py [--clients 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHES = ["client 01", "0042", "example.org", "client 9", "dr", "alex", "client 5555",
            "nobody-matches-this", "client 12", "77"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    args = parser.parse_args()

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.admin.people_window import PeopleWindow
    from desktop.startup import settle_after_first_paint
    from desktop.tasks import TaskRunner
    from server.seed import DEMO_PASSWORD
    from sync.admin_api import AdminApi
    from sync.api import ApiClient
    from tests.support.server_process import ServerProcess

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "server")
        server.seed()
        server.start()
        try:
            api = ApiClient(server.api, read_timeout=120)
            api.login("admin", DEMO_PASSWORD)
            admin = AdminApi(api)
            rows = "\n".join(f"Client {n:05d},client{n:05d}@example.org,client.{n:05d},,,"
                             for n in range(args.clients))
            started = time.perf_counter()
            admin.import_clients(("name,email,username,status,assigned_therapist,"
                                  "has_portal_account\n" + rows + "\n").encode())
            print(f"imported {args.clients} clients in {time.perf_counter() - started:.1f} s")

            t0 = time.perf_counter()
            admin.people(limit=200)
            floor_first_page = (time.perf_counter() - t0) * 1000
            floor = []
            for text in SEARCHES:
                t0 = time.perf_counter()
                admin.people(q=text, limit=200)
                floor.append((time.perf_counter() - t0) * 1000)

            settle_after_first_paint()  # as the inbox does once it has painted
            runner = TaskRunner()
            capabilities = {"manage_staff": True, "manage_clients": True,
                            "import_clients": True, "reset_mfa": True}
            stall = {"max": 0.0}
            clock = QElapsedTimer()
            clock.start()
            last = {"at": clock.elapsed()}

            def tick() -> None:
                now = clock.elapsed()
                stall["max"] = max(stall["max"], float(now - last["at"]))
                last["at"] = now

            ticker = QTimer()
            ticker.timeout.connect(tick)
            ticker.start(5)

            def wait_for(condition, limit: float = 120.0) -> None:  # noqa: ANN001
                deadline = time.perf_counter() + limit
                while not condition():
                    if time.perf_counter() > deadline:
                        raise SystemExit("the People window did not answer in time")
                    app.processEvents()
                    time.sleep(0.001)

            t0 = time.perf_counter()
            window = PeopleWindow(admin, runner, capabilities)
            window.show()
            wait_for(lambda: not window.model.busy and window.model.rowCount() > 0)
            first_page = (time.perf_counter() - t0) * 1000

            searched = []
            for text in SEARCHES:
                window.search.blockSignals(True)
                window.search.setText(text)
                window.search.blockSignals(False)
                t0 = time.perf_counter()
                window.apply_filters()
                wait_for(lambda: not window.model.busy)
                searched.append((time.perf_counter() - t0) * 1000)

            window.search.setText("")
            window.apply_filters()
            wait_for(lambda: not window.model.busy)
            t0 = time.perf_counter()
            window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
            wait_for(lambda: not window.model.busy and window.model.query.get("sort"))
            sort_all = (time.perf_counter() - t0) * 1000
            shown = window.model.rowCount()
            ticker.stop()
            window.close()
            runner.shutdown()
            api.close()
        finally:
            server.stop()

    figures = {
        "first_page_ms": round(first_page, 1),
        "floor_first_page_ms": round(floor_first_page, 1),
        "search_p50_ms": round(statistics.median(searched), 1),
        "search_p95_ms": round(p95(searched), 1),
        "floor_search_p50_ms": round(statistics.median(floor), 1),
        "floor_search_p95_ms": round(p95(floor), 1),
        "sort_all_ms": round(sort_all, 1),
        "sorted_rows": shown,
        "max_gui_stall_ms": round(stall["max"], 1),
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(json.dumps({"bench": "desktop_people", "clients": args.clients, **figures}))


if __name__ == "__main__":
    main()
