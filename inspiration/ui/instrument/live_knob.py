"""The live temperature knob: a big dial, the value in large type and a fine slider, kept in sync.

The range is 0–2 in steps of 0.01 (arrow keys and the wheel step 0.01, Page Up/Down 0.1); double-click the value to
return to 1.00. The knob can be moved by the program (following a curve) without emitting `valueChanged`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QDial, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from inspiration.ui.theme import COLORS, qcolor

#: The knob's range and resolution.
MAXIMUM = 2.0
STEPS_PER_UNIT = 100


#: The knob turns through 300°, from 7 o'clock to 5 o'clock.
_SWEEP = 300.0


class _Dial(QDial):
    """A QDial drawn as a dark knob with a value arc and a pointer, in the theme's colours."""

    def __init__(self) -> None:
        super().__init__()
        self.arc_color = COLORS.accent

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 8.0
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        span = max(1, self.maximum() - self.minimum())
        fraction = (self.value() - self.minimum()) / span
        start = 90 + _SWEEP / 2  # Qt angles: counter-clockwise from 3 o'clock
        ring = max(4.0, side * 0.06)
        painter.setPen(QPen(QColor(COLORS.base), ring, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        arc = box.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
        painter.drawArc(arc, round(start * 16), round(-_SWEEP * 16))
        color = self.arc_color if self.isEnabled() else COLORS.text_dim
        painter.setPen(QPen(QColor(color), ring, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawArc(arc, round(start * 16), round(-_SWEEP * fraction * 16))
        body = box.adjusted(ring * 2.2, ring * 2.2, -ring * 2.2, -ring * 2.2)
        painter.setPen(QPen(QColor(COLORS.border), 1.5))
        painter.setBrush(QColor(COLORS.raised))
        painter.drawEllipse(body)
        painter.setPen(QPen(qcolor(COLORS.border, 160), 1.0))
        notch_in, notch_out = body.width() / 2 + ring * 0.5, body.width() / 2 + ring * 1.3
        center = body.center()
        for step in range(0, 11):  # a tick every tenth of the range
            angle = math.radians(start - _SWEEP * step / 10)
            direction = QPointF(math.cos(angle), -math.sin(angle))
            painter.drawLine(center + direction * notch_in, center + direction * notch_out)
        angle = math.radians(start - _SWEEP * fraction)
        direction = QPointF(math.cos(angle), -math.sin(angle))
        painter.setPen(
            QPen(QColor(COLORS.text), max(2.0, side * 0.025), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        painter.drawLine(center + direction * (body.width() * 0.12), center + direction * (body.width() * 0.42))
        if self.hasFocus():
            painter.setPen(QPen(qcolor(COLORS.accent, 110), 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(body.adjusted(-2, -2, 2, 2))


class _ValueLabel(QLabel):
    """The value in large type; a double-click asks for the neutral temperature."""

    reset = Signal()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.reset.emit()


class LiveKnob(QWidget):
    """Signal `valueChanged(float)` when the musician moves the dial or the slider (not on `set_value`)."""

    valueChanged = Signal(float)

    def __init__(self, value: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        top = round(MAXIMUM * STEPS_PER_UNIT)
        self.dial = _Dial()
        self.dial.setRange(0, top)
        self.dial.setSingleStep(1)
        self.dial.setPageStep(10)
        self.dial.setWrapping(False)
        self.dial.setFixedSize(148, 148)
        self.dial.setToolTip("Temperature: low is calm and repetitive, high is wild (arrow keys step 0.01)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, top)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        self.slider.setToolTip(self.dial.toolTip())
        self.label = _ValueLabel()
        font = QFont(self.font())
        font.setPixelSize(40)
        font.setWeight(QFont.Weight.DemiBold)
        self.label.setFont(font)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setMinimumWidth(110)
        self.label.setToolTip("Double-click for 1.00")
        self.caption = QLabel("temperature")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet(f"color: {COLORS.text_dim};")
        ends = QHBoxLayout()
        for text, align in (("0 calm", Qt.AlignmentFlag.AlignLeft), (f"{MAXIMUM:g} wild", Qt.AlignmentFlag.AlignRight)):
            end = QLabel(text)
            end.setStyleSheet(f"color: {COLORS.text_dim}; font-size: 10px;")
            ends.addWidget(end, 1, align)
        readout = QVBoxLayout()
        readout.addStretch(1)
        readout.addWidget(self.label)
        readout.addWidget(self.caption)
        readout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.dial)
        row.addLayout(readout, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.slider)
        layout.addLayout(ends)
        self.dial.valueChanged.connect(self._moved)
        self.slider.valueChanged.connect(self._moved)
        self.label.reset.connect(lambda: self._moved(STEPS_PER_UNIT))
        self._following = False
        self._steps = -1
        self._show(round(value * STEPS_PER_UNIT))

    def value(self) -> float:
        return self._steps / STEPS_PER_UNIT

    def set_value(self, value: float) -> None:
        """Show `value` (clamped to the knob's range) without emitting `valueChanged`."""
        self._show(round(min(max(value, 0.0), MAXIMUM) * STEPS_PER_UNIT))

    def set_following(self, following: bool) -> None:
        """Draw the value as automation (the curve steers) or as the knob's own."""
        self._following = following
        self._paint_label()

    def _moved(self, steps: int) -> None:
        if steps == self._steps:
            return
        self._show(steps)
        self.valueChanged.emit(self.value())

    def _show(self, steps: int) -> None:
        self._steps = steps
        for control in (self.dial, self.slider):
            control.blockSignals(True)
            control.setValue(steps)
            control.blockSignals(False)
        self.label.setText(f"{self.value():.2f}")
        self._paint_label()

    def _paint_label(self) -> None:
        color = COLORS.waveform if self._following else COLORS.accent
        self.label.setStyleSheet(f"color: {color};")
        self.dial.arc_color = color
        self.dial.update()
        self.caption.setText("temperature · following the curve" if self._following else "temperature")
