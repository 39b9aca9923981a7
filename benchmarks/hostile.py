"""A catalogue of hostile commands against the CLI and the app, with time and memory limits; prints the counts.

Every command runs in its own process (CPU time, address space and wall clock limited) in a scratch folder holding a
tiny trained model, good and bad audio, FIFOs, device files and damaged projects, curves, configs, weights files and
manifests. Each outcome is one of:

    clean      a refusal: exit status 2 and a message, no traceback, no output file left behind
    ok         accepted, and the output checks out (finite samples, the level it reports, no temporary files)
    traceback  a Python traceback, or an exit status other than 0, 2 and 130
    hang       still running at the wall-clock limit (or killed by the CPU-time limit)
    crash      killed by a signal (a segfault, an abort)
    wrong      exit status 0 with a bad result: NaN/Inf or mislabelled audio, a hostile value accepted, leftovers

The app's cases open a project in the real main window (offscreen), paint it and report what the user would see.
Target: 0 tracebacks, hangs, crashes and wrong outputs, and every command under 1 GB of memory.

Run: python benchmarks/hostile.py [--jobs 2] [--timeout 60] [--only SUBSTRING] [--root CHECKOUT] [--verbose]
(--root runs another checkout's code, e.g. an older commit, against the same catalogue.) With --fuzz N it then runs
the property tests of tests/engine/test_fuzz.py with N examples each (the test suite runs 40).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.set_int_max_str_digits(0)  # the catalogue writes 5000-digit numbers into JSON
MEMORY_LIMIT = 3 * 2**30  # address space per command: wild allocations fail fast instead of swapping
MEMORY_TARGET = 2**30  # what every command should stay under (peak resident memory)
Check = Callable[["Result"], str | None]


@dataclass
class Case:
    """One hostile command: argv after `inspiration` (or an app project to open), what counts as right."""

    name: str
    argv: list[str]
    expect: str = "error"  # "error": must be refused; "ok": must succeed (checked); "either": refusal or checked ok
    check: Check | None = None
    out: Path | None = None  # a file or folder that must not appear when the command is refused
    app: bool = False


@dataclass
class Result:
    case: Case
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    outcome: str = ""
    why: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)


# -- the scratch folder ----------------------------------------------------------------------------------------------


def build_scratch(work: Path, root: Path) -> None:
    """Audio, a tiny model, special files and damaged inputs under `work`."""
    rate = 16000
    t = np.arange(rate // 2) / rate
    tone = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    sf.write(work / "tone.wav", tone, rate)
    sf.write(work / "tone48.wav", np.stack([tone, tone], axis=1).repeat(3, axis=0), 48000)
    noisy = (tone + 0.01 * np.random.default_rng(0).standard_normal(len(tone))).astype(np.float32)
    sf.write(work / "noisy.wav", np.tile(noisy, 4), rate)
    sf.write(work / "empty.wav", np.zeros(0, dtype=np.float32), rate)
    sf.write(work / "silent.wav", np.zeros(rate, dtype=np.float32), rate)
    for name, value in (("nan", np.nan), ("inf", np.inf), ("neginf", -np.inf)):
        bad = tone.copy()
        bad[100:200] = value
        sf.write(work / f"{name}.wav", bad, rate, subtype="FLOAT")
    loud = tone * 3.0
    sf.write(work / "loud.wav", loud, rate, subtype="FLOAT")
    (work / "text.wav").write_text("this is not audio\n")
    (work / "garbage.wav").write_bytes(os.urandom(4096))
    header = bytearray((work / "tone.wav").read_bytes()[:44])
    struct.pack_into("<I", header, 40, 0xFFFFFFF0)  # a data chunk claiming 4 GB
    (work / "liar.wav").write_bytes(bytes(header) + b"\0" * 1000)
    os.mkfifo(work / "fifo.wav")
    os.mkfifo(work / "fifo.json")
    (work / "dir.wav").mkdir()
    (work / "dir.json").mkdir()
    (work / "zero.json").symlink_to("/dev/zero")
    (work / "zero.wav").symlink_to("/dev/zero")
    with open(work / "sparse.json", "wb") as handle:
        handle.truncate(200 * 2**20)
    tiny = work / "tiny-data"
    tiny.mkdir()
    for i in range(40):  # 56 ms: the held-out 5 % is too short to validate a model with 32-sample frames
        sf.write(tiny / f"t{i:03d}.wav", tone[:900], rate)
    env = child_env(work, root)
    subprocess.run(
        [sys.executable, "-m", "inspiration", "train", str(work / "tone.wav"), "--name", "tiny", "--preset", "debug"]
        + ["--steps", "3", "--models-dir", str(work / "models")],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    build_projects(work)
    build_curves(work)
    build_models(work)
    build_libraries(work)


def project(clips: list[dict] | None = None, **top: object) -> dict:
    data: dict = {"format": "inspiration-project", "version": 1, "sample_rate": 48000, "channels": 2}
    data["tracks"] = [{"name": "A", "clips": clips if clips is not None else [{"source": "tone.wav", "start": 0.1}]}]
    data.update(top)
    return data


PROJECTS: dict[str, object] = {
    "good": project(),
    "start-1e300": project([{"source": "tone.wav", "start": 1e300}]),
    "start-huge-int": project([{"source": "tone.wav", "start": 10**5000}]),
    "start-nan": project([{"source": "tone.wav", "start": math.nan}]),
    "start-inf": project([{"source": "tone.wav", "start": math.inf}]),
    "start-negative": project([{"source": "tone.wav", "start": -5}]),
    "start-string": project([{"source": "tone.wav", "start": "soon"}]),
    "start-1e9": project([{"source": "tone.wav", "start": 1e9}]),
    "out-1e6": project([{"source": "tone.wav", "in": 0, "out": 1e6}]),
    "out-1e300": project([{"source": "tone.wav", "out": 1e300}]),
    "in-after-out": project([{"source": "tone.wav", "in": 0.4, "out": 0.1}]),
    "gain-1e300": project([{"source": "tone.wav", "gain_db": 1e300}]),
    "gain-1000": project([{"source": "tone.wav", "gain_db": 1000}]),
    "gain-nan": project([{"source": "tone.wav", "gain_db": math.nan}]),
    "master-gain-1e308": project(master_gain_db=1e308),
    "track-gain-inf": {**project(), "tracks": [{"gain_db": math.inf, "clips": []}]},
    "pan-5": {**project(), "tracks": [{"pan": 5, "clips": []}]},
    "pan-nan": {**project(), "tracks": [{"pan": math.nan, "clips": []}]},
    "fade-1e300": project([{"source": "tone.wav", "fade_in": 1e300}]),
    "fade-shape": project([{"source": "tone.wav", "fade_out": {"seconds": 0.1, "shape": "zigzag"}}]),
    "rate-0": project(sample_rate=0),
    "rate-1e9": project(sample_rate=10**9),
    "rate-huge-int": project(sample_rate=10**5000),
    "channels-0": project(channels=0),
    "channels-1e9": project(channels=10**9),
    "version-1e300": project(version=1e300),
    "version-huge-int": project(version=10**5000),
    "version-text": project(version="1"),
    "format-wrong": project(format="something-else"),
    "top-list": [1, 2, 3],
    "top-null": None,
    "top-string": "a project",
    "tracks-object": project(tracks={"a": 1}),
    "clip-not-object": project(["tone.wav"]),
    "marker-1e300": project(markers=[{"time": 1e300, "name": "x"}]),
    "marker-nan": project(markers=[{"time": math.nan}]),
    "source-fifo": project([{"source": "fifo.wav"}]),
    "source-dev-zero": project([{"source": "zero.wav"}]),
    "source-dir": project([{"source": "dir.wav"}]),
    "source-nan": project([{"source": "nan.wav"}]),
    "source-inf": project([{"source": "inf.wav"}]),
    "source-empty": project([{"source": "empty.wav"}]),
    "source-text": project([{"source": "text.wav"}]),
    "source-liar": project([{"source": "liar.wav"}]),
    "source-escape": project([{"source": "../../../../etc/passwd"}]),
    "source-absolute": project([{"source": "/etc/passwd"}]),
    "name-1mb": project([{"source": "tone.wav", "name": "x" * 2**20}]),
    "many-tracks": {**project(), "tracks": [{"clips": []}] * 20000},
    "many-clips": project([{"source": "tone.wav", "start": i * 0.01} for i in range(20000)]),
    "duplicate-ids": project([{"source": "tone.wav", "id": "a"}, {"source": "tone.wav", "id": "a", "start": 1}]),
}


def build_projects(work: Path) -> None:
    folder = work / "projects"
    folder.mkdir()
    for name, data in PROJECTS.items():
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    for name in ("tone.wav", "tone48.wav", "nan.wav", "inf.wav", "empty.wav", "text.wav", "liar.wav", "loud.wav"):
        shutil.copy(work / name, folder / name)
    for name in ("fifo.wav", "zero.wav", "dir.wav"):
        os.symlink(work / name, folder / name)
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "deep-object.json").write_text('{"tracks": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001)
    (folder / "binary.json").write_bytes(os.urandom(2048))
    (folder / "empty.json").write_bytes(b"")
    (folder / "utf16.json").write_text(json.dumps(project()), encoding="utf-16")
    (folder / "latin1.json").write_bytes(
        json.dumps(project([{"source": "tone.wav", "name": "é"}])).encode()[:-3] + b"\xe9}]}]}"
    )
    (folder / "huge-number.json").write_text(
        '{"format": "inspiration-project", "version": 1, "sample_rate": ' + "9" * 5000 + "}"
    )
    (folder / "loud.json").write_text(json.dumps(project([{"source": "loud.wav"}])))


CURVES: dict[str, str] = {
    "good": json.dumps({"points": [[0, 0.9], [1, 1.1]]}),
    "nan": '{"points": [[0, NaN]]}',
    "inf-time": '{"points": [[Infinity, 1.0]], "unit": "seconds"}',
    "huge-time": json.dumps({"points": [[0, 1.0], [1e300, 1.0]], "unit": "seconds"}),
    "huge-int": '{"points": [[0, ' + "9" * 5000 + "]]}",
    "deep": "[" * 100_000 + "]" * 100_000,
    "many-points": json.dumps({"points": [[i * 1e-6, 1.0] for i in range(300_000)]}),
    "not-object": "[1, 2]",
    "text-form": json.dumps("0:0.9,1:1.2"),
    "binary": "\udcff",
}


def build_curves(work: Path) -> None:
    folder = work / "curves"
    folder.mkdir()
    for name, text in CURVES.items():
        (folder / f"{name}.json").write_text(text, encoding="utf-8", errors="surrogateescape")


def build_models(work: Path) -> None:
    """Copies of the tiny model with damaged configs, and hand-made weights files with hostile headers."""
    good = work / "models" / "tiny"
    config = json.loads((good / "config.json").read_text())

    def variant(name: str, change: Callable[[dict], object] | None = None, text: str | None = None) -> None:
        folder = work / "models" / name
        shutil.copytree(good, folder)
        if text is not None:
            (folder / "config.json").write_text(text)
            return
        data = json.loads(json.dumps(config))
        assert change is not None
        change(data)
        (folder / "config.json").write_text(json.dumps(data))

    variant("dim-1e9", lambda d: d["model"].update(dim=10**9))
    variant("layers-1e5", lambda d: d["model"].update(rnn_layers=10**5))
    variant("embedding-1e9", lambda d: d["model"].update(embedding_dim=10**9))
    variant("frames-1e9", lambda d: d["model"].update(frame_sizes=[10**9]))
    variant("frames-deep", lambda d: d["model"].update(frame_sizes=[2**k for k in range(40, 0, -1)]))
    variant("rate-1e9", lambda d: d["model"].update(sample_rate=10**9))
    variant("dim-text", lambda d: d["model"].update(dim="abc"))
    variant("dim-float", lambda d: d["model"].update(dim=256.5))
    variant("dim-huge-int", lambda d: d["model"].update(dim=10**5000))
    variant("batch-1e8", lambda d: d["train"].update(batch_size=10**8))
    variant("lr-nan", lambda d: d["train"].update(learning_rate=math.nan))
    variant("seq-1e9", lambda d: d["train"].update(seq_len=10**9))
    variant("model-list", lambda d: d.update(model=[1, 2]))
    variant("version-text", lambda d: d.update(version="x"))
    variant("deep", text="[" * 100_000 + "]" * 100_000)
    variant("not-json", text="{{{")
    os.symlink("/dev/zero", work / "models" / "tiny-zero-config")
    zero = work / "models" / "zero-config"
    shutil.copytree(good, zero)
    (zero / "config.json").unlink()
    (zero / "config.json").symlink_to("/dev/zero")
    fifo = work / "models" / "fifo-config"
    shutil.copytree(good, fifo)
    (fifo / "config.json").unlink()
    os.mkfifo(fifo / "config.json")
    sparse = work / "models" / "sparse-config"
    shutil.copytree(good, sparse)
    with open(sparse / "config.json", "wb") as handle:
        handle.truncate(300 * 2**20)
    weights = work / "weights"
    weights.mkdir()
    last = (good / "last.safetensors").read_bytes()
    size = struct.unpack("<Q", last[:8])[0]
    header = json.loads(last[8 : 8 + size])
    body = last[8 + size :]

    def with_metadata(name: str, change: Callable[[dict], None]) -> None:
        meta = {k: json.loads(v) for k, v in header["__metadata__"].items()}
        change(meta)
        new = dict(
            header, __metadata__={k: v if isinstance(v, str) and k == "raw" else json.dumps(v) for k, v in meta.items()}
        )
        text = json.dumps(new).encode()
        (weights / f"{name}.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + body)

    with_metadata("step-text", lambda m: m.update(step="abc"))
    with_metadata("config-dim-1e9", lambda m: m["config"].update(dim=10**9))
    with_metadata("config-layers-1e5", lambda m: m["config"].update(rnn_layers=10**5))
    with_metadata("config-text", lambda m: m.update(config="gru"))
    with_metadata("step-huge", lambda m: m.update(step=10**5000))
    with_metadata("step-nan", lambda m: m.update(step=math.nan))
    deep_meta = dict(header, __metadata__={"format": '"inspiration-samplernn"', "config": "[" * 50000 + "]" * 50000})
    text = json.dumps(deep_meta).encode()
    (weights / "meta-deep.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + body)
    (weights / "header-huge.safetensors").write_bytes(struct.pack("<Q", 2**63) + b"{" + b"\0" * 100)
    (weights / "header-past-end.safetensors").write_bytes(struct.pack("<Q", 10**6) + b"{}")
    (weights / "header-not-json.safetensors").write_bytes(struct.pack("<Q", 4) + b"{{{{")
    (weights / "short.safetensors").write_bytes(b"\1\0")
    (weights / "empty.safetensors").write_bytes(b"")
    (weights / "pickle.safetensors").write_bytes(b"\x80\x04\x95" + b"\0" * 64)
    with open(weights / "sparse.safetensors", "wb") as handle:
        handle.write(struct.pack("<Q", 100 * 2**20) + b"{")
        handle.truncate(200 * 2**20)
    # a model folder whose train_state carries a hostile step (info and train read it)
    state = work / "models" / "state-step-text"
    shutil.copytree(good, state)
    shutil.copy(weights / "step-text.safetensors", state / "train_state.safetensors")
    shutil.copy(weights / "step-text.safetensors", state / "last.safetensors")


def build_libraries(work: Path) -> None:
    """Clip libraries with damaged manifests: each has one clip in clips/ that must stay visible."""
    for name in ("zero-byte", "schema-less", "garbage"):
        folder = work / "libraries" / name
        (folder / "clips").mkdir(parents=True)
        shutil.copy(work / "tone.wav", folder / "clips" / "kept.wav")
    (work / "libraries" / "zero-byte" / "manifest.sqlite").write_bytes(b"")
    import sqlite3

    db = sqlite3.connect(work / "libraries" / "schema-less" / "manifest.sqlite")
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    (work / "libraries" / "garbage" / "manifest.sqlite").write_bytes(b"SQLite format 3\0" + os.urandom(4000))
    leftovers = work / "libraries" / "leftovers"
    (leftovers / "clips").mkdir(parents=True)
    dead = 4_000_000
    while Path(f"/proc/{dead}").exists():
        dead += 1
    (leftovers / "clips" / f".abc.{dead}-x1y2.tmp.wav").write_bytes(b"half")  # its writer was killed
    old = leftovers / "clips" / ".def.x1y2z3.tmp.wav"  # an hour-old one from an older version
    old.write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))


# -- checks ----------------------------------------------------------------------------------------------------------


def audio_ok(path: Path, silent: bool = False, level: bool = True) -> Check:
    """The written file holds finite audio (non-silent unless `silent`), and the peak the command reported is it."""

    def check(result: Result) -> str | None:
        if not path.is_file():
            return f"{path.name} was not written"
        data, _ = sf.read(str(path), dtype="float64", always_2d=True)
        if not np.all(np.isfinite(data)):
            return "NaN or Inf samples in the output"
        top = float(np.max(np.abs(data))) if data.size else 0.0
        if not silent and top == 0.0:
            return "the output is all zeros"
        leftovers = [p.name for p in path.parent.glob(".*.tmp*")]
        if leftovers:
            return f"temporary files left: {leftovers}"
        said = re.search(r"peak (-?[\d.]+|-inf|nan|inf) dBFS", result.stdout)
        if level and said:
            measured = 20 * math.log10(top) if top > 0 else -math.inf
            reported = float(said.group(1))
            if not (math.isfinite(reported) and abs(reported - measured) < 0.6) and not (
                reported == measured == -math.inf
            ):
                return f"reported peak {said.group(1)} dBFS, the file peaks at {measured:.1f}"
        return None

    return check


def library_ok(folder: Path, at_least: int = 1) -> Check:
    """The library lists its clips (none invisible), with finite audio, and no temporary files are left."""

    def check(result: Result) -> str | None:
        files = [p for p in (folder / "clips").glob("*") if p.suffix in (".wav", ".flac")]
        leftovers = [p.name for p in (folder / "clips").glob(".*.tmp*")]
        if leftovers:
            return f"temporary files left: {leftovers}"
        if len(files) < at_least:
            return f"{len(files)} clip file(s), expected at least {at_least}"
        for file in files:
            data, _ = sf.read(str(file), dtype="float64")
            if not np.all(np.isfinite(data)):
                return f"{file.name} holds NaN or Inf"
        return None

    return check


def listed(folder: Path, count: int) -> Check:
    """`folder`'s manifest lists `count` clips (read through a fresh process after the command)."""

    def check(result: Result) -> str | None:
        code = (
            "import sys, warnings; warnings.simplefilter('ignore');"
            "from inspiration.engine.library.clip_library import ClipLibrary;"
            f"print(len(ClipLibrary({str(folder)!r}).list(include_discarded=True)))"
        )
        done = subprocess.run([sys.executable, "-c", code], env=result.extra_env, capture_output=True, text=True)
        if done.returncode != 0:
            return "the library could not be listed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
        shown = int(done.stdout.strip() or 0)
        return None if shown >= count else f"the library lists {shown} clip(s) of {count} on disk (invisible clips)"

    return check


