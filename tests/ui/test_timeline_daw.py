"""The habits musicians bring from Audacity, Reaper and Ableton: fit on open, Ctrl+A, arrow keys, time selection,
rubber band, tempo grid, overlaps with their crossfade, names that stay readable, and the window at 1280×720."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from inspiration.engine.composition.edits import AddClip, AddTrack, SetTempo
from inspiration.engine.composition.mix import effective_fades
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track
from inspiration.engine.composition.tempo import Tempo
from inspiration.ui.export_dialog import ExportDialog
from inspiration.ui.theme import COLORS
from inspiration.ui.timeline.geometry import LANE_HEIGHT, TimeAxis
from inspiration.ui.timeline.grid import Grid
from inspiration.ui.timeline.lanes import CLIP_MARGIN
from inspiration.ui.timeline.painting import TITLE_HEIGHT, handle_rects
from tests.ui.timeline_helpers import FPP, RATE, drag, make_view, row_y

EMPTY_Y = 2 * LANE_HEIGHT + 10  # below two tracks: the add-track row


@pytest.fixture
def view(qtbot, document, library, jobs):
    return make_view(qtbot, document, library, jobs)


def clip_at(start_s: float, length_s: float, name: str = "clip", **kwargs) -> Clip:
    start, length = round(start_s * RATE), round(length_s * RATE)
    return Clip(ClipSource("x.wav"), start=start, source_in=0, source_out=length, name=name, **kwargs)


def arrange(document, *rows: list[Clip]) -> list[Track]:
    """Tracks holding the given clips; the undo history starts empty."""
    tracks = [Track(name=f"T{i}") for i in range(len(rows))]
    for track, clips in zip(tracks, rows, strict=True):
        document.apply(AddTrack(track))
        for clip in clips:
            document.apply(AddClip(track.id, clip))
    document.undo_stack.clear()
    return tracks


def key(view, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key with the lanes focused (the timeline's window active, as when a musician works in it)."""
    view.window().activateWindow()
    view.lanes.setFocus()
    for _ in range(50):
        if view.lanes.hasFocus():
            break
        QApplication.processEvents()
    assert view.lanes.hasFocus()
    QTest.keyClick(view.lanes, key, modifiers)


# -- keys -------------------------------------------------------------------------------------------------------------


