"""Message bodies load nothing and open links only after the user confirms."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from desktop.widgets.message_browser import MessageBrowser
from tests.desktop.modal import DialogAnswer


class OpenedUrls(QObject):
    """Stands in for the system browser: records the URLs handed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_no_remote_or_local_resource_is_loaded(qtbot: Any) -> None:
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    browser.set_body('<p>Hi <img src="https://tracker.example/pixel.png">'
                     '<img src="file:///etc/passwd"></p>')
    browser.show()
    qtbot.waitExposed(browser)
    assert browser.openLinks() is False
    assert browser.loadResource(0, QUrl("https://tracker.example/pixel.png")) is None
    assert any("tracker.example" in u for u in browser.resources_requested)


def test_link_opens_in_browser_only_after_confirmation(qtbot: Any) -> None:
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    opened = OpenedUrls()
    QDesktopServices.setUrlHandler("https", opened, "open")
    try:
        cancel = DialogAnswer("cancel")
        browser.anchorClicked.emit(QUrl("https://lakeside.example/forms"))
        assert cancel.answered and "https://lakeside.example/forms" in cancel.text
        assert opened.urls == []
        accept = DialogAnswer("open")
        with qtbot.waitSignal(browser.linkOpened):
            browser.anchorClicked.emit(QUrl("https://lakeside.example/forms"))
        assert accept.answered
        assert opened.urls == ["https://lakeside.example/forms"]
    finally:
        QDesktopServices.unsetUrlHandler("https")


def test_other_schemes_are_never_opened(qtbot: Any) -> None:
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    browser.confirm_link = lambda url: True
    with qtbot.waitSignal(browser.linkRefused) as refused:
        browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert refused.args == ["file:///etc/passwd"]


def test_search_terms_are_highlighted(qtbot: Any) -> None:
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    browser.set_body("<p>The sleep log shows better sleep on Wednesday.</p>")
    assert browser.highlight(["sleep"]) == 2
    assert browser.highlight([]) == 0