def model_ok(folder: Path) -> Check:
    def check(result: Result) -> str | None:
        if not (folder / "best.safetensors").is_file():
            return "no best checkpoint was written"
        return None

    return check


# -- the catalogue ---------------------------------------------------------------------------------------------------


def catalogue(work: Path) -> list[Case]:
    cases: list[Case] = []
    out = work / "out"
    p, m, w, c = work / "projects", work / "models", work / "weights", work / "curves"
    good = str(p / "good.json")

    def add(name: str, argv: list[str], expect: str = "error", check: Check | None = None, target: Path | None = None):
        cases.append(Case(name, [str(a) for a in argv], expect, check, target))

    # render: hostile projects
    for name in PROJECTS:
        if name == "good":
            continue
        target = out / f"render-{name}.wav"
        expect = (
            "either" if name in ("many-tracks", "many-clips", "duplicate-ids", "name-1mb", "in-after-out") else "error"
        )
        if name.startswith("source-"):
            expect = "either"  # an unusable clip is silent with a warning, or the render is refused
        check = audio_ok(target, silent=True)
        add(f"render project {name}", ["render", p / f"{name}.json", "--out", target], expect, check, target)
    for name in ("deep", "deep-object", "binary", "empty", "utf16", "latin1", "huge-number"):
        target = out / f"render-{name}.wav"
        add(f"render project {name}", ["render", p / f"{name}.json", "--out", target], "error", None, target)
    for name in ("fifo.json", "zero.json", "dir.json", "sparse.json", "missing.json"):
        target = out / f"render-{name}.wav"
        add(f"render project file {name}", ["render", work / name, "--out", target], "error", None, target)
    # render: hostile flags
    flags = {
        "start nan": ["--start", "nan"],
        "start inf": ["--start", "inf"],
        "start -1": ["--start", "-1"],
        "start 1e300": ["--start", "1e300"],
        "end 1e300": ["--end", "1e300"],
        "end 1e6": ["--end", "1e6"],
        "end nan": ["--end", "nan"],
        "end before start": ["--start", "0.3", "--end", "0.1"],
        "rate 0": ["--rate", "0"],
        "rate -1": ["--rate", "-1"],
        "rate 1e9": ["--rate", "1e9"],
        "rate 999999999": ["--rate", "999999999"],
        "rate 1": ["--rate", "1"],
        "rate huge int": ["--rate", "9" * 5000],
        "bitrate 0": ["--format", "mp3", "--bitrate", "0"],
        "bitrate 1e9": ["--bitrate", "1000000000"],
        "peak nan": ["--normalize", "--peak", "nan"],
        "peak inf": ["--normalize", "--peak", "inf"],
        "peak 1000": ["--normalize", "--peak", "1000"],
        "peak -1e300": ["--normalize", "--peak=-1e300"],
        "lufs nan": ["--normalize", "loudness", "--lufs", "nan"],
        "lufs 1000": ["--normalize", "loudness", "--lufs", "1000"],
        "lufs -inf": ["--normalize", "loudness", "--lufs=-inf"],
        "denoise nan": ["--denoise", "nan"],
        "denoise 5": ["--denoise", "5"],
        "title 100k": ["--title", "t" * 100_000],
    }
    for name, extra in flags.items():
        target = out / f"render-flag-{name.replace(' ', '-')}.wav"
        argv = ["render", good, "--out", target, *extra]
        if "mp3" in extra:
            target = target.with_suffix(".mp3")
            argv[3] = str(target)
        expect = "either" if name in ("title 100k",) else "error"
        add(f"render --{name}", argv, expect, audio_ok(target), target)
    add("render good (control)", ["render", good, "--out", out / "good.wav"], "ok", audio_ok(out / "good.wav"))
    add(
        "render loud, peak -1 (control)",
        ["render", p / "loud.json", "--out", out / "loud.wav", "--normalize", "--peak", "-1"],
        "ok",
        audio_ok(out / "loud.wav"),
    )
    add(
        "render loud, float, no normalise",
        ["render", p / "loud.json", "--out", out / "loud32.wav", "--bit-depth", "32"],
        "ok",
        audio_ok(out / "loud32.wav"),
    )
    add("render --out a folder", ["render", good, "--out", work / "dir.wav"], "error")
    add("render --out /dev/full", ["render", good, "--out", "/dev/full"], "error")
    add("render --out read-only folder", ["render", good, "--out", "/proc/x.wav"], "error")
    add("render --out unknown suffix", ["render", good, "--out", out / "x.xyz"], "error", None, out / "x.xyz")

    # denoise
    dn = out / "dn"
    for name in ("fifo.wav", "zero.wav", "dir.wav", "empty.wav", "nan.wav", "inf.wav", "neginf.wav", "text.wav",
                 "garbage.wav", "missing.wav"):  # fmt: skip
        target = dn / f"{name}"
        add(f"denoise input {name}", ["denoise", work / name, target], "error", None, target)
    # a header promising 4 GB over 1000 bytes of silence: what is there may be read, and must be labelled as it is
    target = dn / "liar.wav"
    add(
        "denoise input liar.wav",
        ["denoise", work / "liar.wav", target],
        "either",
        audio_ok(target, silent=True),
        target,
    )
    for name, extra in {
        "profile nan": ["--profile", "nan:1"],
        "profile end nan": ["--profile", "0:nan"],
        "profile inf": ["--profile", "0:inf"],
        "profile 1e300": ["--profile", "1e300:1e301"],
        "profile past end": ["--profile", "100:200"],
        "strength nan": ["--strength", "nan"],
        "strength inf": ["--strength", "inf"],
        "sensitivity -1": ["--sensitivity", "-1"],
        "bit depth 8": ["--bit-depth", "8"],
    }.items():
        target = dn / f"{name.replace(' ', '-')}.wav"
        add(f"denoise --{name}", ["denoise", work / "noisy.wav", target, *extra], "error", None, target)
    add("denoise good (control)", ["denoise", work / "noisy.wav", dn / "good.wav"], "ok", audio_ok(dn / "good.wav"))
    add(
        "denoise silent file",
        ["denoise", work / "silent.wav", dn / "silent.wav"],
        "either",
        audio_ok(dn / "silent.wav", silent=True),
    )
    add("denoise loud float file", ["denoise", work / "loud.wav", dn / "loud.wav"], "ok", audio_ok(dn / "loud.wav"))
    add("denoise output a folder", ["denoise", work / "noisy.wav", work / "dir.wav"], "error")

    # generate
    tiny = m / "tiny"
    lib = out / "lib"

    def gen(name: str, extra: list[str], expect: str = "error", model: Path = tiny) -> None:
        folder = lib / re.sub(r"[^a-z0-9]+", "-", name.lower())
        check = library_ok(folder) if expect != "error" else None
        add(
            f"generate {name}", ["generate", model, "--seconds", "0.05", "--out", folder, *extra], expect, check, folder
        )

    gen("good (control)", [], "ok")
    for name, extra in {
        "--rate 1e9": ["--rate", "1e9"],
        "--rate 999999999": ["--rate", "999999999"],
        "--rate 0": ["--rate", "0"],
        "--rate -5": ["--rate", "-5"],
        "--batch 100000000": ["--batch", "100000000"],
        "--batch 0": ["--batch", "0"],
        "--batch -1": ["--batch", "-1"],
        "--count 0": ["--count", "0"],
        "--count 1e9": ["--count", "1000000000"],
        "--seconds nan": ["--seconds", "nan"],
        "--seconds inf": ["--seconds", "inf"],
        "--seconds 1e300": ["--seconds", "1e300"],
        "--seed -1": ["--seed", "-1"],
        "--seed 1e30": ["--seed", str(10**30)],
        "--temperature nan": ["--temperature", "nan"],
        "--temperature inf": ["--temperature", "inf"],
        "--temperature 1e300": ["--temperature", "1e300"],
        "--temperature 0:nan": ["--temperature", "0:nan"],
        "--temperature 1e300s": ["--temperature", "0s:1,1e300s:1.2"],
        "--temperature huge": ["--temperature", ",".join(f"{i / 12000:.5f}:1" for i in range(12_000))],
        "--prime fifo": ["--prime", work / "fifo.wav"],
        "--prime /dev/zero": ["--prime", work / "zero.wav"],
        "--prime dir": ["--prime", work / "dir.wav"],
        "--prime nan": ["--prime", work / "nan.wav"],
        "--prime empty": ["--prime", work / "empty.wav"],
        "--prime-seconds nan": ["--prime", work / "tone.wav", "--prime-seconds", "nan"],
        "--prime-seconds -1": ["--prime", work / "tone.wav", "--prime-seconds", "-1"],
        "--prime-seconds 1e300": ["--prime", work / "tone.wav", "--prime-seconds", "1e300"],
        "--checkpoint abc": ["--checkpoint", "abc"],
        "--checkpoint huge": ["--checkpoint", "9" * 5000],
        "--device nonsense": ["--device", "quantum:7"],
    }.items():
        gen(name, extra)
    for name in CURVES:
        if name in ("good", "text-form"):
            gen(f"--curve-file {name}", ["--curve-file", c / f"{name}.json"], "ok")
        else:
            gen(f"--curve-file {name}", ["--curve-file", c / f"{name}.json"])
    for name in ("fifo.json", "zero.json", "dir.json", "sparse.json"):
        gen(f"--curve-file {name}", ["--curve-file", work / name])
    for name in ("dim-1e9", "layers-1e5", "embedding-1e9", "frames-1e9", "frames-deep", "rate-1e9", "dim-text",
                 "dim-float", "dim-huge-int", "model-list", "version-text", "deep", "not-json", "tiny-zero-config",
                 "zero-config", "fifo-config", "sparse-config", "state-step-text"):  # fmt: skip
        gen(f"model {name}", [], "either" if name == "state-step-text" else "error", model=m / name)
    for name in ("step-text", "config-dim-1e9", "config-layers-1e5", "config-text", "step-huge", "step-nan",
                 "meta-deep", "header-huge", "header-past-end", "header-not-json", "short", "empty", "pickle",
                 "sparse"):  # fmt: skip
        gen(f"weights {name}", [], "either" if name.startswith("step") else "error", model=w / f"{name}.safetensors")
    gen("model fifo", [], model=work / "fifo.wav")
    gen("model /dev/zero", [], model=work / "zero.wav")

    # info / eval
    for name in ("dim-1e9", "layers-1e5", "deep", "fifo-config", "zero-config", "sparse-config", "state-step-text"):
        add(f"info model {name}", ["info", m / name], "error")
    add("info good (control)", ["info", tiny], "ok")
    for name in ("fifo.wav", "zero.wav", "nan.wav", "empty.wav"):
        add(f"eval audio {name}", ["eval", tiny, work / name], "error")

    # lineage (which passage of the training audio a clip echoes)
    for name in ("fifo.wav", "zero.wav", "nan.wav", "empty.wav", "text.wav"):
        add(f"lineage clip {name}", ["lineage", tiny, work / name], "error")
    add("lineage --top 0", ["lineage", tiny, work / "tone.wav", "--top", "0"], "error")
    add("lineage --top huge", ["lineage", tiny, work / "tone.wav", "--top", "9" * 5000], "error")
    add("lineage model dim-1e9", ["lineage", m / "dim-1e9", work / "tone.wav"], "error")

    # train
    models = out / "models"

    def train(name: str, extra: list[str], expect: str = "error", data: Path | None = None) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        folder = models / slug
        argv = ["train", data or work / "tone.wav", "--models-dir", models, "--name", slug, "--preset", "debug"]
        check = model_ok(folder) if expect == "ok" else None
        add(f"train {name}", [*argv, "--steps", "2", *extra], expect, check, folder / "last.safetensors")

    for name, extra in {
        "--batch 1e8": ["--batch", "1e8"],
        "--batch 100000000": ["--batch", "100000000"],
        "--batch 0": ["--batch", "0"],
        "--seq-len 1e9": ["--seq-len", "1000000000"],
        "--lr nan": ["--lr", "nan"],
        "--lr inf": ["--lr", "inf"],
        "--lr -1": ["--lr", "-1"],
        "--lr 1e300": ["--lr", "1e300"],
        "--dim 1e9": ["--dim", "1000000000"],
        "--rnn-layers 1e5": ["--rnn-layers", "100000"],
        "--frame-sizes 1e9": ["--frame-sizes", "1000000000"],
        "--frame-sizes 0": ["--frame-sizes", "0"],
        "--frame-sizes 16,3": ["--frame-sizes", "16,3"],
        "--sample-rate 1e9": ["--sample-rate", "1000000000"],
        "--sample-rate 1": ["--sample-rate", "1"],
        "--hours nan": ["--hours", "nan"],
        "--hours inf": ["--hours", "inf"],
        "--seed 1e30": ["--seed", str(10**30)],
        "--seed -1": ["--seed", "-1"],
        "--val-every 0": ["--val-every", "0"],
        "--steps huge": ["--steps", "9" * 5000],
    }.items():
        train(name, extra)
    train("--checkpoint-every 1e12", ["--checkpoint-every", str(10**12)], "ok")
    cases.append(Case("train --steps 0", ["train", str(work / "tone.wav"), "--models-dir", str(models), "--name",
                                          "steps0", "--preset", "debug", "--steps", "0"], "error"))  # fmt: skip
    add("train --name 300 chars", ["train", work / "tone.wav", "--models-dir", models, "--name", "n" * 300], "error")
    add("train --name ..", ["train", work / "tone.wav", "--models-dir", models, "--name", ".."], "error")
    add("train --models-dir a file", ["train", work / "tone.wav", "--models-dir", work / "tone.wav", "--name", "x"])
    for name in ("fifo.wav", "zero.wav", "empty.wav", "nan.wav", "inf.wav", "text.wav", "liar.wav"):
        train(f"data {name}", [], data=work / name)
    train("56 ms files (control)", ["--frame-sizes", "32", "--val-every", "1"], "ok", data=work / "tiny-data")
    train("good (control)", [], "ok")

    # libraries
    for name in ("zero-byte", "schema-less", "garbage"):
        folder = work / "libraries" / name
        add(
            f"generate into library with {name} manifest",
            ["generate", tiny, "--seconds", "0.05", "--out", folder],
            "ok",
            listed(folder, 2),
        )
    leftovers = work / "libraries" / "leftovers"
    add(
        "generate into library with stale temp files",
        ["generate", tiny, "--seconds", "0.05", "--out", leftovers],
        "ok",
        library_ok(leftovers),
    )

    # the app opens hostile projects
    for name in ("start-1e300", "start-1e9", "out-1e6", "start-huge-int", "gain-1e300", "rate-1e9", "channels-1e9",
                 "version-1e300", "marker-1e300", "source-fifo", "source-dev-zero", "source-nan", "many-clips",
                 "fade-1e300", "good"):  # fmt: skip
        cases.append(Case(f"app opens {name}", [str(p / f"{name}.json")], "either", app=True))
    for name in ("deep.json", "deep-object.json", "binary.json", "huge-number.json"):
        cases.append(Case(f"app opens {name}", [str(p / name)], "either", app=True))
    for name in ("fifo.json", "zero.json", "sparse.json", "dir.json"):
        cases.append(Case(f"app opens {name}", [str(work / name)], "either", app=True))
    return cases


