"""The envelope editor through real mouse events on the plot's viewport: add, drag, sketch, delete; numeric entry;
duration changes keep the shape; the value axis grows for hot points; the playing position."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from inspiration.engine.curves.curve import CURVE_PRESETS, TemperatureCurve
from inspiration.ui.envelope import EnvelopeEditor
from inspiration.ui.theme import apply_dark_theme

LEFT = Qt.MouseButton.LeftButton
FLAT = TemperatureCurve(points=((0.0, 1.0), (0.5, 1.0), (1.0, 1.0)))


@pytest.fixture
def editor(qtbot, tmp_path: Path) -> EnvelopeEditor:
    widget = EnvelopeEditor(tmp_path / "presets")
    qtbot.addWidget(widget)
    widget.resize(360, 260)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_duration(10.0)
    return widget


def pixel(editor: EnvelopeEditor, time: float, value: float) -> QPoint:
    return editor.plot.to_pixels(time, value).toPoint()


def drag(editor: EnvelopeEditor, start: QPoint, end: QPoint, steps: int = 12, shift: bool = False) -> None:
    viewport = editor.plot.viewport()
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, LEFT, modifier, start)
    for i in range(1, steps + 1):
        f = i / steps
        QTest.mouseMove(viewport, QPoint(round(start.x() + (end.x() - start.x()) * f),
                                         round(start.y() + (end.y() - start.y()) * f)))  # fmt: skip
    QTest.mouseRelease(viewport, LEFT, modifier, end)


def sample(curve: TemperatureCurve, fractions: np.ndarray) -> np.ndarray:
    """The curve's per-sample values at these fractions of a 1001-sample clip."""
    values = curve.values(0, 1001, 1000, 1001)
    return values[np.round(fractions * 1000).astype(int)]


def test_click_on_empty_space_adds_a_point_where_the_mouse_is(qtbot, editor: EnvelopeEditor) -> None:
    finished: list[TemperatureCurve] = []
    editor.curveChangeFinished.connect(finished.append)
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=pixel(editor, 0.4, 1.6))
    points = editor.curve().points
    assert len(points) == 2
    time, value = points[1]
    assert time == pytest.approx(0.4, abs=0.005)  # within a pixel (10 s over ~320 px)
    assert value == pytest.approx(1.6, abs=0.02)
    assert editor.selected_point() == 1
    assert editor.time_spin.value() == pytest.approx(time * 10.0, abs=0.01)
    assert editor.value_spin.value() == pytest.approx(value)
    assert len(finished) == 1 and finished[0] == editor.curve()  # one undo step


