"""The user's curve presets: save, list, load, overwrite, delete; reserved and unsafe names; broken files skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspiration.engine.curves.curve import TemperatureCurve, load_curve_file
from inspiration.engine.curves.presets import CurvePresetStore, PresetNameError, check_name

SHAPE = TemperatureCurve(points=((0.0, 0.8), (0.3, 1.4), (1.0, 1.0)), interpolation="smooth")


def test_save_list_overwrite_and_delete(tmp_path: Path) -> None:
    store = CurvePresetStore(tmp_path / "presets")
    assert store.load().presets == {}  # no folder yet: nothing, and no complaint
    assert store.load().problems == []

    path = store.save("  Slow   bloom ", SHAPE)
    assert path == tmp_path / "presets" / "Slow bloom.json"
    assert load_curve_file(path) == SHAPE  # the engine's own loader reads it
    store.save("accent", TemperatureCurve(points=((0.0, 1.2),)))
    listing = store.load()
    assert list(listing.presets) == ["accent", "Slow bloom"]
    assert listing.presets["Slow bloom"] == SHAPE

    store.save("Slow bloom", TemperatureCurve(points=((0.0, 0.5), (1.0, 0.6))))
    assert store.load().presets["Slow bloom"].points == ((0.0, 0.5), (1.0, 0.6))

    store.delete("Slow bloom")
    assert list(store.load().presets) == ["accent"]
    store.delete("Slow bloom")  # already gone: fine


def test_broken_and_foreign_files_are_skipped_with_a_message(tmp_path: Path) -> None:
    store = CurvePresetStore(tmp_path)
    store.save("good", SHAPE)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "too hot.json").write_text(json.dumps({"points": [[0, 9.0]]}), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a preset", encoding="utf-8")
    (tmp_path / ".good.123.tmp.json").write_text("{", encoding="utf-8")  # a write in progress
    listing = store.load()
    assert list(listing.presets) == ["good"]
    assert len(listing.problems) == 2
    assert any("broken.json" in p and "not valid JSON" in p for p in listing.problems)
    assert any("too hot.json" in p and "too high" in p for p in listing.problems)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "give the preset a name"), ("Ramp", "built-in"), ("a/b", "cannot be a preset name"),
     (".hidden", "cannot be a preset name"), ("x" * 61, "at most 60")],
)  # fmt: skip
def test_bad_names_are_refused_with_a_reason(tmp_path: Path, name: str, reason: str) -> None:
    with pytest.raises(PresetNameError, match=reason):
        CurvePresetStore(tmp_path).save(name, SHAPE)
    assert not any(tmp_path.iterdir())


def test_names_keep_letters_of_any_script() -> None:
    assert check_name("Crescendo (é, 2)") == "Crescendo (é, 2)"