APP_SCRIPT = r"""
import sys, faulthandler
faulthandler.enable()
from pathlib import Path
from PySide6.QtWidgets import QMessageBox
shown = []
for kind in ("warning", "critical", "information"):
    setattr(QMessageBox, kind, staticmethod(lambda parent, title, text, *a, **k: shown.append(f"{title}: {text}")))
QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
from inspiration.engine.places import user_places
from inspiration.ui.app import make_application
from inspiration.ui.main_window import MainWindow
app = make_application()
window = MainWindow(user_places())
window.resize(1200, 700)
window.show()
app.processEvents()
opened = window.files.open(Path(sys.argv[1]))
for _ in range(5):
    app.processEvents()
window.grab()
for zoom in (window.timeline.zoom_fit, window.timeline.zoom_in, window.timeline.zoom_in, window.timeline.zoom_out):
    zoom()
    app.processEvents()
    window.grab()
print("opened" if opened else "refused", "|", " / ".join(s.splitlines()[0][:200] for s in shown))
window.document.project  # still there
window.close()
sys.exit(0 if opened else 2)
"""


# -- running ---------------------------------------------------------------------------------------------------------


def child_env(work: Path, root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(work / "home")
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[variable] = str(work / "home" / variable.lower())
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return env


def limits(cpu_seconds: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**30, 2**30))
        os.setsid()

    return apply


