"""Export: each format read back (duration, rate, peak), dither, normalisation, loudness, atomicity, cancel."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.audio.denoise import DenoiseSettings
from inspiration.engine.audio.formats import format_for_path
from inspiration.engine.audio.loudness import integrated_loudness, k_weighting_response
from inspiration.engine.composition import export as export_module
from inspiration.engine.composition.export import ExportSettings, export_audio, export_project
from inspiration.engine.composition.project import Clip, ClipSource, Project, Track
from inspiration.engine.errors import Cancelled, ExportFormatError, InspirationError

RATE = 48000
MP3 = "MP3" in sf.available_formats()  # soundfile's bundled libsndfile (>= 1.1) writes MP3; older system ones do not
needs_mp3 = pytest.mark.skipif(not MP3, reason="this libsndfile cannot write MP3")


def _tone(seconds: float = 1.0, rate: int = RATE, amp: float = 0.5, freq: float = 997.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    left = amp * np.sin(2 * np.pi * freq * t)
    return np.stack([left, 0.5 * left]).astype(np.float32)


@pytest.mark.parametrize(
    ("name", "settings", "tolerance"),
    [
        ("a.wav", ExportSettings(bit_depth=16), 2 / 32768),
        ("a.wav", ExportSettings(bit_depth=24), 1e-5),
        ("a.wav", ExportSettings(bit_depth=32), 1e-7),
        ("a.flac", ExportSettings(format="flac", bit_depth=16), 2 / 32768),
        ("a.flac", ExportSettings(format="flac", bit_depth=24), 1e-5),
        pytest.param("a.mp3", ExportSettings(format="mp3", mp3_bitrate_kbps=192), None, marks=needs_mp3),
    ],
)
def test_each_format_reads_back(tmp_path: Path, name: str, settings: ExportSettings, tolerance: float | None) -> None:
    audio = _tone()
    result = export_audio(audio, RATE, tmp_path / name, settings)
    data, rate = sf.read(str(result.path), dtype="float32", always_2d=True)
    assert rate == RATE and data.shape[1] == 2
    assert result.frames == audio.shape[1] and result.peak_db == pytest.approx(20 * math.log10(0.5), abs=1e-3)
    if tolerance is not None:
        assert data.shape[0] == audio.shape[1]
        assert np.max(np.abs(data.T - audio)) <= tolerance
        assert np.max(np.abs(data)) == pytest.approx(0.5, abs=tolerance)
    else:  # lossy: length within one MP3 frame, peak within 1 dB, the tone still there
        assert abs(data.shape[0] - audio.shape[1]) <= 1152
        assert 20 * math.log10(np.max(np.abs(data[:, 0])) / 0.5) == pytest.approx(0, abs=1.0)
        n = min(len(data), audio.shape[1])
        assert np.corrcoef(data[1000 : n - 1000, 0], audio[0, 1000 : n - 1000])[0, 1] > 0.99
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_rate_conversion_and_tags(tmp_path: Path) -> None:
    audio = _tone(rate=48000)
    for name, fmt in (("t.wav", "wav"), ("t.flac", "flac"), ("t.mp3", "mp3"))[: 3 if MP3 else 2]:
        settings = ExportSettings(format=fmt, sample_rate=44100, title="Piece", artist="Me")  # type: ignore[arg-type]
        result = export_audio(audio, RATE, tmp_path / name, settings)
        with sf.SoundFile(str(result.path)) as handle:
            assert handle.samplerate == 44100 and handle.title == "Piece" and handle.artist == "Me"
            assert abs(handle.frames - 44100) <= (0 if fmt != "mp3" else 1152)


def test_tpdf_dither_decorrelates_quiet_signals(tmp_path: Path) -> None:
    quiet = (0.3 / 32768 * np.sin(2 * np.pi * 100 * np.arange(RATE) / RATE)).astype(np.float32)
    plain = export_audio(quiet, RATE, tmp_path / "plain.wav", ExportSettings(bit_depth=16, dither=False))
    dithered = export_audio(quiet, RATE, tmp_path / "dith.wav", ExportSettings(bit_depth=16))
    assert not sf.read(str(plain.path), dtype="int16")[0].any()  # below half an LSB: truncated to silence
    codes = sf.read(str(dithered.path), dtype="int16")[0].astype(np.float64)
    assert set(np.unique(codes)) <= {-2.0, -1.0, 0.0, 1.0, 2.0} and codes.std() > 0.3
    assert np.corrcoef(codes, quiet)[0, 1] > 0.1  # the signal survives under the dither


def test_normalize_to_peak_and_loudness(tmp_path: Path) -> None:
    audio = _tone(amp=0.1)
    peak = export_audio(audio, RATE, tmp_path / "p.wav", ExportSettings(bit_depth=32, normalize="peak", peak_db=-3.0))
    assert np.max(np.abs(sf.read(str(peak.path))[0])) == pytest.approx(10 ** (-3 / 20), rel=1e-5)
    loud = export_audio(
        audio, RATE, tmp_path / "l.wav", ExportSettings(bit_depth=32, normalize="loudness", loudness_lufs=-23.0)
    )
    data = sf.read(str(loud.path), always_2d=True)[0].T
    assert integrated_loudness(data, RATE) == pytest.approx(-23.0, abs=0.05) and loud.notes == ()
    capped = export_audio(
        audio, RATE, tmp_path / "c.wav", ExportSettings(bit_depth=32, normalize="loudness", loudness_lufs=0.0)
    )
    assert capped.peak_db == pytest.approx(-1.0, abs=1e-3) and "reached" in capped.notes[0]


def test_loudness_matches_bs1770_reference_values() -> None:
    t = np.arange(5 * RATE) / RATE
    sine = np.sin(2 * np.pi * 997 * t)
    assert integrated_loudness(sine, RATE) == pytest.approx(-3.01, abs=0.02)  # the standard's calibration point
    assert integrated_loudness(np.stack([sine, sine]), RATE) == pytest.approx(0.0, abs=0.02)
    low = np.sin(2 * np.pi * 60 * t)
    expected = -0.691 + 10 * math.log10(0.5 * abs(k_weighting_response(RATE, np.array([60.0]))[0]) ** 2)
    assert integrated_loudness(low, RATE) == pytest.approx(expected, abs=0.02)
    # silence is gated out; of the 400 ms blocks overlapping the edge, those 3/4, 1/2 and 1/4 full still count
    gated = np.concatenate([sine, np.zeros(10 * RATE)])
    assert integrated_loudness(gated, RATE) == pytest.approx(-3.01 + 10 * math.log10(48.5 / 50), abs=0.02)
    quiet = np.concatenate([sine, 0.02 * sine, sine[: RATE * 2]])  # the quiet part falls under the relative gate
    assert integrated_loudness(quiet, RATE) == pytest.approx(-3.01, abs=0.2)
    assert integrated_loudness(np.zeros(RATE), RATE) == -math.inf


def test_denoise_on_export(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    clean = np.zeros(3 * RATE, dtype=np.float32)
    clean[RATE : 2 * RATE] = _tone()[0]
    noisy = clean + (0.01 * rng.standard_normal(clean.shape)).astype(np.float32)
    result = export_audio(noisy, RATE, tmp_path / "d.wav", ExportSettings(bit_depth=32, denoise=DenoiseSettings()))
    out = sf.read(str(result.path), dtype="float32")[0]
    assert np.sqrt(np.mean(out[: RATE // 2] ** 2)) < 0.1 * np.sqrt(np.mean(noisy[: RATE // 2] ** 2))


def test_bad_settings_fail_before_writing(tmp_path: Path) -> None:
    audio = _tone()
    cases = [
        (ExportSettings(format="flac", bit_depth=32), "16- or 24-bit"),
        (ExportSettings(bit_depth=8), "bit depth"),
    ]
    if MP3:
        cases += [
            (ExportSettings(format="mp3", sample_rate=96000), "MP3 cannot hold 96000 Hz"),
            (ExportSettings(format="mp3", mp3_bitrate_kbps=999), "bitrate"),
        ]
    for settings, message in cases:
        with pytest.raises(ExportFormatError, match=message):
            export_audio(audio, RATE, tmp_path / "x.out", settings)
    with pytest.raises(ExportFormatError, match="name it .wav, .flac or .mp3"):
        format_for_path("song.ogg")
    assert format_for_path("A.WAVE") == "wav" and format_for_path("b.Mp3") == "mp3"
    assert list(tmp_path.iterdir()) == []


def test_missing_mp3_support_gives_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sf, "available_formats", lambda: {"WAV": "WAV", "FLAC": "FLAC"})
    with pytest.raises(ExportFormatError, match="cannot write MP3"):
        export_audio(_tone(), RATE, tmp_path / "x.mp3", ExportSettings(format="mp3"))


def test_cancel_or_failure_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "song.wav"
    target.write_bytes(b"previous")
    calls = {"n": 0}

    def stop_midway() -> bool:
        calls["n"] += 1
        return calls["n"] > 6

    monkeypatch.setattr(export_module, "_WRITE_BLOCK", 4096)
    with pytest.raises(Cancelled):
        export_audio(_tone(2.0), RATE, target, ExportSettings(), should_stop=stop_midway)
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["song.wav"]

    def broken_quantize(*args: object) -> None:
        raise ValueError("disk trouble")

    monkeypatch.setattr(export_module, "_quantize", broken_quantize)
    with pytest.raises(InspirationError, match="disk trouble"):
        export_audio(_tone(), RATE, target, ExportSettings(bit_depth=16))
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["song.wav"]


def test_export_project_with_progress(tmp_path: Path) -> None:
    sf.write(str(tmp_path / "c.wav"), _tone().T, RATE)
    clip = Clip(ClipSource("c.wav"), start=RATE // 2, source_in=0, source_out=RATE)
    missing = Clip(ClipSource("gone.wav"), start=0, source_in=0, source_out=10)
    project = Project(sample_rate=RATE, tracks=[Track(clips=(clip,)), Track(clips=(missing,))], folder=tmp_path)
    seen: list[float] = []
    result = export_project(project, tmp_path / "out.flac", ExportSettings(format="flac"), on_progress=seen.append)
    assert result.frames == RATE + RATE // 2 and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    assert any("gone.wav is missing" in note for note in result.notes)
    data, rate = sf.read(str(result.path), dtype="float32")
    assert rate == RATE and np.max(np.abs(data[: RATE // 2 - 1])) < 1e-6  # silence, give or take the dither
    assert np.max(np.abs(data)) == pytest.approx(0.5, abs=1e-4)
    part = export_project(project, tmp_path / "part.wav", ExportSettings(), start=RATE // 2, end=RATE)
    assert part.frames == RATE // 2
    with pytest.raises(InspirationError, match="nothing to export"):
        export_project(Project(folder=tmp_path), tmp_path / "empty.wav")
