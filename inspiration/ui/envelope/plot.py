"""The envelope's plot: the curve over the clip's seconds, its breakpoint handles, and the mouse gestures on them.

The plot draws what the editor gives it (`show`) and turns gestures into requests (signals); the editor owns the
points. pyqtgraph's own pan, zoom and menu are off: every press, drag and click here edits the curve.

Gestures: press on empty space adds a point and drags it; press on a handle drags it; double-click or right-click
on a handle (or Delete with the plot focused) deletes it; Shift+drag, or any drag with the draw tool on, sketches
a freehand curve that is simplified (Ramer–Douglas–Peucker, SKETCH_TOLERANCE_PX) into a few breakpoints.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QFont, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from inspiration.engine.curves.curve import TemperatureCurve
from inspiration.engine.timefmt import decimals_for_step, format_clock
from inspiration.ui.envelope.points import Point, monotonic, simplify
from inspiration.ui.theme import COLORS, qcolor

HANDLE_RADIUS_PX = 9.0  # how near a press must be to a handle to grab it
SKETCH_TOLERANCE_PX = 3.0  # a sketch's simplified curve stays this close to the hand's path
SMOOTH_SAMPLES = 400
LABEL_SPACING_PX = 44.0  # the least room between time labels


class SecondsAxis(pg.AxisItem):
    """The time axis: ticks read "0s", "2.5s" (minutes as "1:30" past a minute)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        """One level of round steps (1, 2, 5, 10, 15, 30 s, …) at least LABEL_SPACING_PX apart."""
        span = maxVal - minVal
        if span <= 0 or size <= 0:
            return [(1.0, 0.0)]
        least = span * LABEL_SPACING_PX / size
        steps = [m * 10.0**e for e in range(-2, 3) for m in (1, 2, 5)] + [15.0, 30.0, 60.0, 120.0, 300.0, 600.0]
        return [(min((s for s in steps if s >= least), default=steps[-1]), 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_seconds_text(v * scale, spacing * scale) for v in values]


def _seconds_text(seconds: float, spacing: float) -> str:
    decimals = decimals_for_step(spacing)
    return format_clock(seconds, decimals) if seconds >= 60.0 else f"{seconds:.{decimals}f}s"


class EnvelopePlot(pg.PlotWidget):
    """Signals (times as fractions of the clip): `pointAdded(time, value)`, `pointPressed(index)`,
    `pointDragged(index, time, value)`, `dragFinished()`, `deleteRequested(index)`, `sketched(list[Point])`."""

    pointAdded = Signal(float, float)
    pointPressed = Signal(int)
    pointDragged = Signal(int, float, float)
    dragFinished = Signal()
    deleteRequested = Signal(int)
    sketched = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=COLORS.base, axisItems={"bottom": SecondsAxis("bottom")})
        self.draw_mode = False
        self._points: list[Point] = [(0.0, 1.0)]
        self._selected: int | None = None
        self._duration = 10.0
        self._top = 2.0
        self._drag_index: int | None = None
        self._grab_offset = QPointF()
        self._sketch: list[tuple[Point, QPointF]] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMinimumHeight(120)
        self.setToolTip(
            "Click: add a point · drag a point: move it · double-click or right-click a point: delete it\n"
            "Shift+drag (or the Draw tool): sketch a curve freehand"
        )
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.layout.setContentsMargins(0, 4, 12, 0)
        font = QFont()
        font.setPointSizeF(8.0)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(COLORS.border))
            axis.setTextPen(pg.mkPen(COLORS.text_dim))
            axis.setStyle(tickFont=font, tickLength=-4, tickTextOffset=3)
        item.getAxis("left").setWidth(26)
        item.getAxis("bottom").setHeight(20)
        item.showGrid(x=True, y=True, alpha=0.35)
        self._unity = pg.InfiniteLine(
            pos=1.0, angle=0, pen=pg.mkPen(COLORS.text_dim, width=1, style=Qt.PenStyle.DotLine)
        )
        self._fill = pg.PlotDataItem(pen=None, fillLevel=0.0, brush=qcolor(COLORS.accent, 38))
        self._line = pg.PlotDataItem(pen=pg.mkPen(COLORS.accent, width=2))
        self._sketch_line = pg.PlotDataItem(
            pen=pg.mkPen(COLORS.waveform_selected, width=1.5, style=Qt.PenStyle.DashLine)
        )
        self._handles = pg.ScatterPlotItem(pxMode=True)
        self.position_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(COLORS.text, width=1))
        self.position_dot = pg.ScatterPlotItem(
            size=7, pen=pg.mkPen(COLORS.base), brush=pg.mkBrush(COLORS.text), pxMode=True
        )
        for part in (self._unity, self._fill, self._line, self._sketch_line, self.position_line, self._handles):
            item.addItem(part)
        item.addItem(self.position_dot)
        self.position_line.hide()
        self.position_dot.hide()
        self._position_seconds: float | None = None
        self._curve = TemperatureCurve(points=((0.0, 1.0),))

    # ---- what to draw ----

    def show_curve(self, curve: TemperatureCurve, selected: int | None, duration: float, top: float) -> None:
        """Draw `curve` (fractions) over `duration` seconds with values 0..`top`; `selected` is highlighted."""
        self._curve = curve
        self._points = list(curve.points)
        self._selected = selected
        self._duration = duration
        self._top = top
        item = self.getPlotItem()
        item.setXRange(0.0, duration, padding=0.025)
        item.setYRange(0.0, top, padding=0.04)
        xs, ys = self._polyline(curve)
        self._line.setData(xs * duration, ys)
        self._fill.setData(xs * duration, ys)
        self._draw_handles()
        self._draw_position()

    def set_position(self, seconds: float | None) -> None:
        self._position_seconds = seconds
        self._draw_position()

    def _polyline(self, curve: TemperatureCurve) -> tuple[np.ndarray, np.ndarray]:
        """The curve from the clip's start to its end as an exact polyline (linear, step) or a fine sampling."""
        points = curve.points
        if curve.interpolation == "smooth" and len(points) > 1:
            xs = np.linspace(0.0, 1.0, SMOOTH_SAMPLES)
            return xs, np.asarray(curve.sparkline(SMOOTH_SAMPLES), dtype=np.float64)
        coords: list[Point] = [(0.0, points[0][1])]
        for i, (t, v) in enumerate(points):
            if curve.interpolation == "step" and i > 0:
                coords.append((t, points[i - 1][1]))
            coords.append((t, v))
        coords.append((1.0, points[-1][1]))
        array = np.asarray(coords, dtype=np.float64)
        return array[:, 0], array[:, 1]

    def _draw_handles(self) -> None:
        spots = []
        for i, (t, v) in enumerate(self._points):
            chosen = i == self._selected
            spots.append(
                {
                    "pos": (t * self._duration, v),
                    "size": 11 if chosen else 8,
                    "pen": pg.mkPen(COLORS.text if chosen else COLORS.accent, width=1.5),
                    "brush": pg.mkBrush(COLORS.accent if chosen else COLORS.base),
                }
            )
        self._handles.setData(spots)

    def _draw_position(self) -> None:
        seconds = self._position_seconds
        visible = seconds is not None and 0.0 <= seconds <= self._duration
        self.position_line.setVisible(visible)
        self.position_dot.setVisible(visible)
        if seconds is not None and visible:
            self.position_line.setValue(seconds)
            self.position_dot.setData([seconds], [self._value_at(seconds)])

    def _value_at(self, seconds: float) -> float:
        """The curve's temperature at `seconds` (evaluated as one sample of a clip cut into 100 000 steps)."""
        fraction = min(max(seconds / self._duration, 0.0), 1.0)
        return float(self._curve.values(int(round(fraction * 100_000)), 1, 1, 100_001)[0])

    # ---- coordinates ----

    def to_data(self, pos: QPointF) -> Point:
        """A viewport position as (fraction of the clip, temperature), not clamped."""
        view = self.getPlotItem().vb.mapSceneToView(self.mapToScene(pos.toPoint()))
        return view.x() / self._duration, view.y()

    def to_pixels(self, time: float, value: float) -> QPointF:
        """A (fraction, temperature) point's position in the viewport."""
        scene = self.getPlotItem().vb.mapViewToScene(QPointF(time * self._duration, value))
        return QPointF(self.mapFromScene(scene))

    def _in_plot_area(self, pos: QPointF) -> bool:
        area = self.mapFromScene(self.getPlotItem().vb.sceneBoundingRect()).boundingRect()
        return area.contains(pos.toPoint())

    def handle_at(self, pos: QPointF) -> int | None:
        """The index of the handle nearest `pos` within HANDLE_RADIUS_PX, if any."""
        best, best_distance = None, HANDLE_RADIUS_PX
        for i, (t, v) in enumerate(self._points):
            delta = self.to_pixels(t, v) - pos
            distance = float(np.hypot(delta.x(), delta.y()))
            if distance <= best_distance:
                best, best_distance = i, distance
        return best

    # ---- gestures ----

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        pos = ev.position()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        hit = self.handle_at(pos)
        if ev.button() == Qt.MouseButton.RightButton:
            if hit is not None:
                self.deleteRequested.emit(hit)
            ev.accept()
            return
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        if self.draw_mode or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._sketch = [(self.to_data(pos), pos)]
            return
        if hit is None and not self._in_plot_area(pos):
            return  # a press on the axes' labels adds nothing
        if hit is None:
            time, value = self.to_data(pos)
            self.pointAdded.emit(time, value)
            hit = self._selected  # the editor selects the point it added
            self._grab_offset = QPointF()
        else:
            self.pointPressed.emit(hit)
            self._grab_offset = self.to_pixels(*self._points[hit]) - pos
        self._drag_index = hit

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        pos = ev.position()
        if self._sketch is not None:
            self._sketch.append((self.to_data(pos), pos))
            path = np.asarray([p for p, _ in self._sketch], dtype=np.float64)
            self._sketch_line.setData(path[:, 0] * self._duration, path[:, 1])
        elif self._drag_index is not None:
            time, value = self.to_data(pos + self._grab_offset)
            self.pointDragged.emit(self._drag_index, time, value)
        else:
            self._update_cursor(pos)
        ev.accept()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.accept()
            return
        if self._sketch is not None:
            self._sketch.append((self.to_data(ev.position()), ev.position()))
            self._finish_sketch(self._sketch)
        elif self._drag_index is not None:
            self._drag_index = None
            self.dragFinished.emit()
        ev.accept()

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:
        hit = self.handle_at(ev.position())
        if ev.button() == Qt.MouseButton.LeftButton and hit is not None and self._sketch is None:
            self._drag_index = None
            self.deleteRequested.emit(hit)
        ev.accept()

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:
        ev.accept()  # right-click deletes a point; no menu

    def wheelEvent(self, ev: QWheelEvent) -> None:
        ev.ignore()  # let the dock scroll; the plot does not zoom

    def event(self, ev: QEvent) -> bool:
        """Delete/Backspace with a point selected delete the point, ahead of the window's Delete shortcut."""
        if ev.type() == QEvent.Type.ShortcutOverride and self._deletes(ev):  # type: ignore[arg-type]
            ev.accept()
            return True
        return super().event(ev)

    def _deletes(self, ev: QKeyEvent) -> bool:
        return ev.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._selected is not None

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        if self._deletes(ev):
            self.deleteRequested.emit(self._selected)
            ev.accept()
            return
        super().keyPressEvent(ev)

    def _finish_sketch(self, sketch: list[tuple[Point, QPointF]]) -> None:
        self._sketch = None
        self._sketch_line.setData([], [])
        forward: list[Point] = monotonic([p for p, _ in sketch])
        if len(forward) < 2:  # a click with the draw tool: a single point
            self.pointAdded.emit(*forward[0])
            self.dragFinished.emit()
            return
        pixels = np.asarray([(p.x(), p.y()) for p in (self.to_pixels(t, v) for t, v in forward)], dtype=np.float64)
        kept = simplify(pixels, SKETCH_TOLERANCE_PX)
        self.sketched.emit([forward[i] for i in kept])

    def _update_cursor(self, pos: QPointF) -> None:
        if self.draw_mode:
            shape = Qt.CursorShape.CrossCursor
        elif self.handle_at(pos) is not None:
            shape = Qt.CursorShape.SizeAllCursor
        else:
            shape = Qt.CursorShape.PointingHandCursor
        self.viewport().setCursor(shape)
