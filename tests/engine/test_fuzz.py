"""Property tests: every reader of outside input, fed hostile data, returns a valid value or raises its own error.

Hypothesis drives the project loader, the curve parser, the model-config and weights-metadata readers, the audio
ingest and the manifest reader. Examples are kept few so the suite stays quick on two cores; the same properties
run longer with `python benchmarks/hostile.py --fuzz 2000` (HYPOTHESIS_PROFILE=long, FUZZ_EXAMPLES per property).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspiration.engine.audio.files import read_audio, read_mono
from inspiration.engine.composition.project_io import load_project, project_from_dict
from inspiration.engine.curves.curve import TemperatureCurve, load_curve_file, parse_curve
from inspiration.engine.errors import AudioReadError, CheckpointError, InspirationError, LibraryError
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.limits import MAX_SECONDS
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.weights_file import metadata_from_bytes, read_metadata

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HOSTILE_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e300, -1e300, 10**9, 2**63, math.nan, math.inf, 1e-300, 0.5]),
)
HOSTILE = st.one_of(
    HOSTILE_NUMBERS,
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), HOSTILE_NUMBERS, st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


def mutate(data: Any, path: list[Any], value: Any) -> Any:
    """`data` with the leaf (or branch) that `path` leads to replaced by `value`; path steps are taken modulo size."""
    if not path or not isinstance(data, (dict, list)) or not data:
        return value
    if isinstance(data, dict):
        key = sorted(data)[path[0] % len(data)]
        return {**data, key: mutate(data[key], path[1:], value)}
    index = path[0] % len(data)
    return [*data[:index], mutate(data[index], path[1:], value), *data[index + 1 :]]


GOOD_PROJECT = {
    "format": "inspiration-project",
    "version": 1,
    "sample_rate": 48000,
    "channels": 2,
    "master_gain_db": 0,
    "tracks": [
        {
            "name": "A",
            "gain_db": -3,
            "pan": 0.2,
            "mute": False,
            "solo": False,
            "clips": [
                {
                    "source": {"path": "tone.wav"},
                    "start": 1.0,
                    "in": 0.0,
                    "out": 0.25,
                    "gain_db": 0,
                    "fade_in": {"seconds": 0.01, "shape": "linear"},
                    "fade_out": 0.02,
                }
            ],
        }
    ],
    "markers": [{"time": 2.0, "name": "x"}],
}


def check_project(data: Any) -> None:
    try:
        project = project_from_dict(data)
    except InspirationError:
        return
    rate = project.sample_rate
    for _, clip in project.clips():
        assert 0 <= clip.start <= MAX_SECONDS * rate and clip.length <= MAX_SECONDS * rate
        assert math.isfinite(clip.gain_db)
    assert math.isfinite(project.master_gain_db)


@given(path=st.lists(st.integers(0, 50), max_size=6), value=HOSTILE)
def test_project_loader_survives_any_change_to_a_good_project(path, value):
    check_project(mutate(GOOD_PROJECT, path, value))


@given(data=JSON)
def test_project_loader_survives_any_json(data):
    check_project(data)


@given(raw=st.binary(max_size=300))
def test_project_files_of_any_bytes_are_refused_cleanly(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.inspiration"
        path.write_bytes(raw)
        try:
            load_project(path)
        except InspirationError:
            pass


@given(text=st.text(alphabet=st.sampled_from('0123456789.,:s/-e+ naifINFconstrampswelsmothp{}[]"'), max_size=40))
def test_curve_text_of_any_kind_parses_or_is_refused(text):
    try:
        curve = parse_curve(text)
    except InspirationError:
        return
    assert all(math.isfinite(t) and math.isfinite(v) for t, v in curve.points)


@given(data=JSON, path=st.lists(st.integers(0, 9), max_size=4), value=HOSTILE)
def test_curve_files_of_any_json_load_or_are_refused(data, path, value):
    good = {"points": [[0, 0.9], [0.5, 1.2], [1, 1.0]], "unit": "fraction", "interpolation": "smooth"}
    for candidate in (data, mutate(good, path, value)):
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "c.json"
            file.write_text(json.dumps(candidate))
            try:
                curve = load_curve_file(file)
            except InspirationError:
                continue
            assert isinstance(curve, TemperatureCurve)
            assert curve.values(0, 64, 16000, 64).dtype == np.float32


@pytest.fixture(scope="module")
def model_copy(tiny_model_root, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-model") / "tiny"
    shutil.copytree(tiny_model_root / "models" / "tiny", folder)
    return folder


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 40), max_size=4), value=HOSTILE)
def test_model_configs_load_or_are_refused(model_copy, path, value):
    original = json.loads((model_copy / "config.json").read_text())
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "m"
        copy.mkdir()
        (copy / "config.json").write_text(json.dumps(mutate(original, path, value)))
        try:
            config = ModelFolder(copy).read_config()
        except CheckpointError:
            return
        assert config.model.parameters_estimate() <= 2_000_000_000
        assert 1 <= config.train.batch_size <= 4096


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=st.sampled_from(["step", "best_step", "elapsed_seconds", "val_bits", "config", "format"]), value=HOSTILE)
def test_weights_metadata_is_checked_or_refused(model_copy, key, value):
    data = (model_copy / "last.safetensors").read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + size])
    header["__metadata__"][key] = json.dumps(value)
    text = json.dumps(header).encode()
    try:
        meta = metadata_from_bytes(Path("w.safetensors"), struct.pack("<Q", len(text)) + text)
    except CheckpointError:
        return
    step = meta.get("step")
    assert step is None or (isinstance(step, int) and step >= 0)


@given(raw=st.binary(max_size=200))
def test_weights_files_of_any_bytes_are_refused_cleanly(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.safetensors"
        path.write_bytes(raw)
        try:
            read_metadata(path)
        except CheckpointError:
            pass
        try:
            metadata_from_bytes(path, raw)
        except CheckpointError:
            pass


@given(
    samples=st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), max_size=64),
    garble=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=6),
)
def test_audio_ingest_gives_finite_audio_or_a_clear_error(samples, garble):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.wav"
        sf.write(path, np.array(samples, dtype=np.float32), 16000, subtype="FLOAT")
        raw = bytearray(path.read_bytes())
        for offset, byte in garble:  # damage the header or the samples
            if offset < len(raw):
                raw[offset] = byte
        path.write_bytes(bytes(raw))
        for read in (lambda: read_audio(path)[0], lambda: read_mono(path, 16000)):
            try:
                audio = read()
            except AudioReadError:
                continue
            assert audio.dtype == np.float32 and np.all(np.isfinite(audio))


@given(raw=st.binary(max_size=600), sqlite_header=st.booleans())
def test_a_manifest_of_any_bytes_keeps_the_clips_visible(raw, sqlite_header):
    with tempfile.TemporaryDirectory() as folder:
        library = Path(folder) / "lib"
        (library / "clips").mkdir(parents=True)
        sf.write(library / "clips" / "kept.wav", np.full(800, 0.25, dtype=np.float32), 16000)
        (library / "manifest.sqlite").write_bytes((b"SQLite format 3\0" if sqlite_header else b"") + raw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clips = ClipLibrary(library).list()
            except LibraryError:
                return
        assert [c.path for c in clips] == ["clips/kept.wav"]


@given(
    column=st.sampled_from(["curve", "tags", "measures", "flags", "duration", "rating", "overview", "created"]),
    value=st.one_of(HOSTILE, st.just("[" * 50_000 + "]" * 50_000), st.binary(max_size=20)),
)
def test_a_manifest_row_of_any_values_is_read_or_skipped(column, value):
    import sqlite3

    with tempfile.TemporaryDirectory() as folder:
        library = ClipLibrary(Path(folder) / "lib")
        for name in ("a", "b"):
            library.add(np.full(800, 0.25, dtype=np.float32), 16000, name=name)
        db = sqlite3.connect(Path(folder) / "lib" / "manifest.sqlite")
        stored = value if isinstance(value, (int, float, str, bytes)) or value is None else json.dumps(value)
        try:
            db.execute(f"UPDATE clips SET {column} = ? WHERE id = 'a'", (stored,))
            db.commit()
        except (sqlite3.IntegrityError, OverflowError):  # NOT NULL columns, integers past 64 bits
            return
        finally:
            db.close()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ids = [clip.id for clip in library.list()]
        assert "b" in ids
