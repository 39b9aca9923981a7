"""The live knobs: a dial, the value in large type and a fine slider, kept in sync.

`LiveKnob()` is the temperature knob: 0–2 in steps of 0.01 (arrow keys and the wheel step 0.01, Page Up/Down 0.1);
double-click the value to return to 1.00. Beside it, two smaller knobs cut what each draw may play: `tail_cut_knob()`
(min-p, in percent) and `top_levels_knob()` (top-k, in sample levels). A knob can be moved by the program (following a
curve) without emitting `valueChanged`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QDial, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.ui.theme import COLORS, qcolor

#: The temperature knob's range and resolution.
MAXIMUM = 2.0
STEPS_PER_UNIT = 100
#: The tail-cut knob's range in percent (min-p × 100) and resolution (steps of 0.5 %).
TAIL_CUT_MAXIMUM = 25.0
TAIL_CUT_STEPS = 2
#: What the tail cut does, for the knob and the Generate tab.
TAIL_CUT_HELP = (
    "Tail cut: never play a sample value less than this share as likely as the likeliest one. It cuts the "
    "improbable tail, hardest where the model is surest, so on a young model it tends to turn hiss into drone; "
    "0 % cuts nothing (with top levels at all, plain sampling), higher is tamer."
)
#: The most top levels the controls offer: the levels a model usually has (at or above a model's levels nothing is
#: cut, like 0).
TOP_LEVELS_MAXIMUM = 256
#: What the top levels do, for the knob and the Generate tab.
TOP_LEVELS_HELP = (
    "Top levels: at each sample, play only one of this many likeliest sample values. Fewer keeps a young model from "
    "straying into hiss, but dulls one that no longer hisses; all (0) plays every value the model allows."
)
#: The smaller knobs' dials, in pixels (the temperature's is bigger).
SMALL_DIAL = 64


def _top_levels_steps() -> tuple[int, ...]:
    """The top-levels knob's values from left to right: all (0), then from TOP_LEVELS_MAXIMUM down to 2, every
    level at the tight end and about 4 % apart at the loose end, where one level more or less is not heard."""
    levels = {round(2 * (TOP_LEVELS_MAXIMUM / 2) ** (i / 120)) for i in range(121)}
    if 2 <= DEFAULT_TOP_K <= TOP_LEVELS_MAXIMUM:
        levels.add(DEFAULT_TOP_K)  # double-click returns to it exactly
    return (0, *sorted(levels, reverse=True))


#: The top-levels knob's values, one per step of the dial (turning right cuts more).
TOP_LEVELS_STEPS = _top_levels_steps()


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
    """Signal `valueChanged(float)` when the musician moves the dial or the slider (not on `set_value`).

    By default the temperature knob; the keywords make another (see `tail_cut_knob`): its range 0..`maximum` in
    steps of 1 / `steps_per_unit`, or one step per value of `steps` (in the dial's order, for uneven steps), the
    value a double-click returns to, the caption, the labels at the two ends, the tooltip, how the value is written
    (`decimals`, `suffix`, and `zero_text` for 0), the dial's size in pixels, and whether the value sits beside the
    dial or, `stacked`, under it.
    """

    valueChanged = Signal(float)

    def __init__(
        self,
        value: float = 1.0,
        parent: QWidget | None = None,
        *,
        maximum: float = MAXIMUM,
        steps_per_unit: int = STEPS_PER_UNIT,
        steps: Sequence[float] | None = None,
        neutral: float = 1.0,
        caption: str = "temperature",
        ends: tuple[str, str] = ("0 calm", f"{MAXIMUM:g} wild"),
        tooltip: str = "Temperature: low is calm and repetitive, high is wild (arrow keys step 0.01)",
        decimals: int = 2,
        suffix: str = "",
        zero_text: str = "",
        dial_size: int = 148,
        stacked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.maximum = maximum
        self.steps_per_unit = steps_per_unit
        self.decimals, self.suffix, self.zero_text, self.name = decimals, suffix, zero_text, caption
        self._values = tuple(float(v) for v in steps) if steps is not None else None
        top = len(self._values) - 1 if self._values is not None else round(maximum * steps_per_unit)
        self.dial = _Dial()
        self.dial.setRange(0, top)
        self.dial.setSingleStep(1)
        self.dial.setPageStep(10)
        self.dial.setWrapping(False)
        self.dial.setFixedSize(dial_size, dial_size)
        self.dial.setToolTip(tooltip)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, top)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        self.slider.setToolTip(self.dial.toolTip())
        self.label = _ValueLabel()
        font = QFont(self.font())
        font.setPixelSize(round(40 * min(1.0, dial_size / 148)))
        font.setWeight(QFont.Weight.DemiBold)
        self.label.setFont(font)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setMinimumWidth(round(110 * min(1.0, dial_size / 148)))
        self.label.setToolTip(f"Double-click for {self._text(neutral)}")
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet(f"color: {COLORS.text_dim};")
        end_row = QHBoxLayout()
        for text, align in ((ends[0], Qt.AlignmentFlag.AlignLeft), (ends[1], Qt.AlignmentFlag.AlignRight)):
            end = QLabel(text)
            end.setStyleSheet(f"color: {COLORS.text_dim}; font-size: 10px;")
            end_row.addWidget(end, 1, align)
        row: QHBoxLayout | QVBoxLayout
        if stacked:  # the value under the dial, for two knobs side by side
            row = QVBoxLayout()
            row.setSpacing(0)
            row.addWidget(self.dial, 0, Qt.AlignmentFlag.AlignHCenter)
            row.addWidget(self.label)
            row.addWidget(self.caption)
        else:
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
        layout.addLayout(end_row)
        self.dial.valueChanged.connect(self._moved)
        self.slider.valueChanged.connect(self._moved)
        self.label.reset.connect(lambda: self._moved(self._step_of(neutral)))
        self._following = False
        self._steps = -1
        self._show(self._step_of(value))

    def value(self) -> float:
        if self._values is not None:
            return self._values[self._steps]
        return self._steps / self.steps_per_unit

    def set_value(self, value: float) -> None:
        """Show `value` (clamped to the knob's range, or the nearest of its steps) without emitting `valueChanged`."""
        self._show(self._step_of(value))

    def _step_of(self, value: float) -> int:
        """The dial step that shows `value`."""
        values = self._values
        if values is not None:
            return min(range(len(values)), key=lambda step: (abs(values[step] - value), -values[step]))  # ties: up
        return round(min(max(value, 0.0), self.maximum) * self.steps_per_unit)

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
        self.label.setText(self._text(self.value()))
        self._paint_label()

    def _text(self, value: float) -> str:
        if value == 0 and self.zero_text:
            return self.zero_text
        return f"{value:.{self.decimals}f}{self.suffix}"

    def _paint_label(self) -> None:
        color = COLORS.waveform if self._following else COLORS.accent
        self.label.setStyleSheet(f"color: {color};")
        self.dial.arc_color = color
        self.dial.update()
        self.caption.setText(f"{self.name} · following the curve" if self._following else self.name)


def tail_cut_knob(min_p: float) -> LiveKnob:
    """The smaller knob beside the temperature: the min-p cut in percent (`value() / 100` is the min-p)."""
    return LiveKnob(
        min_p * 100,
        maximum=TAIL_CUT_MAXIMUM,
        steps_per_unit=TAIL_CUT_STEPS,
        neutral=DEFAULT_MIN_P * 100,
        caption="tail cut",
        ends=("0 % none", f"{TAIL_CUT_MAXIMUM:g} % tame"),
        tooltip=TAIL_CUT_HELP + " Arrow keys step 0.5 %.",
        decimals=1,
        suffix=" %",
        dial_size=SMALL_DIAL,
    )


def top_levels_knob(top_k: int) -> LiveKnob:
    """The other small knob: the top-k cut, in sample levels (`value()` is the top-k; 0: all levels). Its steps run
    from all on the left to 2 on the right, so that turning right cuts more, like the tail cut."""
    return LiveKnob(
        top_k,
        steps=TOP_LEVELS_STEPS,
        neutral=DEFAULT_TOP_K,
        caption="top levels",
        ends=("all", "2 tight"),
        tooltip=TOP_LEVELS_HELP + " Turn right for fewer; arrow keys step one notch.",
        decimals=0,
        zero_text="all",
        dial_size=SMALL_DIAL,
    )
