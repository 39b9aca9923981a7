"""A clip library record: what the app shows about a clip without decoding its audio, and how a manifest row is
read back into one (every value checked, so a damaged row is reported rather than crashing a listing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from inspiration.engine.audio.files import minmax_overview
from inspiration.engine.curves.curve import TemperatureCurve
from inspiration.engine.errors import InspirationError, LibraryError
from inspiration.engine.library.manifest import COLUMNS
from inspiration.engine.library.quality import FLAGS
from inspiration.engine.limits import loads_limited

OVERVIEW_POINTS = 256
MAX_RATING = 5
#: A clip whose novelty is at most this is mostly a copy of its model's training audio: it gets the flag ECHO.
ECHO_NOVELTY = 0.5
ECHO = "echo"
#: Every flag a record may carry: the quality flags, and ECHO from lineage.
CLIP_FLAGS = (*FLAGS, ECHO)
#: The largest top-k a record may hold: `model.truncation.MAX_TOP_K` (that layer is not imported from here).
MAX_TOP_K = 65536


@dataclass(frozen=True)
class ClipRecord:
    """One clip as the manifest knows it. `path` is relative to the library folder; `missing` is checked on read.

    `flags` are quality flags (see `inspiration.engine.library.quality`), plus ECHO when the clip's novelty is at
    most ECHO_NOVELTY; `score` is the quality sort key in (0, 1], `measures` the raw measurements; `overview` is
    OVERVIEW_POINTS min/max pairs as int8 bytes (see `overview_minmax`). `novelty` (0..1) and `lineage` (the best
    match as `inspiration.engine.lineage.query.Match.to_dict`) are None until the clip is compared with its model's
    training audio. `min_p` and `top_k` are the truncations a generated clip was made with (0: no cut, also for
    clips made before each was recorded); None for a clip that was not generated.
    """

    id: str
    path: str
    created: str
    duration: float
    sample_rate: int
    channels: int
    model: str | None
    checkpoint_step: int | None
    seed: int | None
    curve: dict[str, Any] | None
    prime: str | None
    source: str | None
    peak: float
    rms: float
    rating: int
    discarded: bool
    tags: tuple[str, ...]
    notes: str
    flags: tuple[str, ...]
    score: float
    measures: dict[str, Any]
    overview: bytes
    missing: bool
    novelty: float | None = None
    lineage: dict[str, Any] | None = None
    min_p: float | None = None
    top_k: int | None = None

    @property
    def name(self) -> str:
        """What a musician sees: "<model> · seed <n>" for a generated clip, else the file name without extension."""
        if self.model and self.seed is not None:
            return f"{self.model} · seed {self.seed}"
        return PurePosixPath(self.path).stem

    def overview_minmax(self) -> np.ndarray:
        """The waveform overview as float32 (points, 2): min and max of each span, in [-1, 1]."""
        return (np.frombuffer(self.overview, dtype=np.int8).reshape(-1, 2) / 127.0).astype(np.float32)

    def temperature_curve(self) -> TemperatureCurve | None:
        """The curve the clip was generated with, if any."""
        return TemperatureCurve.from_dict(self.curve) if self.curve is not None else None


def record_from_row(row: tuple[Any, ...], folder: Path) -> ClipRecord:
    """A ClipRecord from a manifest row (values in COLUMNS order); LibraryError naming the clip if one is unusable."""
    d = dict(zip(COLUMNS, row))
    try:
        relative = safe_relative(d["path"])
        if relative is None:
            raise ValueError(f"path {d['path']!r} is outside the library")
        curve = None if d["curve"] is None else TemperatureCurve.from_dict(loads_limited(d["curve"], "curve")).to_dict()
        record = ClipRecord(
            id=_must(d["id"], str),
            path=relative,
            created=_iso_time(d["created"]),
            duration=float(_must(d["duration"], (int, float))),
            sample_rate=_must(d["sample_rate"], int),
            channels=_must(d["channels"], int),
            model=_must(d["model"], (str, type(None))),
            checkpoint_step=_must(d["checkpoint_step"], (int, type(None))),
            seed=_must(d["seed"], (int, type(None))),
            curve=curve,
            prime=_must(d["prime"], (str, type(None))),
            source=_must(d["source"], (str, type(None))),
            peak=float(_must(d["peak"], (int, float))),
            rms=float(_must(d["rms"], (int, float))),
            rating=_must(d["rating"], int),
            discarded=bool(_must(d["discarded"], int)),
            tags=tuple(_string_list(d["tags"])),
            notes=_must(d["notes"], str),
            flags=(*_string_list(d["flags"]), *_echo(d["novelty"])),
            score=float(_must(d["score"], (int, float))),
            measures=_must(loads_limited(d["measures"], "measures"), dict),
            overview=_must(d["overview"], bytes),
            missing=not (folder / relative).is_file(),
            novelty=_must(d["novelty"], (int, float, type(None))),
            lineage=None if d["lineage"] is None else _must(loads_limited(d["lineage"], "lineage"), dict),
            min_p=_min_p(d["min_p"], generated=curve is not None),
            top_k=_top_k(d["top_k"], generated=curve is not None),
        )
        if not 0 <= record.rating <= MAX_RATING or len(record.overview) % 2 or not 0 <= (record.novelty or 0) <= 1:
            raise ValueError("rating or overview out of range")
    except (ValueError, TypeError, KeyError, InspirationError) as exc:
        raise LibraryError(f"the library's record of clip '{d.get('id')}' is damaged ({exc})") from None
    return record


def overview_bytes(audio: np.ndarray) -> bytes:
    """OVERVIEW_POINTS min/max pairs of audio ((frames,) or (channels, frames)) as int8 bytes, scaled by 127."""
    pairs = minmax_overview(audio, OVERVIEW_POINTS)
    return bytes(np.clip(np.rint(pairs * 127), -127, 127).astype(np.int8).tobytes())


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags trimmed, empty ones dropped, duplicates removed, order kept; a single string is one tag."""
    if isinstance(tags, str):
        tags = [tags]
    clean: list[str] = []
    for tag in tags:
        text = checked_text(tag, "a tag").strip()
        if text and text not in clean:
            clean.append(text)
    return clean


