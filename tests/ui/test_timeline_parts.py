"""The timeline's parts: waveform cache, ruler, track headers, zoom and scrolling, edit actions, and how it looks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from inspiration.engine.composition.edits import AddClip, AddTrack, SetClipGain, SetFades
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track
from inspiration.ui.theme import COLORS, apply_dark_theme
from inspiration.ui.timeline.geometry import LANE_HEIGHT, grid_steps, time_label
from inspiration.ui.timeline.pyramids import PyramidCache
from tests.ui.timeline_helpers import RATE, drag, make_view, row_y

SCREENSHOT = Path("/tmp/timeline_screenshot.png")


@pytest.fixture
def view(qtbot, document, library, jobs):
    return make_view(qtbot, document, library, jobs)


def library_clips(view, library, count: int) -> list[str]:
    records = library.list(sort="duration", descending=False)[:count]
    return view.drop_library_clips([r.id for r in records], None, RATE // 2)


# -- waveform cache ---------------------------------------------------------------------------------------------------


def test_pyramid_cache_builds_in_the_background_and_stays_in_budget(qtbot, jobs, library) -> None:
    cache = PyramidCache(jobs)
    ready: list[str] = []
    cache.ready.connect(ready.append)
    paths = [library.path_of(r.id) for r in library.list()]
    assert cache.get(paths[0]) is None and cache.get(paths[1]) is None
    assert not jobs.running()  # builds start after the paint that asked for them
    qtbot.waitUntil(lambda: bool(jobs.running()) or cache.pending() < 2)
    assert len(jobs.running()) <= 1  # one build at a time
    qtbot.waitUntil(lambda: bool(ready))
    assert ready[0] == str(paths[0])
    qtbot.waitUntil(lambda: cache.pending() == 0)
    pyramid = cache.get(paths[1])
    assert pyramid is not None and pyramid.sample_rate == 16000
    assert pyramid.frames == round(library.get(library.list()[1].id).duration * 16000)
    cache.budget_bytes = pyramid.nbytes  # room for one: the oldest goes
    cache.get(paths[2])
    qtbot.waitUntil(lambda: cache.pending() == 0)
    assert len(cache) == 1 and cache.nbytes <= cache.budget_bytes and cache.get(paths[2]) is not None


def test_pyramid_cache_reports_unreadable_files(qtbot, jobs, tmp_path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    cache = PyramidCache(jobs)
    with qtbot.waitSignal(cache.failed) as blocker:
        assert cache.get(bad) is None
    assert blocker.args[0] == str(bad) and "not a readable audio file" in blocker.args[1]
    qtbot.waitUntil(lambda: cache.pending() == 0)
    assert cache.get(bad) is None and cache.pending() == 0  # not retried
    assert cache.get(tmp_path / "missing.wav") is None and cache.pending() == 0


# -- ruler, headers ---------------------------------------------------------------------------------------------------


def test_ruler_click_seeks_and_drag_sets_the_loop(view, qtbot) -> None:
    with qtbot.waitSignal(view.playheadSeeked) as seek:
        QTest.mouseClick(view.ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, QPoint(333, 10))
    assert seek.args == [333 * 480]
    with qtbot.waitSignal(view.loopRegionChanged) as loop:
        drag(view.ruler, QPoint(402, 10), QPoint(197, 10))
    assert loop.args == [(200 * 480, 400 * 480)]  # snapped to the grid, in order
    view.set_loop_enabled(True)
    assert view.loop_region() == (96000, 192000) and view.is_loop_enabled()


def test_headers_mute_solo_rename_add(view, document, qtbot) -> None:
    document.apply(AddTrack(Track(name="Drums")))
    track_id = document.project.tracks[0].id
    headers = view.headers
    QTest.mouseClick(headers, Qt.MouseButton.LeftButton, pos=headers.button_rect(0, "mute").center().toPoint())
    assert document.project.track(track_id).mute
    QTest.mouseClick(headers, Qt.MouseButton.LeftButton, pos=headers.button_rect(0, "solo").center().toPoint())
    assert document.project.track(track_id).solo
    QTest.mouseDClick(headers, Qt.MouseButton.LeftButton, pos=headers.name_rect(0).center().toPoint())
    editor = headers._editor
    assert editor is not None and editor.text() == "Drums"
    QTest.keyClicks(editor, "Beats")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert document.project.track(track_id).name == "Beats"
    document.undo_stack.undo()
    assert document.project.track(track_id).name == "Drums" and document.project.track(track_id).solo
    QTest.mouseClick(headers, Qt.MouseButton.LeftButton, pos=headers.add_rect().center().toPoint())
    assert [t.name for t in document.project.tracks] == ["Drums", "Track 2"]


def test_rename_escape_keeps_the_name(view, document) -> None:
    document.apply(AddTrack(Track(name="Bass")))
    editor = view.headers.start_rename(0)
    QTest.keyClicks(editor, "Nope")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert document.project.tracks[0].name == "Bass" and document.undo_stack.count() == 1


# -- zoom and scrolling -----------------------------------------------------------------------------------------------


def wheel(widget, x: float, delta: int, modifiers) -> None:
    pos = QPointF(x, 40)
    event = QWheelEvent(
        pos,
        widget.mapToGlobal(pos),
        QPoint(),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


@pytest.mark.parametrize("delta", [120, -120, 360])
def test_ctrl_wheel_zoom_keeps_the_time_under_the_cursor(view, delta: int) -> None:
    view.axis.origin = 5 * RATE
    before_fpp, x = view.axis.fpp, 317.0
    under = view.axis.origin + x * view.axis.fpp
    wheel(view.lanes, x, delta, Qt.KeyboardModifier.ControlModifier)
    assert view.axis.fpp != before_fpp
    assert view.axis.origin + x * view.axis.fpp == pytest.approx(under, abs=1)
    assert view.hbar.value() == round(view.axis.origin / view.axis.fpp)


def test_wheel_scrolls_tracks_and_shift_wheel_scrolls_time(view, document) -> None:
    for i in range(8):
        document.apply(AddTrack(Track(name=f"T{i}")))
    wheel(view.lanes, 100, -240, Qt.KeyboardModifier.NoModifier)
    assert view.rows.scroll == LANE_HEIGHT and view.vbar.value() == LANE_HEIGHT
    wheel(view.lanes, 100, -120, Qt.KeyboardModifier.ShiftModifier)
    assert view.axis.origin > 0


def test_zoom_fit_and_follow_playhead(view, document, library) -> None:
    library_clips(view, library, 3)
    view.zoom_fit()
    first, last = view.axis.visible
    assert first == 0 and document.project.length <= last <= document.project.length * 1.2
    view.zoom_in()
    view.zoom_in()
    view.set_follow_playhead(True)
    end = int(view.axis.visible[1]) + 10
    view.set_playhead(end)
    first, last = view.axis.visible
    assert first <= end < last


# -- edit actions -----------------------------------------------------------------------------------------------------


def test_duplicate_delete_copy_paste_through_shortcuts(view, document, library, qtbot) -> None:
    a, b = library_clips(view, library, 2)
    view.window().activateWindow()
    view.lanes.setFocus()
    qtbot.waitUntil(view.lanes.hasFocus)
    view.select([a])
    QTest.keyClick(view.lanes, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    track = document.project.tracks[0]
    clip_a, copy = document.project.clip(a), document.project.clip(view.selected_clip_ids()[0])
    assert len(track.clips) == 3 and copy.start == clip_a.end and copy.source == clip_a.source
    QTest.keyClick(view.lanes, Qt.Key.Key_Delete)
    assert len(document.project.tracks[0].clips) == 2
    view.select([b])
    QTest.keyClick(view.lanes, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    view.set_playhead(10 * RATE)
    QTest.keyClick(view.lanes, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    pasted = document.project.clip(view.selected_clip_ids()[0])
    assert pasted.start == 10 * RATE and pasted.length == document.project.clip(b).length and pasted.id != b
    assert set(view.actions_by_name()) >= {"split", "delete", "duplicate", "copy", "paste", "zoom_in", "zoom_fit"}
    assert document.undo_stack.count() == 4  # drop, duplicate, delete, paste


def test_split_without_selection_cuts_every_clip_under_the_playhead(view, document) -> None:
    a, b = Track(), Track()
    document.apply(AddTrack(a))
    document.apply(AddTrack(b))
    for track in (a, b):
        document.apply(AddClip(track.id, Clip(ClipSource("x.wav"), start=0, source_in=0, source_out=RATE)))
    view.set_playhead(RATE // 3)
    view.actions_by_name()["split"].trigger()
    assert [len(t.clips) for t in document.project.tracks] == [2, 2]
    document.undo_stack.undo()
    assert [len(t.clips) for t in document.project.tracks] == [1, 1]


def test_fade_shape_and_reset_gain(view, document, library) -> None:
    (clip_id,) = library_clips(view, library, 1)
    document.apply(SetFades(clip_id, fade_in=Fade(1000), fade_out=Fade(2000)))
    document.apply(SetClipGain(clip_id, -6.0))
    view.select([clip_id])
    view.set_fade_shape("s_curve")
    view.reset_gain()
    clip = document.project.clip(clip_id)
    assert clip.fade_in == Fade(1000, "s_curve") and clip.fade_out == Fade(2000, "s_curve") and clip.gain_db == 0


# -- looks ------------------------------------------------------------------------------------------------------------


def test_labels_follow_the_zoom() -> None:
    assert grid_steps(480, RATE)[0] == 1 and time_label(75, 1) == "1:15"
    assert grid_steps(48, RATE)[0] == 0.1 and time_label(1.25, 0.1) == "0:01.2"
    assert grid_steps(48000, RATE)[0] == 120 and time_label(3725, 60) == "1:02:05"


def test_screenshot_of_a_two_track_project(view, document, library, qtbot) -> None:
    """Renders a project with a selected clip, an offline clip, fades, gain and a loop region (look at the PNG)."""
    apply_dark_theme(QApplication.instance())
    a, b, c = library_clips(view, library, 3)
    second = view.add_track()
    document.apply(SetFades(b, fade_in=Fade(RATE // 4, "s_curve"), fade_out=Fade(RATE // 2, "equal_power")))
    document.apply(SetClipGain(c, -4.5))
    view.drop_library_clips([library.list(sort="duration")[0].id], second, RATE)
    lost = Clip(ClipSource("takes/lost.wav"), start=int(3.2 * RATE), source_in=0, source_out=RATE, name="lost take")
    document.apply(AddClip(second, lost))
    view.select([b])
    view.set_playhead(int(2.1 * RATE))
    view.set_loop_region((RATE, 3 * RATE))
    view.set_loop_enabled(True)
    qtbot.waitUntil(lambda: view.pyramids.pending() == 0 and len(view.pyramids) == 4)
    image = view.grab().toImage()
    image.save(str(SCREENSHOT))
    lanes_origin = view.lanes.mapTo(view, QPoint(0, 0))
    offline_px = image.pixelColor(lanes_origin + QPoint(round(3.7 * 100), row_y(1) + 10))
    assert offline_px.red() > offline_px.blue()  # the offline hatch is drawn in red tones
    waveform_row = [image.pixelColor(lanes_origin + QPoint(x, row_y(0) - 8 + 5)).name() for x in range(60, 140)]
    assert COLORS.waveform in waveform_row  # the first clip's waveform is drawn
    assert "lost take" in view.clip_tooltip(lost) and "missing" in view.clip_tooltip(lost)


def test_painting_at_every_zoom(view, document, library) -> None:
    library_clips(view, library, 4)
    for fpp in (4, 40, 480, 4800, 48000):
        view.axis.fpp = fpp
        assert not view.lanes.grab().isNull() and not view.ruler.grab().isNull()
    assert np.isfinite(view.axis.fpp)


def test_clip_context_menu_offers_the_clip_edits(view, document, library) -> None:
    (clip_id,) = library_clips(view, library, 1)
    view.select([])
    x = round(document.project.clip(clip_id).start / 480) + 30
    menu = view.lanes.context_menu(QPointF(x, row_y(0)))
    texts = [a.text() for a in menu.actions()]
    assert texts[:4] == ["Split at playhead", "Duplicate", "Delete", "Fade shape"] and "Reset gain" in texts
    assert view.selected_clip_ids() == [clip_id]
    shapes = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in shapes.actions() if a.text() == "Exponential").trigger()
    clip = document.project.clip(clip_id)
    assert clip.fade_in.shape == clip.fade_out.shape == "exponential"
    assert "Duplicate" not in [a.text() for a in view.lanes.context_menu(QPointF(900, row_y(0))).actions()]
