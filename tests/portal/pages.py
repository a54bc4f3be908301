"""Driving the portal as a person does: by role and visible name, with the checks every page
must pass (one h1, no sideways scrolling, axe-core's WCAG 2.1 A/AA rules)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from server.seed import DEMO_PASSWORD
from tests.support.browser import axe_source
from tests.support.live_server import LiveServer

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE: dict[str, str] = {}


class Portal:
    def __init__(self, server: LiveServer, page: Page, slug: str = "lakeside") -> None:
        self.server = server
        self.page = page
        self.slug = slug

    @property
    def root(self) -> str:
        return f"{self.server.url}/portal/{self.slug}/"

    def url(self, path: str = "") -> str:
        return self.root + path

    def goto(self, path: str = "") -> Any:
        return self.page.goto(self.url(path))

    def sign_in(self, username: str = "alex", password: str = DEMO_PASSWORD) -> None:
        self.goto()
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def signed_in(self, username: str = "alex") -> Portal:
        self.sign_in(username)
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        return self

    def folders(self) -> Any:
        return self.page.get_by_role("navigation", name="Folders")

    def open_thread(self, subject: str) -> None:
        self.page.get_by_role("link", name=subject, exact=True).first.click()
        expect(self.page.get_by_role("heading", level=1, name=subject)).to_be_visible()

    # The checks every page passes.
    def assert_one_h1(self) -> None:
        assert self.page.locator("h1").count() == 1, self.page.url

    def assert_no_sideways_scroll(self) -> None:
        widths = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{self.page.url} scrolls sideways: {widths}"

    def axe_violations(self) -> list[dict[str, Any]]:
        if "source" not in _AXE:
            _AXE["source"] = axe_source()
        # evaluate() runs outside the page's CSP, where an added script tag would be refused.
        self.page.evaluate(_AXE["source"])
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        return [
            {"id": v["id"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    def assert_accessible(self) -> None:
        violations = self.axe_violations()
        assert violations == [], f"{self.page.url}: {violations}"
