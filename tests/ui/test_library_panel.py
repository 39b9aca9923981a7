"""The library panel: sorting and filters, keys and clicks, dragging clips out, importing, watching clips/."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QHelpEvent, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton, QSplitter, QToolTip

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.importer import ImportResult
from inspiration.ui.library import LibraryPanel
from inspiration.ui.library.delegate import row_layout
from inspiration.ui.mime import clip_ids_from_mime
from tests.conftest import tone


def listed(panel: LibraryPanel, qtbot) -> list:
    """The records the list shows once every pending refresh has run."""
    qtbot.waitUntil(lambda: not panel.refreshing and not panel.filter_bar._typing.isActive())
    return panel.model.records()


@pytest.fixture
def panel(library, jobs, qtbot) -> LibraryPanel:
    widget = LibraryPanel(library, jobs)
    qtbot.addWidget(widget)
    widget.resize(320, 500)
    widget.show()
    qtbot.waitUntil(lambda: panel_rows(widget) == 4)
    return widget


def panel_rows(panel: LibraryPanel) -> int:
    return panel.model.rowCount()


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


@pytest.mark.parametrize(
    "sort, descending, attribute",
    [
        ("created", True, "created"),
        ("created", False, "created"),
        ("rating", True, "rating"),
        ("rating", False, "rating"),
        ("duration", True, "duration"),
        ("duration", False, "duration"),
        ("quality", True, "score"),
    ],
)
def test_each_sort_orders_the_list(panel, qtbot, sort, descending, attribute):
    choose(panel.filter_bar.sort, sort)
    if panel.filter_bar.direction.isChecked() != descending:
        panel.filter_bar.direction.click()
    values = [getattr(r, attribute) for r in listed(panel, qtbot)]
    assert len(values) == 4 and values == sorted(values, reverse=descending)
    if attribute in ("rating", "duration"):
        assert len(set(values)) == 4  # the fixture's clips all differ, so the order is fully checked


def test_filters_narrow_the_list(panel, library, qtbot):
    records = {r.rating: r for r in library.list()}
    library.set_tags(records[1].id, ["Bass", "warm"])
    library.set_notes(records[2].id, "nice bass line here")
    other = library.add(tone(0.5, 16000), 16000, model="other-model")
    panel.refresh()
    assert len(listed(panel, qtbot)) == 5
    bar = panel.filter_bar

    QTest.keyClicks(bar.search, "BASS")
    assert {r.id for r in listed(panel, qtbot)} == {records[1].id, records[2].id}
    bar.search.clear()

    choose(bar.rating, 3)
    assert {r.rating for r in listed(panel, qtbot)} == {3, 4}
    choose(bar.rating, 0)

    assert bar.model.findData("other-model") > 0  # the models come from the records
    choose(bar.model, "other-model")
    assert [r.id for r in listed(panel, qtbot)] == [other.id]
    choose(bar.model, None)

    everything = library.list()
    choose(bar.flags, "none")
    assert {r.id for r in listed(panel, qtbot)} == {r.id for r in everything if not r.flags}
    flag = next(f for r in everything for f in r.flags)
    choose(bar.flags, flag)
    assert {r.id for r in listed(panel, qtbot)} == {r.id for r in everything if flag in r.flags}
    choose(bar.flags, "any")

    library.discard(other.id)
    panel.refresh()
    assert other.id not in {r.id for r in listed(panel, qtbot)}
    bar.discarded.setChecked(True)
    shown = {r.id: r for r in listed(panel, qtbot)}
    assert shown[other.id].discarded and len(shown) == 5


@pytest.fixture
def window(panel, qtbot):
    """A main window with window-wide shortcuts for the keys the list uses, like the app's."""
    win = QMainWindow()
    qtbot.addWidget(win)
    other = QPushButton("timeline")
    splitter = QSplitter()
    splitter.addWidget(panel)
    splitter.addWidget(other)
    win.setCentralWidget(splitter)
    win.triggered = []
    for key in ("0", "1", "3", "5", "Del", "Space"):
        action = QAction(key, win, shortcut=QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False, k=key: win.triggered.append(k))
        win.addAction(action)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    win.other = other
    return win