def test_dragging_a_point_moves_it_and_the_per_sample_values_follow(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    changes: list[TemperatureCurve] = []
    finished: list[TemperatureCurve] = []
    editor.curveChanged.connect(changes.append)
    editor.curveChangeFinished.connect(finished.append)
    drag(editor, pixel(editor, 0.5, 1.0), pixel(editor, 0.5, 1.5))
    assert len(changes) > 3  # the preview follows the drag
    assert len(finished) == 1
    curve = editor.curve()
    assert len(curve.points) == 3
    assert curve.points[1][0] == pytest.approx(0.5, abs=0.005)
    assert curve.points[1][1] == pytest.approx(1.5, abs=0.02)
    expected = np.interp(np.linspace(0, 1, 11), [0, 0.5, 1], [1.0, 1.5, 1.0])
    assert sample(curve, np.linspace(0, 1, 11)) == pytest.approx(expected, abs=0.03)


def test_a_dragged_point_stays_between_its_neighbours_and_in_range(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    drag(editor, pixel(editor, 0.5, 1.0), pixel(editor, 0.9, -0.5))  # past its right neighbour's time, below 0
    # ... past the right edge of the plot and below its floor
    (t0, _), (t1, v1), (t2, _) = editor.curve().points
    assert t0 < t1 < t2 == 1.0
    assert v1 == 0.0
    drag(editor, pixel(editor, t1, v1), pixel(editor, 1.3, 0.5))
    assert editor.curve().points[1][0] < 1.0


def test_pressing_empty_space_and_dragging_places_the_new_point_where_released(qtbot, editor) -> None:
    drag(editor, pixel(editor, 0.3, 1.0), pixel(editor, 0.6, 0.5))
    assert editor.curve().points[1] == pytest.approx((0.6, 0.5), abs=0.02)


def test_dragging_above_the_axis_grows_it_and_release_fits_it(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    assert editor.plot.getPlotItem().vb.viewRange()[1][1] < 2.2
    top_pixel = editor.plot.to_pixels(0.5, 2.0).y()
    viewport = editor.plot.viewport()
    QTest.mousePress(viewport, LEFT, pos=pixel(editor, 0.5, 1.0))
    for y in range(round(top_pixel), -30, -6):  # up past the top edge, as a hand pushing a point higher
        QTest.mouseMove(viewport, QPoint(pixel(editor, 0.5, 1.0).x(), y))
    value_at_release = editor.curve().points[1][1]
    assert value_at_release > 2.0
    QTest.mouseRelease(viewport, LEFT, pos=QPoint(pixel(editor, 0.5, 1.0).x(), -30))
    top = editor.plot.getPlotItem().vb.viewRange()[1][1]
    assert value_at_release < top <= 5.0 * 1.05


def test_freehand_sketch_of_a_ramp_becomes_a_few_points_on_the_ramp(qtbot, editor: EnvelopeEditor) -> None:
    finished: list[TemperatureCurve] = []
    editor.curveChangeFinished.connect(finished.append)
    viewport = editor.plot.viewport()
    start, end = pixel(editor, 0.1, 0.6), pixel(editor, 0.9, 1.6)
    rng = np.random.default_rng(0)
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.ShiftModifier, start)
    for f in np.linspace(0, 1, 80)[1:]:
        jitter = rng.integers(-1, 2)  # a hand is never quite straight
        QTest.mouseMove(viewport, QPoint(round(start.x() + (end.x() - start.x()) * f),
                                         round(start.y() + (end.y() - start.y()) * f) + int(jitter)))  # fmt: skip
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.ShiftModifier, end)
    curve = editor.curve()
    assert 3 <= len(curve.points) <= 6  # the untouched start point, then a handful for the sketch
    assert curve.points[0] == (0.0, 1.0)
    inside = np.linspace(0.12, 0.88, 20)
    assert sample(curve, inside) == pytest.approx(0.6 + (inside - 0.1) / 0.8, abs=0.04)
    assert len(finished) == 1


def test_the_draw_tool_sketches_without_shift_and_replaces_points_under_the_sketch(qtbot, editor) -> None:
    editor.set_curve(TemperatureCurve(points=((0.0, 1.0), (0.4, 0.3), (0.6, 0.3), (1.0, 1.0))))
    QTest.mouseClick(editor.draw_button, LEFT)
    assert editor.draw_button.isChecked()
    drag(editor, pixel(editor, 0.3, 1.2), pixel(editor, 0.7, 1.2), steps=20)
    times = [t for t, _ in editor.curve().points]
    values = [v for _, v in editor.curve().points]
    assert times[0] == 0.0 and times[-1] == 1.0
    assert len(times) == 4  # the two dips under the sketch are gone; the sketch is a straight line: two points
    assert values[1:3] == pytest.approx([1.2, 1.2], abs=0.02)


@pytest.mark.parametrize("gesture", ["right", "double"])
def test_right_click_or_double_click_deletes_a_point(qtbot, editor: EnvelopeEditor, gesture: str) -> None:
    editor.set_curve(FLAT)
    finished: list[TemperatureCurve] = []
    editor.curveChangeFinished.connect(finished.append)
    where = pixel(editor, 0.5, 1.0)
    if gesture == "right":
        QTest.mouseClick(editor.plot.viewport(), Qt.MouseButton.RightButton, pos=where)
    else:
        QTest.mouseDClick(editor.plot.viewport(), LEFT, pos=where)
    assert editor.curve().points == ((0.0, 1.0), (1.0, 1.0))
    assert finished[-1] == editor.curve()


def test_the_last_point_cannot_be_deleted(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(CURVE_PRESETS["constant"])
    with qtbot.waitSignal(editor.statusMessage, timeout=1000) as blocker:
        QTest.mouseClick(editor.plot.viewport(), Qt.MouseButton.RightButton, pos=pixel(editor, 0.0, 1.0))
    assert "at least one point" in blocker.args[0]
    assert editor.curve() == CURVE_PRESETS["constant"]


def test_delete_key_removes_the_selected_point(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=pixel(editor, 1.0, 1.0))
    assert editor.selected_point() == 2
    QTest.keyClick(editor.plot, Qt.Key.Key_Delete)
    assert editor.curve().points == ((0.0, 1.0), (0.5, 1.0))


def test_numeric_entry_moves_the_selected_point(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    assert not editor.time_spin.isEnabled()
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=pixel(editor, 0.5, 1.0))
    assert editor.time_spin.isEnabled() and editor.time_spin.value() == pytest.approx(5.0)
    finished: list[TemperatureCurve] = []
    editor.curveChangeFinished.connect(finished.append)
    editor.time_spin.lineEdit().selectAll()
    QTest.keyClicks(editor.time_spin, "2.5")
    QTest.keyClick(editor.time_spin, Qt.Key.Key_Return)
    editor.value_spin.lineEdit().selectAll()
    QTest.keyClicks(editor.value_spin, "1.35")
    QTest.keyClick(editor.value_spin, Qt.Key.Key_Return)
    assert editor.curve().points[1] == (0.25, 1.35)
    assert len(finished) == 2
    editor.time_spin.setValue(9.999)  # past the next point: kept before it
    assert editor.curve().points[1][0] < 1.0
    assert editor.time_spin.value() == pytest.approx(editor.curve().points[1][0] * 10.0, abs=0.01)


def test_interpolation_choice(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(FLAT)
    combo = editor.interpolation_combo
    with qtbot.waitSignal(editor.curveChangeFinished, timeout=1000) as blocker:
        combo.setCurrentIndex(combo.findData("step"))
        combo.activated.emit(combo.currentIndex())
    assert blocker.args[0].interpolation == "step"
    assert editor.curve().interpolation == "step"


def test_set_duration_keeps_the_shape(qtbot, editor: EnvelopeEditor) -> None:
    shape = TemperatureCurve(points=((0.0, 0.9), (0.25, 1.4), (1.0, 1.1)), interpolation="smooth")
    editor.set_curve(shape)
    before = pixel(editor, 0.25, 1.4)
    editor.set_duration(40.0)
    assert editor.duration() == 40.0
    assert editor.curve() == shape
    assert pixel(editor, 0.25, 1.4) == before  # the same place on screen: the axis now reads 10 s there
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=before)
    assert editor.time_spin.value() == pytest.approx(10.0)
    with pytest.raises(ValueError, match="positive"):
        editor.set_duration(0)


def test_seconds_curves_are_shown_as_fractions_of_the_clip(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(TemperatureCurve(points=((0.0, 0.8), (5.0, 1.2), (20.0, 2.0)), unit="seconds"))
    curve = editor.curve()
    assert curve.unit == "fraction"
    assert np.array(curve.points) == pytest.approx(
        np.array([(0.0, 0.8), (0.5, 1.2), (1.0, 1.2 + 0.8 / 3)])
    )  # cut at 10 s


def test_playing_position_line_shows_the_temperature_there(qtbot, editor: EnvelopeEditor) -> None:
    editor.set_curve(TemperatureCurve(points=((0.0, 0.5), (1.0, 1.5))))
    editor.set_position(2.5)
    assert editor.plot.position_line.isVisible()
    x, y = editor.plot.position_dot.getData()
    assert (x[0], y[0]) == pytest.approx((2.5, 0.75), abs=1e-4)
    editor.set_position(None)
    assert not editor.plot.position_line.isVisible()


def test_screenshots_of_a_ramp_and_a_sketched_swell(qtbot, editor: EnvelopeEditor) -> None:
    """Renders /tmp/envelope_ramp.png and /tmp/envelope_swell.png (dark theme) for a human to look at."""
    apply_dark_theme(QApplication.instance())
    editor.set_curve(CURVE_PRESETS["ramp"])
    editor.grab().save("/tmp/envelope_ramp.png")
    editor.set_curve(CURVE_PRESETS["swell"])
    QTest.mouseClick(editor.draw_button, LEFT)
    viewport = editor.plot.viewport()
    path = [pixel(editor, f, 0.9 + 0.45 * np.sin(np.pi * f) ** 2) for f in np.linspace(0.05, 0.95, 40)]
    QTest.mousePress(viewport, LEFT, pos=path[0])
    for p in path[1:]:
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, LEFT, pos=path[-1])
    QTest.mouseClick(editor.draw_button, LEFT)
    middle = min(range(len(editor.curve().points)), key=lambda i: abs(editor.curve().points[i][0] - 0.5))
    QTest.mouseClick(viewport, LEFT, pos=pixel(editor, *editor.curve().points[middle]))
    editor.set_position(3.0)
    assert editor.selected_point() == middle
    assert len(editor.curve().points) <= 9  # the swell's two end points and a handful from the sketch
    assert max(v for _, v in editor.curve().points) == pytest.approx(1.35, abs=0.03)
    editor.grab().save("/tmp/envelope_swell.png")


def test_a_click_on_the_axis_labels_adds_nothing(qtbot, editor: EnvelopeEditor) -> None:
    below = editor.plot.to_pixels(0.5, 0.0).toPoint() + QPoint(0, 12)  # on the time axis' labels
    left = editor.plot.to_pixels(0.0, 1.5).toPoint() - QPoint(16, 0)  # on the value axis' labels
    for where in (below, left):
        QTest.mouseClick(editor.plot.viewport(), LEFT, pos=where)
    assert editor.curve() == CURVE_PRESETS["constant"]