def checked_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise LibraryError(f"{what} must be text, not {type(value).__name__}")
    return value


def optional_text(value: Any, what: str) -> str | None:
    return None if value is None else checked_text(value, what)


def optional_min_p(value: Any) -> float | None:
    """A min-p to record: None, or a finite number in [0, 1) (as `model.truncation` checks it)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value < 1:
        raise LibraryError(f"min-p must be a number at least 0 and below 1, not {value!r}")
    return float(value)


def optional_top_k(value: Any) -> int | None:
    """A top-k to record: None, or a whole number, 0 or from 2 to MAX_TOP_K (as `model.truncation` checks it)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not _top_k_in_range(int(value)):
        raise LibraryError(f"top-k must be a whole number, 0 or from 2 to {MAX_TOP_K}, not {value!r}")
    return int(value)


def optional_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not -(2**63) <= value < 2**63:
        raise LibraryError(f"the {what} must be a whole number, not {value!r}")
    return int(value)


def safe_relative(path: Any) -> str | None:
    """A stored path if it is relative and stays inside the library folder, else None."""
    if not isinstance(path, str) or not path:
        return None
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or ":" in path:
        return None
    return path


def _must(value: Any, kind: type | tuple[type, ...]) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"unexpected {type(value).__name__} value {value!r}")
    return value


def _iso_time(text: Any) -> str:
    datetime.fromisoformat(_must(text, str).replace("Z", "+00:00"))  # raises ValueError if it is not one
    return str(text)


def _min_p(value: Any, generated: bool) -> float | None:
    """The stored min-p; a generated clip's row from before min-p was recorded (NULL) reads as 0."""
    if value is None:
        return 0.0 if generated else None
    number = float(_must(value, (int, float)))
    if not 0 <= number < 1:
        raise ValueError(f"min-p {number!r} out of range")
    return number


def _top_k(value: Any, generated: bool) -> int | None:
    """The stored top-k; a generated clip's row from before top-k was recorded (NULL) reads as 0."""
    if value is None:
        return 0 if generated else None
    number = int(_must(value, int))
    if not _top_k_in_range(number):
        raise ValueError(f"top-k {number!r} out of range")
    return number


def _top_k_in_range(value: int) -> bool:
    return value == 0 or 2 <= value <= MAX_TOP_K


def _echo(novelty: Any) -> tuple[str, ...]:
    return (ECHO,) if isinstance(novelty, (int, float)) and novelty <= ECHO_NOVELTY else ()


def _string_list(text: Any) -> list[str]:
    items = loads_limited(_must(text, str), "a list")
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise ValueError(f"{text!r} is not a list of text")
    return items