def test_keys_rate_and_discard_even_with_window_shortcuts(panel, library, window, qtbot):
    window.other.setFocus()
    QTest.keyClick(window.other, Qt.Key.Key_1)
    assert window.triggered == ["1"]  # elsewhere the window's shortcut gets the key
    window.triggered.clear()

    first = panel.model.record(0)
    panel.view.setFocus()
    panel.view.select_ids([first.id], first.id)
    QTest.keyClick(panel.view, Qt.Key.Key_5)
    qtbot.waitUntil(lambda: library.get(first.id).rating == 5)
    QTest.keyClick(panel.view, Qt.Key.Key_0)
    qtbot.waitUntil(lambda: library.get(first.id).rating == 0)
    messages = []
    panel.statusMessage.connect(messages.append)
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.model.row_of(first.id) is None)
    assert library.get(first.id).discarded
    assert any("Show discarded" in m and "Restore" in m for m in messages)
    assert window.triggered == []


def test_space_auditions_and_stops_while_the_window_has_a_space_shortcut(panel, library, window, qtbot):
    record = panel.model.record(1)
    panel.view.setFocus()
    panel.view.select_ids([record.id], record.id)
    with qtbot.waitSignal(panel.auditionRequested) as played:
        QTest.keyClick(panel.view, Qt.Key.Key_Space)
    assert played.args == [library.folder / record.path] and played.args[0].is_file()
    with qtbot.waitSignal(panel.auditionStopRequested):
        QTest.keyClick(panel.view, Qt.Key.Key_Space)
    assert window.triggered == []


def test_a_click_auditions_and_a_click_on_the_stars_rates(panel, library, qtbot):
    record = panel.model.record(2)
    rect = panel.view.visualRect(panel.model.index(2))
    with qtbot.waitSignal(panel.auditionRequested) as played, qtbot.waitSignal(panel.selectionChanged) as selected:
        QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=row_layout(rect).thumb.center())
    assert played.args == [library.folder / record.path]
    assert selected.args == [[record.id]]

    stars = row_layout(rect).stars
    fourth_star = QPoint(stars.left() + 3 * 13 + 6, stars.center().y())
    with qtbot.assertNotEmitted(panel.auditionRequested, wait=50):
        QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=fourth_star)
    qtbot.waitUntil(lambda: library.get(record.id).rating == 4)
    qtbot.waitUntil(lambda: panel.model.record(panel.model.row_of(record.id)).rating == 4)
    QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=fourth_star)  # the same star again clears
    qtbot.waitUntil(lambda: library.get(record.id).rating == 0)
    listed(panel, qtbot)


def test_dragging_selected_clips_carries_their_ids(panel, qtbot, monkeypatch):
    drags = []
    monkeypatch.setattr(panel.view, "_exec_drag", drags.append)
    ids = [panel.model.record(0).id, panel.model.record(2).id]
    panel.view.select_ids(ids, ids[0])
    viewport = panel.view.viewport()
    start = row_layout(panel.view.visualRect(panel.model.index(2))).thumb.center()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for dx in (5, 15, 40):
        position = QPointF(start.x() + dx, start.y() + 1)
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            position,
            QPointF(viewport.mapToGlobal(position)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, move)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(start.x() + 40, start.y() + 1))
    assert len(drags) == 1
    assert clip_ids_from_mime(drags[0].mimeData()) == ids
    assert not drags[0].pixmap().isNull()


def test_import_of_a_folder_imports_audio_and_reports_the_rest(panel, library, qtbot, tmp_path, write_tone):
    write_tone("incoming/a.wav", seconds=0.3)
    write_tone("incoming/b.wav", seconds=0.4)
    (tmp_path / "incoming" / "readme.txt").write_text("not audio")
    messages = []
    panel.statusMessage.connect(messages.append)
    job = panel.import_paths([tmp_path / "incoming"])
    assert panel._progress_row.isVisibleTo(panel)
    with qtbot.waitSignal(job.succeeded, timeout=20000) as done:
        pass
    result: ImportResult = done.args[0]
    assert [library.get(i).source for i in result.clip_ids] == [
        str(tmp_path / "incoming" / "a.wav"),
        str(tmp_path / "incoming" / "b.wav"),
    ]
    assert [(p.name, reason) for p, reason in result.skipped] == [("readme.txt", "not an audio file")]
    qtbot.waitUntil(lambda: not panel._progress_row.isVisibleTo(panel), timeout=20000)
    assert {r.id for r in listed(panel, qtbot)} >= set(result.clip_ids)
    assert panel.selected_ids() == sorted(result.clip_ids, key=lambda i: panel.model.row_of(i))
    assert messages[-1] == "Imported 2 clips. Skipped 1 file (readme.txt: not an audio file)"


