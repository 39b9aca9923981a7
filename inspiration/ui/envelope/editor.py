"""The temperature envelope editor: how a musician draws the expressive temperature of a clip.

Layout (fits a right-hand dock 300–400 px wide): a presets row, the plot (seconds across, temperature 0–2 up, a
dotted line at T = 1), and a row with the Draw tool, the interpolation and the selected point's time and value.

The curve is kept in fractions of the clip (the engine's "fraction" unit), so a drawn shape stretches with the clip
when `set_duration` changes its length; the plot and the time field show seconds. Seconds curves given to
`set_curve` are converted at the current duration (cut at the clip's end). The value axis shows 0–2 and grows in
steps of 0.5 (up to MAX_TEMPERATURE) when a point is dragged or set above it; it shrinks back to fit on release.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.curves.curve import CURVE_PRESETS, INTERPOLATIONS, MAX_TEMPERATURE, TemperatureCurve
from inspiration.ui.envelope import points as pts
from inspiration.ui.envelope.history import CurveEdit
from inspiration.ui.envelope.plot import EnvelopePlot
from inspiration.ui.envelope.presets import PresetBar

DEFAULT_TOP = 2.0
TOP_STEP = 0.5
DEFAULT_DURATION = 10.0
INTERPOLATION_NAMES = {"linear": "Linear", "smooth": "Smooth", "step": "Step"}


def fit_top(highest: float) -> float:
    """The value axis' top for a curve whose highest point is `highest`: 2, or the next 0.5 above it, at most 5."""
    step = math.ceil((highest + 0.05) / TOP_STEP) * TOP_STEP
    return min(MAX_TEMPERATURE, max(DEFAULT_TOP, step))


