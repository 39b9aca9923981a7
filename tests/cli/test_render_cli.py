"""`inspiration render` and `inspiration denoise` from the command line, on a hand-written project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.cli import main
from inspiration.engine.composition import export as export_module

RATE = 48000
MP3 = "MP3" in sf.available_formats()
needs_mp3 = pytest.mark.skipif(not MP3, reason="this libsndfile cannot write MP3")


def _write_project(folder: Path) -> Path:
    """Three clips (a 48 kHz stereo chord, a 16 kHz mono hiss-laden tone, a 44.1 kHz click) on two tracks."""
    rng = np.random.default_rng(0)
    (folder / "clips").mkdir(parents=True)
    t = np.arange(2 * RATE) / RATE
    chord = 0.3 * np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 277.2 * t)])
    sf.write(str(folder / "clips" / "chord.wav"), chord.T, RATE, subtype="PCM_24")
    t16 = np.arange(3 * 16000) / 16000
    tone = np.where(t16 > 1.0, 0.4 * np.sin(2 * np.pi * 330 * t16), 0.0) + 0.02 * rng.standard_normal(t16.size)
    sf.write(str(folder / "clips" / "generated.wav"), tone, 16000, subtype="PCM_16")
    click = np.zeros(4410)
    click[0] = 0.9
    sf.write(str(folder / "clips" / "click.wav"), click, 44100, subtype="FLOAT")
    project = {
        "format": "inspiration-project",
        "version": 1,
        "sample_rate": RATE,
        "tracks": [
            {
                "name": "chords",
                "gain_db": -2,
                "clips": [
                    {"source": "clips/chord.wav", "start": 0, "fade_out": {"seconds": 0.5, "shape": "equal_power"}},
                    {"source": "clips/click.wav", "start": 3.5},
                ],
            },
            {
                "name": "generated",
                "pan": 0.3,
                "clips": [
                    {"source": {"path": "clips/generated.wav"}, "start": 1.0, "in": 0.5, "out": 3.0, "fade_in": 0.05}
                ],
            },
        ],
        "markers": [{"time": 1.0, "name": "entry"}],
    }
    path = folder / "piece.json"
    path.write_text(json.dumps(project, indent=1))
    return path


@pytest.mark.parametrize("name", ["piece.wav", "piece.flac", pytest.param("piece.mp3", marks=needs_mp3)])
@pytest.mark.parametrize("denoise", [False, True])
def test_render_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, denoise: bool) -> None:
    project = _write_project(tmp_path)
    out = tmp_path / "out" / name
    argv = ["render", str(project), "--out", str(out)] + (["--denoise", "0.6"] if denoise else [])
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out}") and "rendering 100%" in captured.err
    data, rate = sf.read(str(out), dtype="float32", always_2d=True)
    expected = int(3.5 * RATE) + 4800  # the click clip (0.1 s) ends last
    assert rate == RATE and data.shape[1] == 2
    assert abs(data.shape[0] - expected) <= (0 if not name.endswith("mp3") else 1152)
    assert 0.3 < np.max(np.abs(data)) < 1.0
    if not name.endswith("mp3"):
        hit = int(3.5 * RATE)
        assert np.argmax(np.abs(data[:, 0])) == hit  # the click lands on its sample
        quiet = data[int(2.2 * RATE) : int(2.9 * RATE)]  # after the chord's fade, inside the generated clip
        assert np.std(quiet) > 0.0


def test_render_denoise_reduces_the_hiss(tmp_path: Path) -> None:
    project = _write_project(tmp_path)
    plain, cleaned = tmp_path / "plain.wav", tmp_path / "clean.wav"
    assert main(["render", str(project), "--out", str(plain)]) == 0
    assert main(["render", str(project), "--out", str(cleaned), "--denoise", "0.8"]) == 0
    a = sf.read(str(plain))[0]
    b = sf.read(str(cleaned))[0]
    hiss = slice(int(1.05 * RATE), int(1.45 * RATE))  # only the generated clip's hiss plays here
    assert np.std(b[hiss]) < 0.3 * np.std(a[hiss])


def test_render_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _write_project(tmp_path)
    out = tmp_path / "n.flac"
    argv = [
        "render",
        str(project),
        "--out",
        str(out),
        "--normalize",
        "--rate",
        "44100",
        "--bit-depth",
        "16",
        "--start",
        "0.5",
        "--end",
        "2.5",
        "--title",
        "Piece",
        "--artist",
        "Me",
    ]
    assert main(argv) == 0
    with sf.SoundFile(str(out)) as handle:
        assert handle.samplerate == 44100 and handle.frames == 88200 and handle.title == "Piece"
        data = handle.read()
    assert 20 * np.log10(np.max(np.abs(data))) == pytest.approx(-1.0, abs=0.05)
    assert (
        main(["render", str(project), "--out", str(tmp_path / "l.wav"), "--normalize", "loudness", "--lufs", "-20"])
        == 0
    )
    assert "-20.0 LUFS" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1"),
        ('{"format": "inspiration-project", "version": 99}', "newer Inspiration"),
        ('{"version": 1, "tracks": [{"clips": [{"source": 3}]}]}', "source should be text or an object"),
    ],
)
def test_bad_project_files_fail_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["render", str(path), "--out", str(tmp_path / "x.wav")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "x.wav").exists()


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _write_project(tmp_path)
    assert main(["render", str(project), "--out", str(tmp_path / "x.ogg")]) == 2
    assert "name it .wav, .flac or .mp3" in capsys.readouterr().err
    assert main(["render", str(project), "--out", str(tmp_path / "x.wav"), "--format", "mp3"]) == 2
    assert main(["render", str(project), "--out", str(tmp_path / "x.flac"), "--bit-depth", "32"]) == 2
    assert "FLAC holds 16- or 24-bit audio" in capsys.readouterr().err
    if MP3:
        assert main(["render", str(project), "--out", str(tmp_path / "x.mp3"), "--rate", "96000"]) == 2
        assert "MP3 cannot hold 96000 Hz" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["render", str(project), "--out", str(tmp_path / "x.wav"), "--denoise", "3"])
    assert "--denoise: must be from 0 to 1" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "none.json"), "--out", str(tmp_path / "x.wav")]) == 2
    assert list(tmp_path.glob("x.*")) == []


def test_missing_media_warns_and_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _write_project(tmp_path)
    (tmp_path / "clips" / "click.wav").unlink()
    assert main(["render", str(project), "--out", str(tmp_path / "x.wav")]) == 0
    captured = capsys.readouterr()
    assert "warning: clip" in captured.err and "clips/click.wav is missing" in captured.err
    assert sf.info(str(tmp_path / "x.wav")).frames == int(3.5 * RATE)  # the generated clip ends last now


def test_interrupt_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _write_project(tmp_path)
    out = tmp_path / "out.wav"
    out.write_bytes(b"older export")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "_quantize", interrupted)
    assert main(["render", str(project), "--out", str(out)]) == 130
    assert out.read_bytes() == b"older export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "out.wav", "piece.json"]


def test_denoise_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(4 * RATE) / RATE
    clean = np.where((t > 1) & (t < 3), 0.4 * np.sin(2 * np.pi * 440 * t), 0.0)
    noisy = (clean + 0.02 * rng.standard_normal(t.size)).astype(np.float32)
    sf.write(str(tmp_path / "in.wav"), noisy, RATE, subtype="PCM_16")
    for extra in ([], ["--profile", "0:0.9", "--strength", "1"]):
        out = tmp_path / "out.flac"
        assert main(["denoise", str(tmp_path / "in.wav"), str(out), *extra]) == 0
        assert capsys.readouterr().out.startswith(f"wrote {out}")
        data, rate = sf.read(str(out))
        info = sf.info(str(out))
        assert rate == RATE and len(data) == len(noisy) and info.subtype == "PCM_16"
        assert np.std(data[: RATE // 2]) < 0.2 * np.std(noisy[: RATE // 2])
        assert np.max(np.abs(data)) == pytest.approx(0.4, abs=0.05)
    with pytest.raises(SystemExit):
        main(["denoise", str(tmp_path / "in.wav"), str(tmp_path / "o.wav"), "--profile", "2:1"])
    assert main(["denoise", str(tmp_path / "in.wav"), str(tmp_path / "o.wav"), "--profile", "9:10"]) == 2
    assert main(["denoise", str(tmp_path / "nothing.wav"), str(tmp_path / "o.wav")]) == 2
    assert "not a readable audio file" in capsys.readouterr().err


@pytest.mark.slow
def test_entry_point_runs(tmp_path: Path) -> None:
    project = _write_project(tmp_path)
    out = tmp_path / ("p.mp3" if MP3 else "p.flac")
    done = subprocess.run(
        [sys.executable, "-m", "inspiration", "render", str(project), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and sf.info(str(out)).samplerate == RATE


def test_an_old_app_project_renders_from_the_default_library(tmp_path: Path, monkeypatch, capsys) -> None:
    """A project saved before projects named their library: its clips are looked up in the app's own library."""
    from inspiration.engine.library.clip_library import ClipLibrary
    from inspiration.engine.places import user_places

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    library = ClipLibrary(user_places().library)
    t = np.arange(RATE) / RATE
    record = library.add((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), RATE)
    project = {"version": 1, "tracks": [{"clips": [{"source": {"library_id": record.id}, "start": 0, "out": 1.0}]}]}
    path = tmp_path / "old.inspiration"
    path.write_text(json.dumps(project))
    assert main(["render", str(path), "--out", str(tmp_path / "old.wav")]) == 0
    assert "warning" not in capsys.readouterr().err
    data, _ = sf.read(str(tmp_path / "old.wav"), dtype="float32")
    assert data.shape[0] == RATE and np.max(np.abs(data)) > 0.3
