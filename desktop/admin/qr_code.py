"""A QR code painted in the window (segno computes the modules): dark on white whatever the
colour scheme, with the quiet zone scanners need, scaled to whole pixels so it stays sharp.
segno is imported when a code is first made: the sign-in dialog carries this widget, and most
starts of the inbox never show one."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
MODULE_PIXELS = 5  # big enough for a phone camera held at arm's length


class QrCodeWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self.text = ""
        self.modules: list[list[bool]] = []
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(self.tr("QR code for your authenticator app"))

    def set_text(self, text: str) -> None:
        self.text = text
        if text:
            import segno

            code = segno.make(text, error="m", micro=False)
            self.modules = [[bool(cell) for cell in row] for row in code.matrix]
        else:
            self.modules = []
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        side = max(200, (len(self.modules) + 2 * QUIET_ZONE) * MODULE_PIXELS)
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self.modules:
            return
        painter = QPainter(self)
        count = len(self.modules) + 2 * QUIET_ZONE
        side = min(self.width(), self.height())
        scale = max(1, side // count)
        origin_x = (self.width() - scale * count) // 2
        origin_y = (self.height() - scale * count) // 2
        painter.fillRect(QRect(origin_x, origin_y, scale * count, scale * count),
                         QColor("#ffffff"))
        dark = QColor("#000000")
        for y, row in enumerate(self.modules):
            for x, on in enumerate(row):
                if on:
                    painter.fillRect(origin_x + (x + QUIET_ZONE) * scale,
                                     origin_y + (y + QUIET_ZONE) * scale, scale, scale, dark)
        painter.end()