def run_case(case: Case, work: Path, root: Path, timeout: float) -> Result:
    env = child_env(work, root)
    if case.app:
        argv = [sys.executable, "-c", APP_SCRIPT, *case.argv]
    else:
        argv = [sys.executable, "-m", "inspiration", *case.argv]
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            preexec_fn=limits(int(timeout)),
        )  # fmt: skip
        status = None
        hung = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                hung = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Result(
            case,
            None if hung else process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            time.monotonic() - started,
            usage.ru_maxrss / 1024,
        )
    result.extra_env = env
    classify(result)
    return result


def classify(r: Result) -> None:
    case = r.case
    if r.rc is None or r.rc in (-signal.SIGXCPU, -signal.SIGKILL):
        r.outcome, r.why = "hang", f"killed after {r.seconds:.0f} s"
        return
    if r.rc < 0:
        r.outcome, r.why = "crash", f"signal {signal.Signals(-r.rc).name}"
        return
    if "Traceback (most recent call last)" in r.stderr or r.rc not in (0, 2, 130):
        tail = [line for line in r.stderr.strip().splitlines() if line.strip()]
        r.outcome, r.why = "traceback", (tail[-1] if tail else f"exit {r.rc}")[:200]
        return
    if r.rc == 2:
        if case.out is not None and case.out.is_file() and not case.app:
            r.outcome, r.why = "wrong", f"refused but {case.out.name} was written"
            return
        if case.expect == "ok" and not case.app:
            r.outcome, r.why = "wrong", "a good command was refused: " + _last(r)
            return
        r.outcome, r.why = "clean", _last(r) if not case.app else r.stdout.strip()[:200]
        return
    if r.rc == 130:
        r.outcome, r.why = "wrong", "stopped by itself"
        return
    if case.expect == "error" and not case.app:
        r.outcome, r.why = (
            "wrong",
            "the hostile input was accepted: " + (r.stdout.strip().splitlines() or [""])[-1][:150],
        )
        return
    problem = case.check(r) if case.check is not None else None
    if problem:
        r.outcome, r.why = "wrong", problem
        return
    r.outcome, r.why = "ok", (r.stdout.strip().splitlines() or [""])[-1][:200]


