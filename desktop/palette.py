"""Light and dark palettes that follow the system's colour scheme, with the Fusion style."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

LIGHT = {
    QPalette.ColorRole.Window: "#f4f5f7",
    QPalette.ColorRole.WindowText: "#1f2933",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#eef1f5",
    QPalette.ColorRole.Text: "#1f2933",
    QPalette.ColorRole.PlaceholderText: "#6b7785",
    QPalette.ColorRole.Button: "#f4f5f7",
    QPalette.ColorRole.ButtonText: "#1f2933",
    QPalette.ColorRole.Highlight: "#2b6cb0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#1a5fb4",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1f2933",
    QPalette.ColorRole.Mid: "#c9d0d8",
}

DARK = {
    QPalette.ColorRole.Window: "#23272e",
    QPalette.ColorRole.WindowText: "#e6e9ee",
    QPalette.ColorRole.Base: "#1b1e23",
    QPalette.ColorRole.AlternateBase: "#2a2f37",
    QPalette.ColorRole.Text: "#e6e9ee",
    QPalette.ColorRole.PlaceholderText: "#9aa4b1",
    QPalette.ColorRole.Button: "#2d323a",
    QPalette.ColorRole.ButtonText: "#e6e9ee",
    QPalette.ColorRole.Highlight: "#3d7fd0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#79b0f2",
    QPalette.ColorRole.ToolTipBase: "#2d323a",
    QPalette.ColorRole.ToolTipText: "#e6e9ee",
    QPalette.ColorRole.Mid: "#464d57",
}


def build_palette(dark: bool) -> QPalette:
    palette = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#7c8591") if dark else QColor("#9aa3ad")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_palette(app: QApplication, dark: bool | None = None) -> None:
    """Apply the palette for ``dark`` (or the system's choice) to the whole application."""
    app.setPalette(build_palette(system_prefers_dark() if dark is None else dark))


def follow_system_scheme(app: QApplication) -> None:
    """Apply the system's scheme now and again whenever the system switches."""
    app.setStyle("Fusion")
    apply_palette(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_palette(app))
