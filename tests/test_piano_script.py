"""benchmarks/piano.py with a fake sampled piano made here: the music it writes, the rendering, the split, re-runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from benchmarks import piano
from benchmarks.piano import LAYERS, Piano, bach_prelude, build, compose, midi, sample_pitch

SAMPLE_RATE = 44100


def _fake_layers(folder: Path) -> dict[int, Path]:
    """Every layer holds C and F# of octaves 2 to 5 as decaying sines, louder in louder layers."""
    t = np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE
    layers = {}
    for layer in LAYERS:
        audio = folder / f"v{layer}"
        audio.mkdir(parents=True)
        for octave in range(2, 6):
            for name in ("C", "F#"):
                freq = 440.0 * 2 ** ((sample_pitch(f"{name}{octave}v1") - 69) / 12)
                tone = (layer / 16) * 0.3 * np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.5)
                sf.write(audio / f"{name}{octave}v{layer}.ogg", np.stack([tone, tone], axis=1), SAMPLE_RATE)
        layers[layer] = audio
    return layers


def test_note_names_follow_midi():
    assert sample_pitch("C4v10") == 60 == midi("C4")
    assert sample_pitch("D#4v4") == 63 and sample_pitch("A0v16") == 21 and midi("F#2") == 42


def test_the_prelude_is_bwv_846():
    notes = bach_prelude()
    first_bar = sorted({n.pitch for n in notes if n.start < 60 / 66 * 4 - 1e-9})
    assert first_bar == [midi(n) for n in ("C4", "E4", "G4", "C5", "E5")]
    assert notes[-1].pitch == midi("C5") and max(n.end for n in notes) > 120  # 35 bars at 66 bpm
    assert all(21 <= n.pitch <= 108 and n.end > n.start for n in notes)


@pytest.mark.parametrize("seed", range(10))
def test_a_composed_study_is_playable_and_the_same_each_time(seed):
    title, notes = compose(seed)
    assert (title, notes) == compose(seed)
    assert title.split()[0] in piano.TEXTURES
    assert 40 < max(n.end for n in notes) < 200
    assert all(28 <= n.pitch <= 96 and n.end > n.start >= 0 and 0 <= n.dynamic <= 1.2 for n in notes)
    assert len({n.pitch % 12 for n in notes}) >= 5  # music in a key, not a drone


def test_a_piano_pitch_shifts_the_nearest_recorded_note(tmp_path):
    instrument = Piano(_fake_layers(tmp_path))
    for pitch in (48, 49, 55):  # on a sample, a semitone above one, a semitone above F#3
        tone = instrument.tone(pitch, 0.5)
        spectrum = np.abs(np.fft.rfft(tone[: piano.RATE] * np.hanning(piano.RATE)))
        expected = 440.0 * 2 ** ((pitch - 69) / 12)
        assert abs(float(np.argmax(spectrum)) - expected) < 2.0  # 1 Hz bins
    assert np.abs(instrument.tone(60, 1.0)).max() > 2 * np.abs(instrument.tone(60, 0.0)).max()  # layers by dynamic


def test_build_writes_both_splits_and_their_sources_and_skips_what_is_there(tmp_path):
    made = []

    def fake_piano() -> Piano:
        made.append(1)
        return Piano(_fake_layers(tmp_path / "samples"))

    rows = build(tmp_path / "corpus", 10.0, fake_piano)
    train = sorted((tmp_path / "corpus" / "train" / "piano").glob("*.flac"))
    test = sorted((tmp_path / "corpus" / "test" / "piano").glob("*.flac"))
    assert train and test and len(rows) == len(train) + len(test)
    assert train[0].name == "bach-prelude-c-bwv846.flac" and all("prelude" not in p.name for p in test)
    for path in train[:2] + test:
        audio, rate = sf.read(path, dtype="float32")
        assert rate == piano.RATE and audio.ndim == 1
        assert np.abs(audio).max() == pytest.approx(10 ** (-1 / 20), abs=1e-3)
        assert np.isfinite(audio).all() and np.sqrt(np.mean(audio**2)) > 0.01
    sources = (tmp_path / "corpus" / "SOURCES.md").read_text()
    assert "Alexander Holm" in sources and "CC-BY-3.0" in sources and all(p.name in sources for p in train + test)
    assert not list((tmp_path / "corpus").rglob(".*partial*"))
    stamps = [p.stat().st_mtime_ns for p in train + test]
    assert build(tmp_path / "corpus", 10.0, fake_piano) == rows
    assert made == [1] and [p.stat().st_mtime_ns for p in train + test] == stamps  # nothing rendered again


def test_bad_minutes_are_one_line(capsys):
    assert piano.main(["--minutes", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
