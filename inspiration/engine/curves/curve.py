"""Expressive temperature: a curve of sampling temperature over a clip, evaluated per sample.

A curve is a list of breakpoints (time → temperature) joined by an interpolation. Times are either fractions of the
clip (0 is the first sample, 1 the last) or seconds from its start; one curve uses one kind. Before the first
breakpoint and after the last the end values are held; seconds past the clip's end are allowed (the curve is cut).

Text form (the `--temperature` option), case-insensitive, spaces ignored::

    curve  := body ["/" interpolation]
    body   := number | preset | point ("," point)*
    point  := time ":" number
    time   := number          fraction of the clip, 0 to 1
            | number "s"      seconds from the start
    interpolation := "linear" (default) | "step" | "smooth"
    preset := "constant" | "ramp" | "swell" | "fall"

    0.95                        constant 0.95 over the whole clip
    ramp                        the "ramp" preset: 0.875 at the start rising to 1.15 at the end
    swell/step                  a preset with another interpolation
    0:0.875,1:1.15              from 0.875 at the start to 1.15 at the end
    0s:0.9,12.5s:1.2            seconds: rises over 12.5 s, then holds 1.2
    0:0.9,0.5:1.3,1:0.9/smooth  up and back down, with rounded corners

A JSON object in the `to_dict` form is accepted too (`{"points": [[0, 0.9], [1, 1.2]], "unit": "fraction",
"interpolation": "linear"}`; unit and interpolation may be left out).

Interpolations: "linear" joins breakpoints with straight lines; "step" holds each value until the next breakpoint;
"smooth" is a monotone cubic (Fritsch–Carlson / PCHIP slopes) with flat ends: it passes through every breakpoint,
never goes beyond the values of the two breakpoints it lies between (no overshoot), and eases into the held ends.

Temperatures lie in [0, MAX_TEMPERATURE]. T = 0 means "always the most likely sample" (argmax; the sampler handles it
without dividing by zero).
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import numpy as np

from inspiration.engine.errors import InvalidCurveError, LimitError
from inspiration.engine.limits import MAX_SECONDS, load_json_limited, loads_limited

#: Highest temperature accepted. At T = 5 the model's distribution is already close to uniform (the output is noise);
#: higher values change nothing audible, and a typo such as 95 for 0.95 is better caught than played.
MAX_TEMPERATURE = 5.0
#: Most breakpoints in one curve (a drawn curve has tens; a sketched one a few hundred).
MAX_POINTS = 10_000
#: Largest curve file or text read.
MAX_CURVE_BYTES = 4 * 2**20

Unit = Literal["fraction", "seconds"]
Interpolation = Literal["linear", "step", "smooth"]
UNITS: tuple[Unit, ...] = ("fraction", "seconds")
INTERPOLATIONS: tuple[Interpolation, ...] = ("linear", "step", "smooth")

_CHUNK = 16384
_PREFIX = "temperature curve: "
_HINT = "give a number such as 0.95, a preset (constant, ramp, swell, fall) or breakpoints such as 0:0.875,1:1.15"


@dataclass(frozen=True)
class TemperatureCurve:
    """Breakpoints (time, temperature) with ascending times, their time unit and the interpolation between them.

    Construction validates: at least one point, finite non-negative strictly increasing times (fractions within
    [0, 1]), temperatures within [0, MAX_TEMPERATURE]. Raises InvalidCurveError otherwise.
    """

    points: tuple[tuple[float, float], ...]
    unit: Unit = "fraction"
    interpolation: Interpolation = "linear"

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", _checked_points(self.points, self.unit))
        if self.interpolation not in INTERPOLATIONS:
            raise _invalid(f"unknown interpolation {self.interpolation!r}; choose one of {', '.join(INTERPOLATIONS)}")

    @property
    def constant_value(self) -> float | None:
        """The temperature if it is the same everywhere, else None (lets a generator skip per-sample work)."""
        first = self.points[0][1]
        return first if all(v == first for _, v in self.points) else None

    def delayed(self, offset_seconds: float, clip_seconds: float) -> TemperatureCurve:
        """This curve over a clip of `clip_seconds`, starting `offset_seconds` later (in seconds; the first value
        holds before it) — how a clip that begins with its prime was steered."""
        scale = clip_seconds if self.unit == "fraction" else 1.0
        points = tuple((offset_seconds + t * scale, v) for t, v in self.points)
        return TemperatureCurve(points=points, unit="seconds", interpolation=self.interpolation)

    def values(self, start: int, count: int, sample_rate: int, clip_frames: int) -> np.ndarray:
        """Temperatures for samples [start, start + count) of a clip of `clip_frames` samples: float32 (count,).

        Each sample's value depends only on its index, so evaluating block by block gives exactly the values of one
        call over the whole clip. Samples past `clip_frames` hold the curve's end value (fraction curves) or
        continue in time (seconds curves).
        """
        if start < 0 or count < 0 or sample_rate <= 0 or clip_frames <= 0:
            raise ValueError(
                f"values() needs start, count >= 0 and sample_rate, clip_frames > 0; got start={start}, "
                f"count={count}, sample_rate={sample_rate}, clip_frames={clip_frames}"
            )
        scale = float(max(clip_frames - 1, 1)) if self.unit == "fraction" else float(sample_rate)
        out = np.empty(count, dtype=np.float32)
        for first in range(0, count, _CHUNK):  # cache-sized pieces: several times faster than one pass
            index = np.arange(start + first, start + min(first + _CHUNK, count), dtype=np.float64)
            out[first : first + len(index)] = self._at(index / scale)
        return out

    def sparkline(self, points: int, duration: float | None = None) -> list[float]:
        """The curve at `points` evenly spaced positions from the clip's start to its end (for thumbnails).

        Seconds curves need the clip's `duration` in seconds; without it they span 0 to their last breakpoint.
        """
        if points < 1:
            raise ValueError(f"sparkline needs at least one point, not {points}")
        if self.unit == "fraction":
            span = 1.0
        else:
            span = duration if duration is not None and duration > 0 else (self.points[-1][0] or 1.0)
        return [float(v) for v in self._at(np.linspace(0.0, span, points))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"points": [[time, value], ...], "unit": ..., "interpolation": ...}."""
        return {
            "points": [[t, v] for t, v in self.points],
            "unit": self.unit,
            "interpolation": self.interpolation,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TemperatureCurve:
        """Rebuild and validate a curve from `to_dict` output; unit and interpolation default to fraction, linear."""
        if not isinstance(d, Mapping):
            raise _invalid(f'it must be a JSON object with "points", not {_kind(d)}')
        unknown = sorted(set(d) - {"points", "unit", "interpolation"})
        if unknown:
            raise _invalid(f"it has unknown field(s) {', '.join(map(repr, unknown))}")
        if "points" not in d:
            raise _invalid('it has no "points" (a list of [time, temperature] pairs)')
        unit = d.get("unit", "fraction")
        if unit not in UNITS:
            raise _invalid(f"its unit must be one of {', '.join(UNITS)}, not {unit!r}")
        raw = d["points"]
        if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
            raise _invalid('its "points" must be a list of [time, temperature] pairs')
        return cls(points=tuple(raw), unit=unit, interpolation=d.get("interpolation", "linear"))

    def to_string(self) -> str:
        """The text form; `parse_curve(c.to_string()) == c`."""
        suffix = "" if self.interpolation == "linear" else f"/{self.interpolation}"
        if self.points == ((0.0, self.points[0][1]),) and self.unit == "fraction":
            return _number(self.points[0][1]) + suffix
        mark = "s" if self.unit == "seconds" else ""
        return ",".join(f"{_number(t)}{mark}:{_number(v)}" for t, v in self.points) + suffix

    def _at(self, position: np.ndarray) -> np.ndarray:
        """Evaluate at positions in the curve's unit: float64, same shape. Elementwise, so blocks agree exactly."""
        xs = np.array([t for t, _ in self.points])
        ys = np.array([v for _, v in self.points])
        if len(xs) == 1:
            return np.full(position.shape, ys[0])
        if self.interpolation == "step":
            return ys[np.clip(np.searchsorted(xs, position, side="right") - 1, 0, len(xs) - 1)]
        k = np.clip(np.searchsorted(xs, position, side="right") - 1, 0, len(xs) - 2)
        x0, y0, y1, width = xs[k], ys[k], ys[k + 1], np.diff(xs)[k]
        t = np.clip((position - x0) / width, 0.0, 1.0)
        if self.interpolation == "linear":
            linear: np.ndarray = y0 + (y1 - y0) * t
            return linear
        slopes = _pchip_slopes(xs, ys)
        t2 = t * t
        t3 = t2 * t
        out = (
            (2 * t3 - 3 * t2 + 1) * y0
            + (t3 - 2 * t2 + t) * width * slopes[k]
            + (3 * t2 - 2 * t3) * y1
            + (t3 - t2) * width * slopes[k + 1]
        )
        smooth: np.ndarray = np.clip(out, np.minimum(y0, y1), np.maximum(y0, y1))  # rounding must not overshoot
        return smooth


def constant(value: float) -> TemperatureCurve:
    """The same temperature over the whole clip."""
    return TemperatureCurve(points=((0.0, value),))


def parse_curve(text: str) -> TemperatureCurve:
    """Parse the text form described in the module docstring (or a JSON object); InvalidCurveError if malformed."""
    try:
        return _parse(text)
    except InvalidCurveError as exc:
        raise InvalidCurveError(f"temperature curve '{str(text).strip()}': {_bare(exc)}") from None


def load_curve_file(path: str | os.PathLike[str]) -> TemperatureCurve:
    """Read a curve from a JSON file holding the `to_dict` form (or a JSON string in the text form)."""
    path = Path(path)
    try:
        data = load_json_limited(path, "temperature curve file", max_bytes=MAX_CURVE_BYTES, max_depth=8)
    except FileNotFoundError:
        raise InvalidCurveError(f"temperature curve file {path} does not exist") from None
    except LimitError as exc:
        raise InvalidCurveError(str(exc)) from None
    except OSError as exc:
        raise InvalidCurveError(f"temperature curve file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        return _parse(data) if isinstance(data, str) else TemperatureCurve.from_dict(data)
    except InvalidCurveError as exc:
        raise InvalidCurveError(f"temperature curve file {path}: {_bare(exc)}") from None


def _parse(text: str) -> TemperatureCurve:
    if not isinstance(text, str):
        raise _invalid(f"expected text, not {_kind(text)}")
    body = "".join(text.split()).lower()
    if not body:
        raise _invalid(f"it is empty; {_HINT}")
    if len(text) > MAX_CURVE_BYTES:
        raise _invalid(f"it is {len(text)} characters long; the most is {MAX_CURVE_BYTES}")
    if body.startswith("{"):
        try:
            return TemperatureCurve.from_dict(loads_limited(text, "it", max_depth=8))
        except LimitError as exc:
            raise _invalid(str(exc)[3:] if str(exc).startswith("it ") else str(exc)) from None
    body, slash, interpolation = body.partition("/")
    if slash and interpolation not in INTERPOLATIONS:
        raise _invalid(
            f"'{interpolation}' is not an interpolation; write /linear, /step or /smooth after the breakpoints"
        )
    if body in CURVE_PRESETS:
        curve = CURVE_PRESETS[body]
    elif ":" not in body and "," not in body:
        curve = constant(_temperature(body))
    else:
        curve = _points(body)
    return replace(curve, interpolation=cast(Interpolation, interpolation)) if slash else curve


def _points(body: str) -> TemperatureCurve:
    points: list[tuple[float, float]] = []
    units: dict[Unit, str] = {}
    for item in body.split(","):
        time_text, colon, value_text = item.partition(":")
        if not colon or not time_text or not value_text or ":" in value_text:
            raise _invalid(f"'{item}' is not a breakpoint; write time:temperature, such as 0.5:1.1")
        unit: Unit = "seconds" if time_text.endswith("s") else "fraction"
        units.setdefault(unit, time_text)
        points.append((_time(time_text), _temperature(value_text)))
    if len(units) > 1:
        raise _invalid(
            f"it mixes fractions of the clip ({units['fraction']}) and seconds ({units['seconds']}); "
            "use one or the other (add s to every time for seconds)"
        )
    return TemperatureCurve(points=tuple(points), unit=next(iter(units)))


def _time(text: str) -> float:
    number = text[:-1] if text.endswith("s") else text
    try:
        return float(number)
    except ValueError:
        raise _invalid(f"'{text}' is not a time; use a fraction of the clip (0.5) or seconds (12.5s)") from None


def _temperature(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _invalid(f"'{text}' is not a temperature; {_HINT}") from None


def _checked_points(points: Any, unit: str) -> tuple[tuple[float, float], ...]:
    """Validated (time, temperature) pairs as floats; raises InvalidCurveError naming the offending value."""
    if unit not in UNITS:
        raise _invalid(f"unknown time unit {unit!r}; choose one of {', '.join(UNITS)}")
    if not isinstance(points, Sequence) or isinstance(points, (str, bytes)) or not points:
        raise _invalid(f"it has no breakpoints; {_HINT}")
    if len(points) > MAX_POINTS:
        raise _invalid(f"it has {len(points)} breakpoints; the most is {MAX_POINTS}")
    checked: list[tuple[float, float]] = []
    for pair in points:
        if not isinstance(pair, Sequence) or isinstance(pair, (str, bytes)) or len(pair) != 2:
            raise _invalid(f"{pair!r} is not a [time, temperature] pair")
        time, value = (_real(x, what) for x, what in zip(pair, ("time", "temperature")))
        mark = "s" if unit == "seconds" else ""
        if not math.isfinite(time) or time < 0:
            raise _invalid(f"time {_number(time)}{mark} is not a time from the start of the clip (0 or more)")
        if time > MAX_SECONDS:
            raise _invalid(f"time {_number(time)}{mark} is past {MAX_SECONDS:g} s, the longest a clip can be")
        if unit == "fraction" and time > 1:
            raise _invalid(
                f"time {_number(time)} is past the end of the clip: fractions run from 0 to 1 "
                f"(for seconds write {_number(time)}s)"
            )
        if math.isnan(value) or math.isinf(value):
            raise _invalid(f"temperature {value} is not usable; use a number from 0 to {_number(MAX_TEMPERATURE)}")
        if value < 0:
            raise _invalid(
                f"temperature {_number(value)} is negative; use 0 (always the likeliest sample) "
                f"to {_number(MAX_TEMPERATURE)}"
            )
        if value > MAX_TEMPERATURE:
            raise _invalid(
                f"temperature {_number(value)} is too high; the most is {_number(MAX_TEMPERATURE)} (around 1 is usual)"
            )
        if checked and time <= checked[-1][0]:
            word = "appears twice" if time == checked[-1][0] else f"comes after {_number(checked[-1][0])}{mark}"
            raise _invalid(f"time {_number(time)}{mark} {word}; times must increase from left to right")
        checked.append((time, value))
    return tuple(checked)


def _pchip_slopes(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Fritsch–Carlson slopes (weighted harmonic mean, zero at extrema), zero at both ends: float64 (K,)."""
    width = np.diff(xs)
    delta = np.diff(ys) / width
    slopes = np.zeros_like(ys)
    if len(xs) > 2:
        h0, h1, d0, d1 = width[:-1], width[1:], delta[:-1], delta[1:]
        w0, w1 = 2 * h1 + h0, h1 + 2 * h0
        same_sign = d0 * d1 > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            harmonic = (w0 + w1) / (w0 / d0 + w1 / d1)
        slopes[1:-1] = np.where(same_sign, harmonic, 0.0)
    return slopes


def _invalid(message: str) -> InvalidCurveError:
    return InvalidCurveError(f"{_PREFIX}{message}")


def _bare(exc: InvalidCurveError) -> str:
    """The message without the generic prefix, to put the user's text or file in its place."""
    text = str(exc)
    return text[len(_PREFIX) :] if text.startswith(_PREFIX) else text


def _real(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        shown = repr(x)
        raise _invalid(f"{what} {shown if len(shown) <= 40 else shown[:39] + '…'} is not a number")
    try:
        return float(x)
    except OverflowError:
        return math.inf


def _number(x: float) -> str:
    """Shortest text that reads back as the same float, without a trailing .0."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _kind(x: object) -> str:
    return type(x).__name__


CURVE_PRESETS: Mapping[str, TemperatureCurve] = MappingProxyType(
    {
        "constant": constant(1.0),
        "ramp": TemperatureCurve(points=((0.0, 0.875), (1.0, 1.15))),
        "swell": TemperatureCurve(points=((0.0, 0.9), (0.5, 1.25), (1.0, 0.9)), interpolation="smooth"),
        "fall": TemperatureCurve(points=((0.0, 1.15), (1.0, 0.875)), interpolation="smooth"),
    }
)
"""Named curves: constant 1.0; ramp 0.875 → 1.15 (calm to adventurous); swell 0.9 → 1.25 at the middle → 0.9;
fall 1.15 → 0.875 (adventurous settling into calm)."""
