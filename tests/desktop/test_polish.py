"""Visual details, checked on images of the real widgets: the selected folder's icon stands out
from the selection in light and dark palettes, role badges share one shape, the settings
dialog is grouped and roomy, and a tray alert carries no unread count of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QGroupBox

from desktop.dialogs.settings_dialog import SettingsDialog
from desktop.palette import apply_palette
from desktop.settings import SETTINGS
from desktop.tray import Tray, badge_icon
from desktop.widgets.role_badge import BADGE_COLOURS, RoleBadge
from tests.desktop.people import Person


@pytest.fixture(params=["light", "dark"])
def palette(request: Any, qapp: Any) -> Iterator[str]:
    saved = QPalette(qapp.palette())
    apply_palette(qapp, request.param == "dark")
    try:
        yield request.param
    finally:
        qapp.setPalette(saved)


def test_the_selected_folders_icon_stands_out_from_the_selection(
        qtbot: Any, open_inbox: Any, palette: str) -> None:
    window = open_inbox("dr.rivera").window
    pane = window.folder_pane
    pane.select_folder("inbox")
    rect = pane.visualRect(pane.model().index(pane.model().row_of("inbox"), 0))
    image = pane.viewport().grab(rect).toImage()
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight)
    icon_box = image.copy(0, 0, min(image.width(), rect.height() + 8), image.height())
    ink = sum(1 for y in range(icon_box.height()) for x in range(icon_box.width())
              if abs(QColor(icon_box.pixel(x, y)).lightness() - highlight.lightness()) > 90)
    assert ink > 20, palette


def pill_shaped(image: QImage, background: QColor) -> bool:
    """Rounded ends: the corners are not the badge's colour, the middle of each end is."""
    def is_badge(x: int, y: int) -> bool:
        return QColor(image.pixel(x, y)).rgb() == background.rgb()
    w, h = image.width(), image.height()
    return not is_badge(0, 0) and not is_badge(w - 1, h - 1) and not is_badge(0, h - 1) \
        and is_badge(3, h // 2) and is_badge(w - 4, h // 2) and is_badge(h // 2, 1)


def test_client_and_therapist_badges_have_one_shape(qtbot: Any, open_inbox: Any,
                                                    live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["dr.rivera"], "Badges",
                                              "Two kinds of badges on one screen.")
    window = open_inbox("dr.rivera").window
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.thread_model.row_of(thread["id"]) >= 0, timeout=10_000)
    window.thread_list.select_thread(thread["id"])
    qtbot.waitUntil(lambda: bool(window.conversation.cards), timeout=10_000)
    Person(live_server, "dr.rivera").reply(thread["id"], "And here is the therapist's one.")
    qtbot.waitUntil(lambda: len(window.conversation.cards) == 2, timeout=10_000)
    badges = window.conversation.findChildren(RoleBadge)
    assert {b.text() for b in badges} == {"Client", "Therapist"}
    heights = set()
    for badge in badges:
        image = badge.grab().toImage()
        top = (badge.height() - badge.sizeHint().height()) // 2
        pill = image.copy(0, top, image.width(), badge.sizeHint().height())
        colour = QColor(BADGE_COLOURS[badge.text().lower()][0])
        assert pill_shaped(pill, colour), badge.text()
        heights.add(badge.sizeHint().height())
    assert len(heights) == 1


def test_the_settings_dialog_is_grouped_and_roomy(qtbot: Any, app_settings: Any) -> None:
    dialog = SettingsDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    boxes = [b.title() for b in dialog.findChildren(QGroupBox)]
    assert boxes == ["Privacy", "Security", "Startup", "Storage"]

    def box_of(key: str) -> str:
        parent = dialog.editors[key].parent()
        while not isinstance(parent, QGroupBox):
            parent = parent.parent()
        return parent.title()

    assert box_of("notifications/show_details") == "Privacy"
    assert box_of("security/idle_lock_minutes") == "Security"
    assert box_of("startup/start_minimized") == box_of("startup/start_at_login") == "Startup"
    assert box_of("cache/attachment_cap_mb") == "Storage"
    assert dialog.width() >= 480 and dialog.height() >= 300
    for setting in SETTINGS:
        if setting.shown:
            editor = dialog.editors[setting.key]
            assert editor.width() >= editor.sizeHint().width()


def test_a_tray_alert_shows_no_count_that_disagrees_with_the_tray(
        qtbot: Any, open_inbox: Any, live_server: Any, app_settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    tray = Tray(app_settings)
    alex = Person(live_server, "alex")
    alex.send(["dr.rivera"], "First", "The first message of the day.")
    window = open_inbox("dr.rivera", tray=tray).window
    qtbot.waitUntil(lambda: tray.unread == 1, timeout=10_000)
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        alex.send(["dr.rivera"], "Second", "The second message of the day.")
    qtbot.waitUntil(lambda: tray.unread == 2, timeout=10_000)
    shown = tray.last_alert_icon.pixmap(64, 64).toImage()
    assert shown != badge_icon(1).pixmap(64, 64).toImage()
    assert shown in (badge_icon(0).pixmap(64, 64).toImage(),
                     badge_icon(tray.unread).pixmap(64, 64).toImage())
    assert "2 unread" in tray.icon.toolTip()
