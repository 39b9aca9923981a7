"""The one validation layer at every boundary: numbers, files and JSON from outside are checked here first.

Every number from a flag, a config, a project, a curve file or weights metadata goes through `checked_int` or
`checked_float` (type, finiteness, a sane range) before anything is allocated from it; every file named by a user is
opened with `open_regular_file` (a regular file of a sane size: never a FIFO, a device or a folder, which would block
or read without end); every JSON document is read with `load_json_limited` (size, nesting depth and number length
bounded). A value that fails raises `LimitError` with one line naming it, which the CLI prints with exit status 2 and
the app shows in a message. Pure Python at import (numpy is loaded only by `check_finite_audio`; never torch or Qt),
so argument parsing can use it.

Non-finite audio samples (NaN, ±Inf) are refused wherever audio comes in (`check_finite_audio`): a file holding
them is an error naming the file, never zeroed silently or passed through to an output.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from inspiration.engine.errors import LimitError

#: Times anywhere in a piece (clip positions, render ranges, clip lengths): 24 hours.
MAX_SECONDS = 24 * 3600.0
#: Sample rates Inspiration reads, writes or models.
MIN_RATE, MAX_RATE = 1000, 384_000
#: Gains in dB (clip, track, master), and the level targets of normalisation.
MIN_GAIN_DB, MAX_GAIN_DB = -120.0, 60.0
MIN_PEAK_DB, MAX_PEAK_DB = -60.0, 0.0
MIN_LUFS, MAX_LUFS = -70.0, 0.0
#: JSON documents (projects; curves and model configs set tighter limits), and their nesting.
MAX_JSON_BYTES = 64 * 2**20
MAX_JSON_DEPTH = 64
#: Integers in JSON longer than this many digits are refused (Python would refuse past 4300, with a traceback).
MAX_JSON_DIGITS = 40
#: Audio files: their size on disk (a 24-hour 8-channel 96 kHz float file is about 260 GB; anything beyond is hostile).
MAX_AUDIO_BYTES = 2**40


def checked_int(value: Any, name: str, low: int, high: int) -> int:
    """`value` as an int in [low, high]; a whole-valued float (256.0) counts. LimitError names `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise LimitError(f"{name} must be a whole number from {low} to {high}, not {_show(value)}")
    if not isinstance(value, int):
        number = float(value)
        if not math.isfinite(number) or not number.is_integer():
            raise LimitError(f"{name} must be a whole number from {low} to {high}, not {_show(value)}")
        value = int(number)
    if not low <= value <= high:
        raise LimitError(f"{name} must be from {low} to {high}, not {_show(value)}")
    return int(value)


def checked_float(
    value: Any, name: str, low: float = -math.inf, high: float = math.inf, *, above: bool = False
) -> float:
    """`value` as a finite float in [low, high] (or (low, high] with `above`); LimitError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise LimitError(f"{name} must be a number, not {_show(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    if not math.isfinite(number):
        raise LimitError(f"{name} must be a finite number, not {_show(value)}")
    if not (low < number if above else low <= number) or number > high:
        raise LimitError(f"{name} must be {_range(low, high, above)}, not {_show(value)}")
    return number


def parse_int(text: str, name: str, low: int, high: int) -> int:
    """A whole number written as text (a flag's value), checked like `checked_int`."""
    cleaned = str(text).strip()
    if not cleaned.lstrip("+-").isdigit() or len(cleaned) > MAX_JSON_DIGITS:
        raise LimitError(f"{name} must be a whole number from {low} to {high}, not {_show_text(cleaned)}")
    return checked_int(int(cleaned), name, low, high)


def parse_float(text: str, name: str, low: float = -math.inf, high: float = math.inf, *, above: bool = False) -> float:
    """A number written as text (a flag's value), checked like `checked_float` (nan and inf are refused)."""
    cleaned = str(text).strip()
    try:
        number = float(cleaned) if len(cleaned) <= 64 else math.nan
    except ValueError:
        raise LimitError(f"{name} must be a number, not {_show_text(cleaned)}") from None
    if not math.isfinite(number):
        raise LimitError(f"{name} must be a finite number, not {_show_text(cleaned)}")
    return checked_float(number, name, low, high, above=above)


def checked_text(value: Any, name: str, max_chars: int) -> str:
    """`value` as a string of at most `max_chars` characters."""
    if not isinstance(value, str):
        raise LimitError(f"{name} must be text, not {_show(value)}")
    if len(value) > max_chars:
        raise LimitError(f"{name} is {len(value)} characters long; the most is {max_chars}")
    return value


def check_regular_file(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> int:
    """Raise LimitError unless `path` is a regular file (after symlinks) of at most `max_bytes`; returns its size.

    For readers that open the path themselves (libsndfile, SQLite): a FIFO would block them and a device would feed
    them without end. A missing file raises FileNotFoundError, left to the caller to word.
    """
    info = os.stat(path)
    _check_stat(info, Path(path), max_bytes, what)
    return info.st_size


def open_regular_file(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> BinaryIO:
    """Open `path` for reading in binary, after checking on the open descriptor that it is a regular file of at most
    `max_bytes` (so a FIFO never blocks the open, and nothing can be swapped in between the check and the read).
    A missing file raises FileNotFoundError; other refusals raise LimitError naming `what`."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        raise LimitError(f"{what} {path} is a folder, not a file") from None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise FileNotFoundError(exc.errno, exc.strerror, str(path)) from None
        raise LimitError(f"{what} {path} cannot be opened: {exc.strerror or exc}") from None
    try:
        _check_stat(os.fstat(fd), path, max_bytes, what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> bytes:
    """The whole of a regular file of at most `max_bytes` (see `open_regular_file`)."""
    with open_regular_file(path, max_bytes, what) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while being read
        raise LimitError(f"{what} {path} is larger than {_size(max_bytes)}")
    return data


def load_json_limited(
    source: str | os.PathLike[str] | bytes,
    what: str,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON from a file path or bytes with its size, nesting depth and integer length bounded.

    `what` names the document ("the project file"); for a path, messages name the path after it. LimitError says
    what is wrong in one line (broken JSON with its line and column, not UTF-8, too large, too deep, an absurdly long
    number); FileNotFoundError is passed on for the caller to word.
    """
    data = read_limited(source, max_bytes, what) if not isinstance(source, bytes) else source
    if not isinstance(source, bytes):
        what = f"{what} {source}"
    if len(data) > max_bytes:
        raise LimitError(f"{what} is larger than {_size(max_bytes)}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LimitError(f"{what} cannot be read: it is not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_int=_parse_json_int)
    except RecursionError:
        raise LimitError(f"{what} is nested too deeply (more than {max_depth} levels)") from None
    except json.JSONDecodeError as exc:
        raise LimitError(f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:  # from _parse_json_int
        raise LimitError(f"{what} {exc}") from None
    if _depth(value) > max_depth:
        raise LimitError(f"{what} is nested too deeply (more than {max_depth} levels)")
    return value


def loads_limited(text: str, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`load_json_limited` for JSON already in a string (a header field, a database column, a flag's value)."""
    if not isinstance(text, str):
        raise LimitError(f"{what} is not JSON text")
    return load_json_limited(text.encode("utf-8", "surrogatepass"), what, max_depth=max_depth)


def check_finite_audio(samples: Any, what: str) -> None:
    """Raise AudioReadError when a numpy array of samples holds NaN or ±Inf (the policy: refuse, never zero)."""
    import numpy as np

    from inspiration.engine.errors import AudioReadError

    finite = np.isfinite(samples)
    if not finite.all():
        bad = int(finite.size - np.count_nonzero(finite))
        raise AudioReadError(f"{what} holds {bad} NaN or infinite sample(s); repair or re-export it")


def argument(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse `type=` from a text check: a LimitError becomes argparse's one-line usage error (exit 2)."""
    import argparse

    def convert(text: str) -> Any:
        try:
            return check(text)
        except LimitError as exc:
            raise argparse.ArgumentTypeError(_without_name(str(exc))) from None

    convert.__name__ = getattr(check, "__name__", "value")
    return convert


# -- helpers ---------------------------------------------------------------------------------------------------------


def _check_stat(info: os.stat_result, path: Path, max_bytes: int, what: str) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise LimitError(f"{what} {path} is a folder, not a file")
    if not stat.S_ISREG(mode):
        if stat.S_ISFIFO(mode):
            kind = "a pipe (FIFO)"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            kind = "a device"
        else:
            kind = "a socket" if stat.S_ISSOCK(mode) else "a special file"
        raise LimitError(f"{what} {path} is {kind}, not a regular file")
    if info.st_size > max_bytes:
        raise LimitError(f"{what} {path} is {_size(info.st_size)}; the most Inspiration reads is {_size(max_bytes)}")


def _parse_json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"holds a number with {len(text.lstrip('-'))} digits")
    return int(text)


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def _is_numpy_number(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and getattr(value, "shape", None) == ()


def _show(value: Any) -> str:
    """A short rendering of any value for a message (huge integers and long strings are summarised)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = int(value.bit_length() * 0.30103) + 1
        return f"a number with about {digits} digits"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace("inf", "infinity")
    if isinstance(value, str):
        return _show_text(value)
    if value is None:
        return "nothing (null)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__ if not _is_numpy_number(value) else repr(value.item())


def _show_text(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}… ({len(text)} characters)"


def _range(low: float, high: float, above: bool) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    if math.isinf(high):
        return f"more than {fmt(low)}" if above else f"at least {fmt(low)}"
    if math.isinf(low):
        return f"at most {fmt(high)}"
    return f"more than {fmt(low)} and at most {fmt(high)}" if above else f"from {fmt(low)} to {fmt(high)}"


def _size(count: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if count >= scale:
            return f"{count / scale:.0f} {unit}"
    return f"{count} bytes"


def _without_name(message: str) -> str:
    """argparse already names the flag: 'rate must be from 1 to 2, not 0' → 'must be from 1 to 2, not 0'."""
    if message.startswith("it "):
        return message[3:]
    for marker in (" must be ", " is "):
        head, found, tail = message.partition(marker)
        if found and " " not in head.strip():
            return marker.strip() + " " + tail
    return message
