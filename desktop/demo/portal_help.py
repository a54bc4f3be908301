"""The demo's Help menu: where the practice's client portal is, so a newcomer can answer as a
client (alex) in a browser while this inbox shows the answer arrive."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu


def add_portal_help(window: QMainWindow, portal_url: str, client: str = "alex") -> QMenu:
    """A Help menu with the portal's address: open it in the browser, or copy it."""
    menu = window.menuBar().addMenu(window.tr("&Help"))
    about = QAction(window.tr("Client portal: %s (sign in as %s)") % (portal_url, client), window)
    about.setEnabled(False)
    menu.addAction(about)
    open_it = QAction(window.tr("Open the client portal in the browser"), window)
    open_it.triggered.connect(lambda: QDesktopServices.openUrl(QUrl(portal_url)))
    menu.addAction(open_it)
    copy = QAction(window.tr("Copy the client portal's address"), window)
    copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(portal_url))
    menu.addAction(copy)
    return menu
