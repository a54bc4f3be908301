"""Portal fixtures: a real server on loopback with the demo practice, and Debian's chromium
with JavaScript on and off."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.portal.pages import Portal
from tests.server.conftest import pg_cluster  # noqa: F401  (the security tests' PostgreSQL)
from tests.support.api_client import Api
from tests.support.live_server import LiveServer

# A busy machine can take seconds to answer; an expectation waits for it (it asserts no time).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("portal-data")).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def staff(portal_server: LiveServer) -> Api:
    """Signed-in API users (the therapist writes to clients over the real JSON API)."""
    return Api(portal_server)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context: `new_page(js=False, width=360, dark=True)`."""
    contexts: list[Any] = []

    def make(js: bool = True, width: int = 1280, dark: bool = False, **options: Any) -> Any:
        context = browser.new_context(
            java_script_enabled=js, viewport={"width": width, "height": 900},
            color_scheme="dark" if dark else "light", **options,
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def portal(portal_server: LiveServer, new_page: Callable[..., Any]) -> Callable[..., Portal]:
    """`portal(js=True)`: a browser page on the demo practice's portal, not signed in."""

    def make(slug: str = "lakeside", **options: Any) -> Portal:
        return Portal(portal_server, new_page(**options), slug)

    return make


@pytest.fixture
def tmp_files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def xss_payloads() -> list[str]:
    """Hostile bodies (tests/data/xss-bodies.json): staff may send anything."""
    items = json.loads((Path(__file__).parents[1] / "data" / "xss-bodies.json").read_text())
    assert len(items) >= 50
    return [str(item) for item in items]