def _last(r: Result) -> str:
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="commands at once (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds per command (default 60)")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code runs (default: this one)")
    parser.add_argument("--verbose", action="store_true", help="print every case, not only the failures")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--fuzz", type=int, default=0, metavar="N", help="then run the property tests, N examples each")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspiration-hostile-"))
    began = time.monotonic()
    try:
        print(f"building the scratch folder in {work} ...", file=sys.stderr)
        build_scratch(work, args.root.resolve())
        cases = [case for case in catalogue(work) if args.only in case.name]
        print(f"running {len(cases)} hostile commands, {args.jobs} at a time ...", file=sys.stderr)
        with ThreadPoolExecutor(max_workers=max(1, min(args.jobs, 2))) as pool:
            results = list(pool.map(lambda case: run_case(case, work, args.root.resolve(), args.timeout), cases))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    counts = Counter(r.outcome for r in results)
    for r in results:
        if args.verbose or r.outcome not in ("clean", "ok") or r.peak_mb > MEMORY_TARGET / 2**20:
            print(f"{r.outcome:9s} {r.seconds:5.1f}s {r.peak_mb:6.0f} MB  {r.case.name}: {r.why}")
    heaviest = max(results, key=lambda r: r.peak_mb)
    over = sum(r.peak_mb > MEMORY_TARGET / 2**20 for r in results)
    print()
    print(f"{len(results)} hostile commands in {time.monotonic() - began:.0f} s")
    for outcome in ("clean", "ok", "traceback", "hang", "crash", "wrong"):
        print(f"  {outcome:10s} {counts.get(outcome, 0)}")
    print(f"  peak memory {heaviest.peak_mb:.0f} MB ({heaviest.case.name}); {over} command(s) over 1 GB")
    bad = sum(counts.get(k, 0) for k in ("traceback", "hang", "crash", "wrong")) + over
    if args.fuzz > 0:
        env = {**child_env(work, args.root.resolve()), "HYPOTHESIS_PROFILE": "long", "FUZZ_EXAMPLES": str(args.fuzz)}
        env["HOME"] = os.environ.get("HOME", "/tmp")
        print(f"\nproperty tests, {args.fuzz} examples each:")
        fuzz = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests/engine/test_fuzz.py")],
            cwd=ROOT,
            env=env,
        )
        bad += fuzz.returncode != 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