def test_ctrl_a_selects_every_clip(view, document) -> None:
    arrange(document, [clip_at(0, 1), clip_at(2, 1)], [clip_at(1, 1)])
    key(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(view.selected_clip_ids()) == {c.id for _, c in document.project.clips()}


def test_arrows_move_the_playhead_from_grid_line_to_grid_line(view, document) -> None:
    arrange(document, [clip_at(0, 1)])
    step = 20 * FPP  # a minor grid line every 20 px (0.2 s) at 100 px per second
    key(view, Qt.Key.Key_Right)
    key(view, Qt.Key.Key_Right)
    assert view.playhead() == 2 * step
    view.seek(2 * step + 100)  # off the grid: → goes to the next line, ← back to the previous one
    key(view, Qt.Key.Key_Right)
    assert view.playhead() == 3 * step
    key(view, Qt.Key.Key_Left)
    key(view, Qt.Key.Key_Left)
    assert view.playhead() == step
    key(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # Shift: a quarter of the step
    assert view.playhead() == step + step // 4
    assert document.undo_stack.count() == 0


def test_arrows_nudge_the_selected_clips_one_undo_step_per_press(view, document) -> None:
    (track,) = arrange(document, [clip_at(1, 1), clip_at(3, 1)])
    first, second = track.clips if track.clips else document.project.tracks[0].clips
    view.select([first.id, second.id])
    key(view, Qt.Key.Key_Right)
    key(view, Qt.Key.Key_Right)
    key(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    step = 20 * FPP
    moved = document.project.tracks[0].clips
    assert [c.start for c in moved] == [first.start + 2 * step - step // 4, second.start + 2 * step - step // 4]
    assert view.playhead() == 0  # the playhead stays while clips are nudged
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    assert document.project.tracks[0].clips[0].start == first.start + 2 * step
    view.select([first.id])
    for _ in range(20):  # never before the timeline's start
        key(view, Qt.Key.Key_Left)
    assert document.project.tracks[0].clips[0].start == 0


def test_arrow_keys_belong_to_the_timeline_only_while_it_has_focus(make_window, qtbot) -> None:
    window = make_window()
    assert all(n in window.timeline_actions for n in ("select_all", "left", "right"))
    window.library_panel.view.setFocus()
    window.timeline.seek(0)
    QTest.keyClick(window.library_panel.view, Qt.Key.Key_Right)
    assert window.timeline.playhead() == 0
    window.timeline.lanes.setFocus()
    qtbot.waitUntil(window.timeline.lanes.hasFocus)
    QTest.keyClick(window.timeline.lanes, Qt.Key.Key_Right)
    assert window.timeline.playhead() > 0


# -- time selection ---------------------------------------------------------------------------------------------------


def test_dragging_on_an_empty_lane_makes_a_snapped_time_selection(view, document, qtbot) -> None:
    arrange(document, [clip_at(0, 0.5)], [clip_at(4, 1)])
    with qtbot.waitSignal(view.timeSelectionChanged) as changed:
        drag(view.lanes, QPoint(102, row_y(0)), QPoint(297, row_y(1)))
    assert changed.args == [(100 * FPP, 300 * FPP)]  # both ends snapped to the grid (every 20 px)
    assert view.time_selection() == (RATE, 3 * RATE) and view.playhead() == RATE
    assert view.time_selection_text() == "0:01.00 – 0:03.00 (2.00 s)"
    assert view.selected_clip_ids() == [] and document.undo_stack.count() == 0
    view.lanes.grab()  # paints the selection and its readout
    QTest.mouseClick(view.lanes, Qt.MouseButton.LeftButton, pos=QPoint(500, EMPTY_Y))  # a click clears it
    assert view.time_selection() is None


def test_escape_during_a_time_selection_drag_keeps_the_old_one(view, document) -> None:
    arrange(document, [clip_at(0, 0.5)])
    view.set_time_selection((RATE, 2 * RATE))
    QTest.mousePress(view.lanes, Qt.MouseButton.LeftButton, pos=QPoint(400, EMPTY_Y))
    QTest.mouseMove(view.lanes, QPoint(600, EMPTY_Y))
    assert view.shown_time_selection() == (400 * FPP, 600 * FPP)
    key(view, Qt.Key.Key_Escape)
    assert view.shown_time_selection() == view.time_selection() == (RATE, 2 * RATE)


def test_delete_removes_the_time_selection_across_tracks_without_ripple(view, document) -> None:
    arrange(document, [clip_at(0, 2)], [clip_at(0.5, 1), clip_at(2.5, 1)])
    view.set_time_selection((RATE, 3 * RATE))
    key(view, Qt.Key.Key_Delete)
    clips = [[(c.start, c.end) for c in t.clips] for t in document.project.tracks]
    assert clips == [[(0, RATE)], [(RATE // 2, RATE), (3 * RATE, RATE * 7 // 2)]]
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Delete time"
    document.undo_stack.undo()
    assert len(document.project.tracks[1].clips) == 2 and document.project.tracks[0].clips[0].end == 2 * RATE


def test_ctrl_delete_closes_the_gap(view, document) -> None:
    arrange(document, [clip_at(0, 1), clip_at(3, 1)])
    view.set_time_selection((RATE, 2 * RATE))
    key(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert [c.start for c in document.project.tracks[0].clips] == [0, 2 * RATE]
    assert view.time_selection() is None


def test_the_context_menu_over_a_time_selection_offers_its_edits(view, document) -> None:
    arrange(document, [clip_at(0, 4)])
    view.select([document.project.tracks[0].clips[0].id])  # a selected clip does not change what it deletes
    view.set_time_selection((RATE, 2 * RATE))
    menu = view.lanes.context_menu(QPointF(150, EMPTY_Y))
    assert [a.text() for a in menu.actions()][:2] == ["Delete time", "Delete time, closing the gap"]
    assert view.playhead() == 0
    menu.actions()[0].trigger()
    assert [(c.start, c.end) for c in document.project.tracks[0].clips] == [(0, RATE), (2 * RATE, 4 * RATE)]
    assert "Delete time" not in [a.text() for a in view.lanes.context_menu(QPointF(400, EMPTY_Y)).actions()]
    assert view.playhead() == 400 * FPP  # outside the selection a right click moves the playhead


def test_with_clips_selected_delete_deletes_them_not_the_time(view, document) -> None:
    (track,) = arrange(document, [clip_at(0, 1), clip_at(3, 1)])
    view.set_time_selection((0, 4 * RATE))
    view.select([document.project.tracks[0].clips[0].id])
    key(view, Qt.Key.Key_Delete)
    assert [c.start for c in document.project.tracks[0].clips] == [3 * RATE]


def test_l_loops_the_time_selection_and_export_and_prime_offer_it(make_window, qtbot) -> None:
    window = make_window()
    tracks = arrange(window.document, [clip_at(0, 2)])
    assert tracks
    timeline = window.timeline
    assert not window.generate_tab.panel.prime.selection_button.isEnabled()
    timeline.set_time_selection((RATE // 2, RATE))
    assert window.generate_tab.panel.prime.selection_button.isEnabled()
    window.act_loop.trigger()  # L
    assert window.loop_region == (RATE // 2, RATE) and window.act_loop.isChecked() and timeline.is_loop_enabled()
    dialog = ExportDialog(
        window.document, window.jobs, None, window.loop_region, None, window, selection=timeline.time_selection()
    )
    qtbot.addWidget(dialog)
    assert dialog.selection.isEnabled() and "0:00.500" in dialog.selection.text()
    dialog.selection.setChecked(True)
    assert dialog.export_range() == (RATE // 2, RATE)
    timeline.set_time_selection(None)
    assert not window.generate_tab.panel.prime.selection_button.isEnabled()


def test_the_selection_primes_generation(qtbot, make_window) -> None:
    window = make_window()
    chooser = window.generate_tab.panel.prime
    window.timeline.set_time_selection((0, RATE))
    calls = []
    chooser.set_selection_source(lambda: calls.append(1) or (np.zeros((2, 480), np.float32), RATE), lambda: True)
    chooser.set_mode("selection")
    source = window.generate_tab.panel._prime_source()
    assert calls and source is not None and source.description == "timeline time selection"
    assert source.audio.shape == (2, 480)


def test_export_without_a_selection_disables_that_range(document, library, jobs, qtbot) -> None:
    arrange(document, [clip_at(0, 1)])
    dialog = ExportDialog(document, jobs, None, None)
    qtbot.addWidget(dialog)
    assert not dialog.selection.isEnabled() and dialog.export_range() == (0, None)


# -- rubber band ------------------------------------------------------------------------------------------------------


def test_ctrl_drag_on_empty_space_is_a_rubber_band_adding_to_the_selection(view, document) -> None:
    arrange(document, [clip_at(1, 1), clip_at(5, 1)], [clip_at(1.5, 1)])
    rows = document.project.tracks
    far = rows[0].clips[1].id
    view.select([far])
    ctrl = Qt.KeyboardModifier.ControlModifier
    start, end = QPoint(50, 10), QPoint(160, row_y(1))  # from empty space before the clips, across both rows
    QTest.mousePress(view.lanes, Qt.MouseButton.LeftButton, ctrl, start)
    for i in range(1, 5):
        QTest.mouseMove(view.lanes, start + (end - start) * i / 4)
    assert view.lanes.band is not None
    view.lanes.grab()  # paints the band
    QTest.mouseRelease(view.lanes, Qt.MouseButton.LeftButton, ctrl, end)
    assert set(view.selected_clip_ids()) == {rows[0].clips[0].id, rows[1].clips[0].id, far}
    assert view.lanes.band is None and view.time_selection() is None and document.undo_stack.count() == 0


# -- tempo and grid ---------------------------------------------------------------------------------------------------


def test_bars_grid_labels_and_snapping(qtbot, document, library, jobs) -> None:
    view = make_view(qtbot, document, library, jobs, grid="bars")  # 120 BPM in 4/4: a beat is 50 px, a bar 200
    grid = view.grid()
    assert grid.major == 2 * RATE and grid.minor == RATE / 8  # bars labelled, sixteenth notes between
    assert [grid.label(f) for f in (0, 2 * RATE, 4 * RATE)] == ["1", "2", "3"]
    arrange(document, [clip_at(0, 0.5)])
    drag(view.lanes, QPoint(104, EMPTY_Y), QPoint(196, EMPTY_Y))
    assert view.time_selection() == (RATE, 2 * RATE)  # beat lines at 100 and 200 px
    assert view.time_selection_text().startswith("1.3 – 2.1 · ")
    key(view, Qt.Key.Key_Right)
    assert view.playhead() == RATE + RATE // 8
    view.ruler.grab()


def test_grid_steps_and_labels_at_other_zooms() -> None:
    axis = TimeAxis(sample_rate=RATE, fpp=48.0)  # 1000 px per second: eighths of a beat are labelled
    fine = Grid.for_view(axis, Tempo(120.0), "bars")
    assert fine.major == RATE / 16 and fine.label(RATE // 2 + RATE // 16) == "1.2.2"
    axis.fpp = 4800.0  # 10 px per second: a bar is 20 px, labels every 4 bars, bars between
    coarse = Grid.for_view(axis, Tempo(120.0), "bars")
    assert (coarse.major, coarse.minor) == (8 * RATE, 2 * RATE) and coarse.label(16 * RATE) == "9"
    beats = Grid.for_view(TimeAxis(sample_rate=RATE, fpp=240.0), Tempo(90.0, 6, 8), "bars")
    assert beats.label(round(RATE * 7 / 3)) == "2.2" and beats.position_text(0) == "1.1"
    seconds = Grid.for_view(TimeAxis(sample_rate=RATE, fpp=480.0), Tempo(), "seconds")
    assert (seconds.major, seconds.minor) == (RATE, RATE / 5) and seconds.label(75 * RATE) == "1:15"
    assert seconds.next_line(RATE, 1) == RATE + RATE // 5 and seconds.next_line(RATE, -1) == RATE - RATE // 5


def test_the_tempo_bar_edits_the_project_one_undo_step_each(view, document) -> None:
    bar = view.tempo_bar
    bar.bpm.setValue(96.5)
    bar.signature.setCurrentText("6/8")
    assert document.project.tempo == Tempo(96.5, 6, 8)
    bar.grid_button.click()
    assert document.project.grid == "bars" and bar.grid_button.text() == "Bars"
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.project.tempo == Tempo(96.5, 4, 4) and bar.signature.currentText() == "4/4"
    assert document.project.grid == "seconds" and bar.grid_button.text() == "Sec"
    document.apply(SetTempo(tempo=Tempo(140.0, 3, 4)))  # an edit from elsewhere: the bar follows
    assert bar.bpm.value() == 140.0 and bar.signature.currentText() == "3/4"


# -- drawing ----------------------------------------------------------------------------------------------------------


def _pixels(image: QImage, rect: QRectF, color: str, tolerance: int = 60) -> int:
    """How many pixels in `rect` are close to `color` (summed RGB distance below `tolerance`)."""
    target, count = QColor(color), 0
    for x in range(int(rect.left()), int(rect.right())):
        for y in range(int(rect.top()), int(rect.bottom())):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - target.red()) + abs(c.green() - target.green()) + abs(c.blue() - target.blue())
                < tolerance
            ):
                count += 1
    return count


def test_overlapping_clips_stay_visible_with_the_mixers_crossfade_drawn(view, document) -> None:
    first, second = clip_at(1, 2, "first"), clip_at(2.5, 2, "second")
    (track,) = arrange(document, [first, second])
    fades = effective_fades(document.project.tracks[0])
    assert fades[first.id][1] == Fade(RATE // 2, "equal_power")  # what the mixer does over the 0.5 s overlap
    image = view.lanes.grab().toImage()
    top = CLIP_MARGIN + TITLE_HEIGHT + 4
    overlap = QRectF(252, top, 46, LANE_HEIGHT - top - CLIP_MARGIN - 4)  # 2.5 s – 3.0 s
    after = QRectF(352, top, 46, overlap.height())  # the second clip alone
    assert _pixels(image, overlap, COLORS.accent) > 20  # the crossfade curves
    assert _pixels(image, after, COLORS.accent) == 0
    # the first clip's body shows through the second one's over the overlap: its colour is not the plain body
    assert image.pixelColor(260, LANE_HEIGHT - 12) != image.pixelColor(360, LANE_HEIGHT - 12)


def test_fade_handles_hang_below_the_name_band() -> None:
    clip = clip_at(0, 2, fade_in=Fade(RATE), fade_out=Fade(RATE // 2))
    rect = QRectF(0, CLIP_MARGIN, 200, LANE_HEIGHT - 2 * CLIP_MARGIN)
    for handle in handle_rects(rect, clip, FPP):
        assert handle.top() >= rect.top() + TITLE_HEIGHT
    small = QRectF(0, 0, 200, 30)  # too low for a name band: handles at the top
    assert handle_rects(small, clip, FPP)[0].top() == 1


def test_a_clips_name_stays_in_view_while_its_start_is_scrolled_away(view, document) -> None:
    arrange(document, [clip_at(0, 8, "a long take")])
    band, empty = QRectF(2, CLIP_MARGIN + 2, 60, TITLE_HEIGHT - 4), QRectF(300, CLIP_MARGIN + 2, 60, TITLE_HEIGHT - 4)
    image = view.lanes.grab().toImage()
    assert _pixels(image, band, COLORS.text, 250) > 20 and _pixels(image, empty, COLORS.text, 250) == 0
    view.axis.origin = 3 * RATE  # the clip's start is 300 px to the left of the view
    view.update_scrollbars()
    assert _pixels(view.lanes.grab().toImage(), band, COLORS.text, 250) > 20


# -- opening and the window -------------------------------------------------------------------------------------------


def test_a_project_opens_zoomed_to_fit(view, document, tmp_path) -> None:
    sf.write(tmp_path / "long.wav", np.zeros(25 * RATE, np.float32), RATE)
    path = tmp_path / "piece.inspiration"
    clips = [{"source": "long.wav", "start": 0}]
    path.write_text(json.dumps({"version": 1, "tracks": [{"clips": clips}]}))
    document.open(path)
    first, last = view.axis.visible
    assert first == 0 and 25 * RATE <= last <= 27 * RATE


def test_at_1280_by_720_the_timeline_has_most_of_the_width(make_window, qtbot) -> None:
    window = make_window()
    window.default_layout(QSize(1280, 720))
    qtbot.waitUntil(lambda: window.width() == 1280 and window.timeline.lanes.width() < 700)
    timeline = window.timeline.width()
    assert all(timeline > dock.width() for dock in window.docks() if dock.isVisible())
    assert window.generate_dock.width() <= 340 and window.timeline.lanes.width() >= 480, window.timeline.lanes.width()
    window.train_dock.raise_()
    panel = window.train_panel
    panel.setup_toggle.click()  # the setup folds away and the plot gets the room
    assert not panel.setup_box.isVisible() and panel.plot.isVisibleTo(panel)
    window.act_panels.trigger()  # Ctrl+Alt+B: the side panels go
    assert not any(d.isVisible() for d in window.docks())
    qtbot.waitUntil(lambda: window.timeline.lanes.width() > 1000)
    window.act_panels.trigger()
    assert window.library_dock.isVisible() and window.train_dock.isVisible()


def test_thousands_of_clips_a_few_frames_apart_cost_one_drawing_per_pixel(view, document) -> None:
    """Zoomed out, clips that fall on the same pixels as the one just drawn are not drawn again (a hostile project
    of 20,000 overlapping clips took minutes to open); a selected one always is."""
    from unittest import mock

    from inspiration.ui.timeline import lane_painting

    clips = [clip_at(i * 0.01, 0.5, name=f"c{i}") for i in range(300)]
    document.apply(AddTrack(Track(name="Many", clips=tuple(clips))))
    view.axis.fpp, view.axis.origin = 4800, 0.0  # 0.1 px between clip starts
    view.select([clips[150].id])
    width = view.lanes.width()

    def draws() -> tuple[list[str], int]:
        """The clips drawn and the crossfades drawn by one paint (no painter is kept past its paint)."""
        clip_ids: list[str] = []
        fades = [0]
        paint_clip, paint_crossfade = lane_painting.paint_clip, lane_painting.paint_crossfade

        def counted_clip(painter, rect, clip, *rest):
            clip_ids.append(clip.id)
            paint_clip(painter, rect, clip, *rest)

        def counted_crossfade(*args):
            fades[0] += 1
            paint_crossfade(*args)

        with (
            mock.patch.object(lane_painting, "paint_clip", counted_clip),
            mock.patch.object(lane_painting, "paint_crossfade", counted_crossfade),
        ):
            view.lanes.grab()
        return clip_ids, fades[0]

    drawn, crossfades = draws()
    span = 3.5 * RATE / 4800  # px from the first clip's start to the last one's end
    assert 0 < len(drawn) <= 2 * span + 1 and clips[150].id in drawn
    assert 0 < crossfades <= span
    view.axis.fpp = 48  # 10 px between clip starts: every visible one is drawn
    drawn, _ = draws()
    assert len(set(drawn)) >= width // 10