def test_dropping_files_imports_them(panel, library, qtbot, write_tone):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    path = write_tone("dropped.wav", seconds=0.2)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dropEvent(event)
    qtbot.waitUntil(lambda: any(r.source == str(path) for r in panel.model.records()))
    listed(panel, qtbot)


def test_an_empty_library_shows_a_hint_and_clips_from_elsewhere_appear(jobs, qtbot, tmp_path):
    folder = tmp_path / "empty-library"
    panel = LibraryPanel(ClipLibrary(folder), jobs)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: not panel.refreshing)
    assert panel.hint.isVisible() and "Drop audio files or a folder here" in panel.hint.text()
    ClipLibrary(folder).add(np.zeros(1600, np.float32) + 0.1, 16000, name="from-another-process")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    assert panel.view.isVisible() and not panel.hint.isVisible()
    listed(panel, qtbot)


def test_restore_from_the_context_menu_and_selection_survives_refresh(panel, library, qtbot):
    record = panel.model.record(1)
    library.discard(record.id)
    panel.filter_bar.discarded.setChecked(True)
    shown = {r.id: r for r in listed(panel, qtbot)}
    panel.view.select_ids([record.id], record.id)
    menu = panel.context_menu([shown[record.id]])
    restore = next(a for a in menu.actions() if a.text() == "Restore")
    restore.trigger()
    qtbot.waitUntil(lambda: not library.get(record.id).discarded)
    next(a for a in menu.actions() if a.text() == "Copy path").trigger()
    assert QApplication.clipboard().text() == str(library.folder / record.path)
    rate = next(a.menu() for a in menu.actions() if a.text() == "Rate")
    next(a for a in rate.actions() if a.text() == "★★★★★").trigger()  # no clip has 5 stars yet
    qtbot.waitUntil(lambda: library.get(record.id).rating == 5)
    choose(panel.filter_bar.sort, "duration")
    listed(panel, qtbot)
    assert panel.selected_ids() == [record.id]


def test_hovering_a_flag_badge_explains_it(panel, library, qtbot):
    loop = library.add(np.tile(tone(0.25, 16000, 330.0), 12), 16000, name="stuck")
    assert "loop" in loop.flags
    panel.refresh()
    listed(panel, qtbot)
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(loop.id)))
    badge = row_layout(rect).details.topLeft() + QPoint(8, 8)
    viewport = panel.view.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, badge, viewport.mapToGlobal(badge)))
    assert "Loop: it keeps repeating one short pattern (every" in QToolTip.text()
    QToolTip.hideText()


def test_a_generated_clips_tooltip_names_its_seed_and_tail_cut(library):
    from inspiration.ui.library.delegate import clip_summary

    made = library.add(tone(0.5, 16000), 16000, model="tiny", checkpoint_step=3, seed=9, curve="1.0", min_p=0.05)
    assert "Generated by tiny (step 3), seed 9, tail cut 5 %" in clip_summary(made)
    old = library.add(tone(0.5, 16000), 16000, model="tiny", seed=10, curve="1.0")  # as before min-p was recorded
    assert "seed 10, tail cut 0 %" in clip_summary(old)
    assert "tail cut" not in clip_summary(library.add(tone(0.5, 16000), 16000))  # imported: not generated


def test_a_generated_clips_tooltip_names_its_top_levels_when_it_was_made_with_fewer_than_all(library):
    from inspiration.ui.library.delegate import clip_summary

    made = library.add(tone(0.5, 16000), 16000, model="tiny", seed=9, curve="1.0", min_p=0.05, top_k=40)
    assert "Generated by tiny, seed 9, tail cut 5 %, top levels 40" in clip_summary(made)
    every = library.add(tone(0.5, 16000), 16000, model="tiny", seed=10, curve="1.0", min_p=0.05, top_k=0)
    assert "seed 10, tail cut 5 %" in clip_summary(every) and "top levels" not in clip_summary(every)  # all levels
    old = library.add(tone(0.5, 16000), 16000, model="tiny", seed=11, curve="1.0")  # as before top-k was recorded
    assert "top levels" not in clip_summary(old)
