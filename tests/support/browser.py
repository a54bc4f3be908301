"""A real browser for the portal tests: Debian's chromium driven by Playwright through
`executable_path` (Playwright's own browser download is never used), and axe-core's script for
the accessibility checks. Both are system tools: missing, the tests are skipped with the reason
(a failure where tools are required)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.system_tools import missing, require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
# Where .ci/run installs the npm package axe-core (a folder git ignores).
AXE_PATHS = (REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js",)
AXE_ENV = "PRACTICE_AXE_JS"


def chromium_path() -> str:
    require("chromium", package="chromium")
    path = shutil.which("chromium")
    assert path is not None
    return path


def axe_source() -> str:
    """The text of axe.min.js (PRACTICE_AXE_JS, or where .ci/run puts the npm package)."""
    candidates = [Path(os.environ[AXE_ENV])] if os.environ.get(AXE_ENV) else []
    for path in [*candidates, *AXE_PATHS]:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    missing("needs axe-core's axe.min.js (npm install axe-core into .ci/node, as .ci/run does, "
            f"or set {AXE_ENV})")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module. Not one per run: while Playwright's sync API runs it
    leaves an event loop marked running on the main thread, so any later test that calls
    `asyncio.run` would fail; stopped at the end of each module, it leaves nothing behind."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
