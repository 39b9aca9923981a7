"""The curve, clip length and generate settings travel with the project and are remembered for the next start; a
library clip's curve (and seed) can be loaded back, or varied with new seeds."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from inspiration.engine.curves.curve import CURVE_PRESETS, TemperatureCurve
from inspiration.engine.model.truncation import DEFAULT_TOP_K
from tests.conftest import tone
from tests.ui.conftest import idle

SWELL = TemperatureCurve(points=((0.0, 0.6), (0.5, 1.4), (1.0, 0.9)), interpolation="smooth")


def test_a_saved_project_brings_back_its_curve_length_and_settings(make_window, qtbot, tmp_path):
    window = make_window()
    tab = window.generate_tab
    tab.editor.apply_curve(SWELL, "Sketch curve")
    tab.panel.seconds_box.setValue(7.5)
    tab.panel.count_box.setValue(3)
    tab.panel.seed.set_fixed(42)
    tab.panel.set_min_p(0.1)
    tab.panel.set_top_k(24)
    path = window.document.save(tmp_path / "song.inspiration")
    saved = json.loads(path.read_text())["generate"]
    assert saved["seconds"] == 7.5 and saved["count"] == 3 and saved["seed"] == 42 and saved["min_p"] == 0.1
    assert saved["top_k"] == 24
    assert TemperatureCurve.from_dict(saved["curve"]) == SWELL

    window.files.new()
    tab.editor.apply_curve(CURVE_PRESETS["ramp"], "Curve preset Ramp")
    tab.panel.seconds_box.setValue(3.0)
    tab.panel.seed.set_fixed(None)
    tab.panel.set_min_p(0.0)
    tab.panel.set_top_k(0)
    assert window.files.open(path)
    assert tab.editor.curve() == SWELL and tab.editor.duration() == 7.5
    assert (tab.panel.count_box.value(), tab.panel.seed.seed(), tab.panel.min_p()) == (3, 42, 0.1)
    assert tab.panel.top_k() == 24
    assert not tab.editor.undo_stack.canUndo()  # another project's curve history does not apply to this one
    project = json.loads(path.read_text())
    del project["generate"]["top_k"]  # a project saved before top levels existed: its clips were made with all
    older = tmp_path / "older.inspiration"
    older.write_text(json.dumps(project))
    assert window.files.open(older)
    assert tab.panel.min_p() == 0.1 and tab.panel.top_k() == 0
    idle(qtbot, window)


def test_an_old_project_without_settings_keeps_the_current_ones(make_window, qtbot, tmp_path):
    window = make_window()
    old = tmp_path / "old.inspiration"
    old.write_text(json.dumps({"format": "inspiration-project", "version": 1, "tracks": []}))
    window.generate_tab.editor.apply_curve(SWELL, "Sketch curve")
    assert window.files.open(old)
    assert window.generate_tab.editor.curve() == SWELL
    idle(qtbot, window)


def test_damaged_settings_in_a_project_are_named_and_the_rest_is_used(make_window, qtbot, tmp_path):
    window = make_window()
    bad = tmp_path / "bad.inspiration"
    generate = {"curve": {"points": "x"}, "seconds": -1, "count": 2, "min_p": 1.5, "top_k": 1}
    bad.write_text(json.dumps({"format": "inspiration-project", "version": 1, "generate": generate}))
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    assert window.files.open(bad)
    assert window.generate_tab.panel.count_box.value() == 2
    assert any("clip length -1" in m and "curve" in m and "tail cut 1.5" in m and "top levels 1" in m for m in messages)
    assert window.generate_tab.panel.top_k() == DEFAULT_TOP_K  # the bad value is left out
    idle(qtbot, window)


def test_the_last_curve_is_there_after_a_restart(make_window, qtbot):
    first = make_window()
    first.generate_tab.editor.apply_curve(SWELL, "Sketch curve")
    second = make_window()  # the next start
    assert second.generate_tab.editor.curve() == SWELL
    QSettings().setValue("generate/curve", "{not json")
    assert make_window().generate_tab.editor.curve() == CURVE_PRESETS["constant"]
    for window in (first, second):
        idle(qtbot, window)


def _generated_clip(window, seed=7, seconds=1.5, min_p=0.035, top_k=24):
    record = window.library.add(
        tone(seconds, 16000), 16000, model="tiny", seed=seed, curve=SWELL, min_p=min_p, top_k=top_k
    )
    panel = window.library_panel
    panel.refresh()
    return record


def _menu_action(menu: QMenu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_the_library_menu_loads_a_clips_curve_and_seed_undoably(make_window, qtbot):
    window = make_window()
    record = _generated_clip(window)
    imported = window.library.add(tone(1.0, 16000), 16000)
    panel, tab = window.library_panel, window.generate_tab
    menu = panel.context_menu([imported])
    assert not _menu_action(menu, "Use this clip's curve").isEnabled()  # an imported clip has none

    menu = panel.context_menu([record])
    _menu_action(menu, "Use this clip's curve").trigger()
    assert tab.editor.curve() == SWELL and tab.panel.seed.seed() is None
    assert tab.editor.undo_stack.undoText() == f"Use curve of {record.name}"
    tab.editor.undo_stack.undo()
    assert tab.editor.curve() == CURVE_PRESETS["constant"]

    _menu_action(panel.context_menu([record]), "Use this clip's curve and seed").trigger()
    assert tab.editor.curve() == SWELL and tab.panel.seed.seed() == 7
    assert tab.panel.seconds() == 1.5 and window.generate_dock.isVisible()
    assert tab.panel.min_p() == 0.035 and tab.panel.top_k() == 24  # and its cuts: Generate makes that clip again
    older = _generated_clip(window, seed=8, top_k=None)  # made before top levels were recorded, so with all
    _menu_action(panel.context_menu([older]), "Use this clip's curve and seed").trigger()
    assert tab.panel.seed.seed() == 8 and tab.panel.top_k() == 0
    idle(qtbot, window)


def test_generate_variations_makes_new_clips_with_the_same_curve_and_new_seeds(make_window, qtbot, tiny_model_root):
    window = make_window()
    tab = window.generate_tab
    tab.panel.picker.add_folder(tiny_model_root / "models")
    qtbot.waitUntil(lambda: tab.panel.picker.current() is not None, timeout=20000)
    record = _generated_clip(window, seed=7, seconds=0.5)
    tab.panel.count_box.setValue(2)
    tab.panel.seed.set_fixed(7)
    with qtbot.waitSignal(tab.panel.clipsGenerated, timeout=60000) as done:
        _menu_action(window.library_panel.context_menu([record]), "Generate variations").trigger()
    made = [window.library.get(i) for i in done.args[0]]
    assert len(made) == 2 and all(r.temperature_curve() == SWELL for r in made)
    assert all(r.duration == 0.5 and r.model == "tiny" and r.min_p == 0.035 and r.top_k == 24 for r in made)
    assert tab.panel.seed.seed() is None  # new random seeds, even after a fixed one
    assert made[1].seed == made[0].seed + 1
    idle(qtbot, window)


def test_the_menu_opens_on_a_right_click_with_the_curve_actions(make_window, qtbot, monkeypatch):
    window = make_window()
    record = _generated_clip(window)
    panel = window.library_panel
    qtbot.waitUntil(lambda: panel.model.row_of(record.id) is not None, timeout=10000)
    shown = []
    build = panel.context_menu

    def menu_that_records_instead_of_opening(records):
        menu = build(records)
        menu.exec = lambda *args: shown.append([a.text() for a in menu.actions()])  # a modal menu would wait
        return menu

    monkeypatch.setattr(panel, "context_menu", menu_that_records_instead_of_opening)
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(record.id), 0))
    panel.view.customContextMenuRequested.emit(rect.center())
    assert shown and {"Use this clip's curve", "Use this clip's curve and seed", "Generate variations"} <= set(shown[0])
    idle(qtbot, window)
