"""The validation layer: checked numbers, regular files of a sane size, bounded JSON, stale temporary files."""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from inspiration.engine.atomic import atomic_path, remove_stale_temporaries, write_text_atomic
from inspiration.engine.errors import AudioReadError, LimitError
from inspiration.engine.limits import (
    check_finite_audio,
    checked_float,
    checked_int,
    load_json_limited,
    open_regular_file,
    parse_float,
    parse_int,
    read_limited,
)


@pytest.mark.parametrize(
    "value", [True, "3", None, [3], 3.5, math.nan, math.inf, pytest.param(10**5000, id="5000-digits"), -1, 11]
)
def test_checked_int_refuses_wrong_types_and_ranges(value):
    with pytest.raises(LimitError, match="count"):
        checked_int(value, "count", 0, 10)


def test_checked_int_accepts_whole_floats_and_numpy_numbers():
    assert checked_int(4.0, "n", 0, 10) == 4 and checked_int(np.int64(7), "n", 0, 10) == 7


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, pytest.param(10**5000, id="5000-digits"), "1", True, 1e300]
)
def test_checked_float_refuses_non_finite_and_out_of_range(value):
    with pytest.raises(LimitError, match="gain") as info:
        checked_float(value, "gain", -100, 100)
    assert len(str(info.value)) < 120  # a 5000-digit number is summarised, not printed


def test_checked_float_bounds_can_be_open_below():
    assert checked_float(0.5, "lr", 0, 1, above=True) == 0.5
    with pytest.raises(LimitError, match="more than 0"):
        checked_float(0.0, "lr", 0, 1, above=True)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "abc", "", "9" * 100])
def test_parse_float_refuses_what_is_not_a_finite_number(text):
    with pytest.raises(LimitError):
        parse_float(text, "x", -1e9, 1e9)


@pytest.mark.parametrize("text", ["1e9", "1.5", "9" * 5000, "", "0x10"])
def test_parse_int_refuses_what_is_not_a_short_whole_number(text):
    with pytest.raises(LimitError):
        parse_int(text, "x", 0, 10**12)


def test_special_files_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(done, lambda: open_regular_file(fifo, 100, "the project")))
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "opening a FIFO blocked"
    assert isinstance(done[0], LimitError) and "pipe (FIFO)" in str(done[0])
    with pytest.raises(LimitError, match="a device"):
        read_limited("/dev/zero", 100, "the project")
    with pytest.raises(LimitError, match="folder"):
        read_limited(tmp_path, 100, "the project")
    with pytest.raises(FileNotFoundError):
        read_limited(tmp_path / "missing", 100)


def test_oversized_files_are_refused_by_their_size(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(10 * 2**20)  # sparse: refused without reading a byte
    with pytest.raises(LimitError, match="the most Inspiration reads"):
        load_json_limited(big, "the project", max_bytes=2**20)


@pytest.mark.parametrize(
    "text,message",
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 100 + "1" + "}" * 100, "nested too deeply"),
        ('{"n": ' + "9" * 5000 + "}", "5000 digits"),
        ("{", r"not valid JSON \(line 1"),
    ],
)
def test_json_is_bounded_in_depth_and_number_length(text, message):
    with pytest.raises(LimitError, match=message):
        load_json_limited(text.encode(), "the file")


def test_json_that_is_not_utf8_is_named_as_such():
    with pytest.raises(LimitError, match="not UTF-8"):
        load_json_limited(b'{"name": "\xe9"}', "the file")
    assert load_json_limited('\ufeff{"a": 1}'.encode(), "the file") == {"a": 1}  # a BOM is fine


def test_non_finite_audio_is_refused():
    check_finite_audio(np.zeros(4, dtype=np.float32), "x")
    with pytest.raises(AudioReadError, match="2 NaN or infinite"):
        check_finite_audio(np.array([0, np.nan, np.inf], dtype=np.float32), "take.wav")


def test_stale_temporary_files_of_dead_writers_are_removed_at_the_next_write(tmp_path):
    target = tmp_path / "mix.wav"
    dead = _dead_pid()
    stale = tmp_path / f".mix.{dead}-abcd1234.tmp.wav"
    live = tmp_path / f".mix.{os.getppid()}-efgh5678.tmp.wav"  # a running process: its write may be in progress
    old_style = tmp_path / ".mix.ijkl9012.tmp.wav"
    fresh_old_style = tmp_path / ".other.mnop3456.tmp.wav"
    for path in (stale, live, old_style, fresh_old_style):
        path.write_bytes(b"half")
    hour_ago = time.time() - 7200
    os.utime(old_style, (hour_ago, hour_ago))
    with atomic_path(target) as tmp:
        assert str(os.getpid()) in tmp.name
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists() and not old_style.exists()
    assert live.exists() and fresh_old_style.exists()
    os.utime(fresh_old_style, (hour_ago, hour_ago))
    assert remove_stale_temporaries(tmp_path) == 1 and live.exists()


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "x.json"):
        raise RuntimeError("boom")
    write_text_atomic(tmp_path / "y.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y.json"]


def _catch(into: list[BaseException], call) -> None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        into.append(exc)


def _dead_pid() -> int:
    pid = 4_000_000
    while Path(f"/proc/{pid}").exists():
        pid += 1
    return pid
