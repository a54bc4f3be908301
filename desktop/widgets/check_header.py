"""The thread list's column header, with a select-all checkbox over the checkbox column.

The box shows whether none, some or all of the listed threads are checked; a click checks
every thread of the folder (those not loaded yet too), or clears the checks when all were.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionButton, QWidget


class CheckHeader(QHeaderView):
    """Signals:
    toggled(): the select-all box was clicked.
    """

    toggled = Signal()

    def __init__(self, check_section: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.check_section = check_section
        self.check_state = Qt.CheckState.Unchecked
        self.setSectionsClickable(True)

    def set_state(self, state: Qt.CheckState) -> None:
        if state != self.check_state:
            self.check_state = state
            self.viewport().update()

    def box_rect(self) -> QRect:
        """Where the checkbox is painted (and clicked), in the header's coordinates."""
        option = QStyleOptionButton()
        size = self.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option,
                                           self).size()
        left = self.sectionViewportPosition(self.check_section)
        cell = QRect(left, 0, self.sectionSize(self.check_section), self.height())
        box = QRect(QPoint(0, 0), size)
        box.moveCenter(cell.center())
        return box

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:
        painter.save()
        super().paintSection(painter, rect, logical_index)
        painter.restore()
        if logical_index != self.check_section:
            return
        option = QStyleOptionButton()
        option.rect = self.box_rect()
        option.state = QStyle.StateFlag.State_Enabled | {
            Qt.CheckState.Checked: QStyle.StateFlag.State_On,
            Qt.CheckState.PartiallyChecked: QStyle.StateFlag.State_NoChange,
        }.get(self.check_state, QStyle.StateFlag.State_Off)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, option,
                                   painter, self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.logicalIndexAt(event.position().toPoint()) == self.check_section and \
                event.button() == Qt.MouseButton.LeftButton:
            self.toggled.emit()
            event.accept()
            return
        super().mousePressEvent(event)