class EnvelopeEditor(QWidget):
    """Signals: `curveChanged(TemperatureCurve)` on every change, drags included; `curveChangeFinished(curve)` once a
    gesture, numeric edit, interpolation or preset choice is done — each one step on `undo_stack`, the editor's own
    history (undo and redo emit both signals too); `statusMessage(str)`.

    `set_curve` and `set_duration` show what they are given without emitting either signal; `apply_curve` is the
    undoable way to replace the curve, `load_curve` starts a fresh history (a project was opened).
    """

    curveChanged = Signal(object)
    curveChangeFinished = Signal(object)
    statusMessage = Signal(str)

    def __init__(self, presets_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[pts.Point] = list(CURVE_PRESETS["constant"].points)
        self._interpolation = CURVE_PRESETS["constant"].interpolation
        self._selected: int | None = None
        self._duration = DEFAULT_DURATION
        self._top = DEFAULT_TOP
        self._gesture_changed = False
        self._gesture_text = ""
        self.undo_stack = QUndoStack(self)
        self._committed = self.curve()  # the curve as the last finished change left it

        self.presets = PresetBar(presets_folder)
        self.presets.presetChosen.connect(self._preset_chosen)
        self.presets.statusMessage.connect(self.statusMessage)
        self.plot = EnvelopePlot()
        self.plot.pointAdded.connect(self._add)
        self.plot.pointPressed.connect(self._select)
        self.plot.pointDragged.connect(self._drag)
        self.plot.dragFinished.connect(self._gesture_done)
        self.plot.deleteRequested.connect(self.delete_point)
        self.plot.sketched.connect(self._sketched)
        self.draw_button = QToolButton()
        self.draw_button.setText("✎ Draw")
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Sketch the curve freehand (or hold Shift while dragging)")
        self.draw_button.toggled.connect(self._draw_toggled)
        self.interpolation_combo = QComboBox()
        self.interpolation_combo.setToolTip("How the curve goes from one point to the next")
        for name in ("linear", "smooth", "step"):
            if name in INTERPOLATIONS:
                self.interpolation_combo.addItem(INTERPOLATION_NAMES[name], name)
        self.interpolation_combo.activated.connect(self._interpolation_chosen)
        self.time_spin = self._spin(" s", 2, 0.1, "The selected point's time from the clip's start")
        self.time_spin.valueChanged.connect(self._time_typed)
        self.value_spin = self._spin("", 2, 0.05, "The selected point's temperature (1 = as trained)")
        self.value_spin.setPrefix("T ")
        self.value_spin.setRange(0.0, MAX_TEMPERATURE)
        self.time_spin.setMinimumWidth(72)  # below their size hints, so the row fits a 300 px dock
        self.value_spin.setMinimumWidth(64)
        self.value_spin.valueChanged.connect(self._value_typed)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.draw_button)
        row.addWidget(self.interpolation_combo)
        row.addStretch(1)
        row.addWidget(self.time_spin, 1)
        row.addWidget(self.value_spin, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.presets)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)
        self._refresh()

    # ---- public API ----

    def curve(self) -> TemperatureCurve:
        """The curve as drawn, in fractions of the clip."""
        return TemperatureCurve(points=tuple(self._points), unit="fraction", interpolation=self._interpolation)

    def set_curve(self, curve: TemperatureCurve) -> None:
        """Show `curve` (seconds curves are converted at the current duration); no signal is emitted."""
        if not isinstance(curve, TemperatureCurve):
            raise TypeError(f"set_curve needs a TemperatureCurve, not {type(curve).__name__}")
        self._points = pts.to_fractions(curve, self._duration)
        self._interpolation = curve.interpolation
        self._selected = None
        self._top = fit_top(max(v for _, v in self._points))
        self._committed = self.curve()
        self._refresh()

    def apply_curve(self, curve: TemperatureCurve, text: str) -> None:
        """Replace the curve as one undoable step named `text` (a preset, a library clip's curve)."""
        before = self._committed
        self.set_curve(curve)
        self._committed = before
        self._changed(finished=True, text=text)

    def load_curve(self, curve: TemperatureCurve) -> None:
        """Show `curve` with a fresh history (nothing to undo): for a project or the last session's curve."""
        self.set_curve(curve)
        self.undo_stack.clear()

    def duration(self) -> float:
        return self._duration

    def set_duration(self, seconds: float) -> None:
        """The clip's length in seconds: the time axis spans it and the drawn shape stretches to it."""
        if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"a clip's duration must be a positive number of seconds, not {seconds!r}")
        self._duration = float(seconds)
        self._refresh()

    def set_position(self, seconds: float | None) -> None:
        """Show the playing position as a line with the temperature there (None hides it)."""
        self.plot.set_position(seconds)

    def selected_point(self) -> int | None:
        return self._selected

    def select_point(self, index: int | None) -> None:
        self._select(index)

    def delete_point(self, index: int) -> None:
        """Delete point `index`; the curve's last point cannot go (a message says so)."""
        if len(self._points) <= 1:
            self.statusMessage.emit("A curve keeps at least one point: drag it, or type its value")
            return
        self._points = pts.delete(self._points, index)
        self._selected = None
        self._changed(finished=True, text="Delete curve point")

    # ---- gestures and fields ----

    def _add(self, time: float, value: float) -> None:
        points, index = pts.insert(self._points, time, round(value, pts.VALUE_DECIMALS))
        if index < 0:
            self._select(None)  # nothing to drag
            self.statusMessage.emit("No room for another point there")
            return
        self._points, self._selected = points, index
        self._gesture_changed = True
        self._gesture_text = "Add curve point"
        self._changed(finished=False)

    def _select(self, index: int | None) -> None:
        self._selected = index if index is not None and 0 <= index < len(self._points) else None
        self._refresh()

    def _drag(self, index: int, time: float, value: float) -> None:
        if not 0 <= index < len(self._points):
            return
        moved = pts.move(self._points, index, time, round(value, pts.VALUE_DECIMALS))
        if moved == self._points:
            return
        self._points, self._selected = moved, index
        self._top = max(self._top, fit_top(max(v for _, v in moved)))  # grows while dragging, never jumps back
        self._gesture_changed = True
        self._gesture_text = self._gesture_text or "Move curve point"
        self._changed(finished=False)

    def _gesture_done(self) -> None:
        if self._gesture_changed:
            self._gesture_changed = False
            text, self._gesture_text = self._gesture_text or "Move curve point", ""
            self._changed(finished=True, text=text)

    def _sketched(self, sketch: list[pts.Point]) -> None:
        rounded = [(t, round(v, pts.VALUE_DECIMALS)) for t, v in sketch]
        self._points = pts.merge_sketch(self._points, rounded)
        self._selected = None
        self._changed(finished=True, text="Sketch curve")
        self.statusMessage.emit(f"Sketch turned into {len(sketch)} points")

    def _time_typed(self, seconds: float) -> None:
        if self._selected is not None:
            value = self._points[self._selected][1]
            self._points = pts.move(self._points, self._selected, seconds / self._duration, value)
            self._changed(finished=True, text="Set curve point time")

    def _value_typed(self, value: float) -> None:
        if self._selected is not None:
            time = self._points[self._selected][0]
            self._points = pts.move(self._points, self._selected, time, value)
            self._changed(finished=True, text="Set curve point temperature")

    def _interpolation_chosen(self, index: int) -> None:
        name = self.interpolation_combo.itemData(index)
        if name != self._interpolation:
            self._interpolation = name
            self._changed(finished=True, text=f"Curve interpolation {INTERPOLATION_NAMES.get(name, name)}")

    def _preset_chosen(self, curve: TemperatureCurve) -> None:
        self.apply_curve(curve, f"Curve preset {self.presets.combo.currentText()}")

    def _draw_toggled(self, on: bool) -> None:
        self.plot.draw_mode = on
        if on:
            self.statusMessage.emit("Draw: drag across the plot to sketch the curve")

    # ---- showing ----

    def _changed(self, finished: bool, text: str = "") -> None:
        """Show and announce a change; a finished one that changed the curve goes on the undo stack as `text`."""
        if finished:
            self._top = fit_top(max(v for _, v in self._points))
        self._refresh()
        curve = self.curve()
        self.curveChanged.emit(curve)
        if finished:
            if curve != self._committed:
                self.undo_stack.push(CurveEdit(text or "Change curve", self._committed, curve, self._restore))
                self._committed = curve
            self.curveChangeFinished.emit(curve)

    def _restore(self, curve: TemperatureCurve) -> None:
        """Undo or redo: show `curve` again and announce it as a finished change."""
        self.set_curve(curve)
        self.curveChanged.emit(curve)
        self.curveChangeFinished.emit(curve)

    def _refresh(self) -> None:
        curve = self.curve()
        self.plot.show_curve(curve, self._selected, self._duration, self._top)
        self.presets.set_current(curve)
        with QSignalBlocker(self.interpolation_combo):
            self.interpolation_combo.setCurrentIndex(self.interpolation_combo.findData(self._interpolation))
        chosen = self._selected is not None
        with QSignalBlocker(self.time_spin), QSignalBlocker(self.value_spin):
            self.time_spin.setRange(0.0, self._duration)
            if self._selected is not None:
                time, value = self._points[self._selected]
                self.time_spin.setValue(time * self._duration)
                self.value_spin.setValue(value)
        for spin in (self.time_spin, self.value_spin):
            spin.setEnabled(chosen)
            spin.setToolTip(spin.statusTip() if chosen else "Click a point to type its time and temperature")

    @staticmethod
    def _spin(suffix: str, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setSuffix(suffix)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        spin.setKeyboardTracking(False)  # a typed number applies on Enter or leaving the field, not per keystroke
        spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        spin.setStatusTip(tip)
        spin.setAccessibleName(tip)
        return spin
