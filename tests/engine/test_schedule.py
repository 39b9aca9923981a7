import json
import math

import numpy as np
import pytest

from inspiration.engine.curves.curve import (
    CURVE_PRESETS,
    MAX_TEMPERATURE,
    TemperatureCurve,
    constant,
    load_curve_file,
    parse_curve,
)
from inspiration.engine.errors import InspirationError, InvalidCurveError

RATE = 16000


def whole(curve: TemperatureCurve, frames: int, rate: int = RATE) -> np.ndarray:
    return curve.values(0, frames, rate, frames)


@pytest.mark.parametrize(
    ("text", "points", "unit", "interpolation"),
    [
        ("0.95", ((0.0, 0.95),), "fraction", "linear"),
        ("0", ((0.0, 0.0),), "fraction", "linear"),
        ("0:0.875,1:1.15", ((0.0, 0.875), (1.0, 1.15)), "fraction", "linear"),
        ("0s:0.9,12.5s:1.2", ((0.0, 0.9), (12.5, 1.2)), "seconds", "linear"),
        ("0:0.9,0.5:1.3,1:0.9/smooth", ((0.0, 0.9), (0.5, 1.3), (1.0, 0.9)), "fraction", "smooth"),
        (" 0 : 0.9 , 1 : 1.2 / STEP ", ((0.0, 0.9), (1.0, 1.2)), "fraction", "step"),
        ("0.2:1.1", ((0.2, 1.1),), "fraction", "linear"),
        ('{"points": [[0, 0.9], [3, 1]], "unit": "seconds"}', ((0.0, 0.9), (3.0, 1.0)), "seconds", "linear"),
    ],
)
def test_every_syntax_parses(text, points, unit, interpolation):
    curve = parse_curve(text)
    assert curve == TemperatureCurve(points, unit, interpolation)
    assert all(isinstance(x, float) for pair in curve.points for x in pair)


def test_presets_by_name_and_with_another_interpolation():
    assert set(CURVE_PRESETS) == {"constant", "ramp", "swell", "fall"}
    assert parse_curve("ramp").points == ((0.0, 0.875), (1.0, 1.15))
    assert parse_curve("Constant") == constant(1.0)
    stepped = parse_curve("swell/step")
    assert stepped.points == CURVE_PRESETS["swell"].points and stepped.interpolation == "step"
    with pytest.raises(TypeError):
        CURVE_PRESETS["mine"] = constant(1.0)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0:0.9,x:1", "temperature curve '0:0.9,x:1': 'x' is not a time"),
        ("", "empty"),
        ("   ", "empty"),
        ("nan", "temperature nan is not usable"),
        ("0:0.9,1:inf", "temperature inf is not usable"),
        ("0:1e400", "temperature inf is not usable"),
        ("-0.5", "temperature -0.5 is negative"),
        ("0:1,1:-1", "temperature -1 is negative"),
        ("0:0.9,1:7", "temperature 7 is too high; the most is 5"),
        ("95", "temperature 95 is too high"),
        ("0:0.9,10s:1.2", "mixes fractions of the clip (0) and seconds (10s)"),
        ("0.5:1,0.2:0.9", "time 0.2 comes after 0.5"),
        ("0.5:1,0.5:0.9", "time 0.5 appears twice"),
        ("1s:1,1s:0.9", "time 1s appears twice"),
        ("0:1,1.5:1", "time 1.5 is past the end of the clip"),
        ("-1s:1", "time -1s is not a time"),
        ("nans:1", "time nans is not a time"),
        ("0:1/cubic", "'cubic' is not an interpolation"),
        ("0:1,0.5", "'0.5' is not a breakpoint"),
        ("0:1:2", "'0:1:2' is not a breakpoint"),
        ("0:1,,1:1", "'' is not a breakpoint"),
        ("hot", "'hot' is not a temperature"),
        ("s:1", "'s' is not a time"),
        ("{nope", "not valid JSON"),
        ('{"points": 3}', '"points" must be a list'),
        ('{"points": [[0, true]]}', "temperature True is not a number"),
        ('{"points": [[0, 1, 2]]}', "is not a [time, temperature] pair"),
        ('{"points": []}', "no breakpoints"),
        ('{"points": [[0, 1]], "unit": "beats"}', "unit must be one of"),
        ('{"points": [[0, 1]], "speed": 2}', "unknown field(s) 'speed'"),
        ('{"unit": "seconds"}', 'no "points"'),
    ],
)
def test_bad_curves_raise_a_clear_error(text, message):
    with pytest.raises(InvalidCurveError) as info:
        parse_curve(text)
    assert message in str(info.value)
    assert isinstance(info.value, InspirationError)
    assert str(info.value).startswith("temperature curve")


def test_constructor_and_from_dict_validate_too():
    with pytest.raises(InvalidCurveError, match="too high"):
        TemperatureCurve(((0.0, MAX_TEMPERATURE + 0.01),))
    with pytest.raises(InvalidCurveError, match="unknown interpolation 'cubic'"):
        TemperatureCurve(((0.0, 1.0),), interpolation="cubic")  # type: ignore[arg-type]
    with pytest.raises(InvalidCurveError, match="must be a JSON object"):
        TemperatureCurve.from_dict([[0, 1]])  # type: ignore[arg-type]
    with pytest.raises(InvalidCurveError, match="comes after"):
        TemperatureCurve.from_dict({"points": [[1, 1], [0, 1]], "unit": "seconds"})
    assert TemperatureCurve(((0, MAX_TEMPERATURE),)).constant_value == MAX_TEMPERATURE


@pytest.mark.parametrize(
    "curve",
    [
        constant(0.95),
        constant(0.0),
        *CURVE_PRESETS.values(),
        TemperatureCurve(((0.0, 0.1), (1 / 3, 2.0), (0.7, 1e-05)), "fraction", "smooth"),
        TemperatureCurve(((0.5, 0.9),), "fraction", "step"),
        TemperatureCurve(((0.0, 0.95),), "seconds", "linear"),
        TemperatureCurve(((2.5, 0.95), (60.0, 1.3)), "seconds", "step"),
    ],
)
def test_round_trips_through_text_and_json(curve):
    assert parse_curve(curve.to_string()) == curve
    assert TemperatureCurve.from_dict(json.loads(json.dumps(curve.to_dict()))) == curve
    assert parse_curve(json.dumps(curve.to_dict())) == curve


def test_text_form_is_readable():
    assert constant(0.95).to_string() == "0.95"
    assert CURVE_PRESETS["ramp"].to_string() == "0:0.875,1:1.15"
    assert parse_curve("0s:0.9,12.5s:1.2/smooth").to_string() == "0s:0.9,12.5s:1.2/smooth"


def test_linear_fraction_curve_spans_first_to_last_sample():
    values = whole(parse_curve("0:0.875,1:1.15"), 1001)
    assert values.dtype == np.float32 and values.shape == (1001,)
    assert values[0] == pytest.approx(0.875) and values[-1] == pytest.approx(1.15)
    assert values[500] == pytest.approx((0.875 + 1.15) / 2)
    assert np.all(np.diff(values) > 0)


def test_end_values_are_held_and_seconds_past_the_clip_are_cut():
    values = whole(parse_curve("0.25:0.5,0.75:1.5"), 101)
    assert np.all(values[:26] == np.float32(0.5)) and np.all(values[75:] == np.float32(1.5))
    two_seconds = whole(parse_curve("1s:0.5,10s:1.4"), 2 * RATE)
    assert np.all(two_seconds[: RATE + 1] == np.float32(0.5))
    assert two_seconds[-1] == pytest.approx(0.5 + 0.9 * (2 * RATE - 1 - RATE) / (9 * RATE), rel=1e-6)


def test_step_holds_each_value_until_the_next_breakpoint():
    values = whole(parse_curve("0s:0.5,1s:1,2s:0/step"), 3 * RATE)
    assert set(values[:RATE].tolist()) == {0.5}
    assert set(values[RATE : 2 * RATE].tolist()) == {1.0}
    assert set(values[2 * RATE :].tolist()) == {0.0}  # T = 0 is allowed: argmax


def test_smooth_passes_through_breakpoints_without_overshoot():
    rng = np.random.default_rng(0)
    for _ in range(20):
        times = np.sort(rng.choice(np.arange(1, 100), size=5, replace=False)) / 100
        temps = rng.uniform(0, MAX_TEMPERATURE, size=7)
        curve = TemperatureCurve(tuple(zip([0.0, *times, 1.0], temps)), interpolation="smooth")
        frames = 10_001
        values = whole(curve, frames).astype(np.float64)
        xs = np.array([t for t, _ in curve.points])
        ys = np.array([v for _, v in curve.points])
        at_points = values[np.rint(xs * (frames - 1)).astype(int)]
        np.testing.assert_allclose(at_points, ys, atol=1e-6)
        segment = np.clip(np.searchsorted(xs, np.arange(frames) / (frames - 1), side="right") - 1, 0, len(xs) - 2)
        low, high = np.minimum(ys[segment], ys[segment + 1]), np.maximum(ys[segment], ys[segment + 1])
        assert np.all(values >= low - 1e-6) and np.all(values <= high + 1e-6)
        eps = 1e-9  # no kinks: the one-sided slopes agree at every breakpoint
        left = (curve._at(xs) - curve._at(xs - eps)) / eps
        right = (curve._at(xs + eps) - curve._at(xs)) / eps
        assert np.all(np.abs(left - right) < 5e-3 + 1e-3 * np.abs(left))
    kinked = TemperatureCurve(((0.0, 1.0), (0.5, 2.0), (1.0, 1.0)))
    assert kinked._at(np.array([0.5 + 1e-7]))[0] < kinked._at(np.array([0.5]))[0] - 1e-7


def test_smooth_differs_from_linear_and_eases_into_the_ends():
    linear = whole(parse_curve("0:1,1:2"), 1001)
    smooth = whole(parse_curve("0:1,1:2/smooth"), 1001)
    assert smooth[100] < linear[100] and smooth[900] > linear[900]
    assert smooth[500] == pytest.approx(1.5)
    assert smooth[1] - smooth[0] < (linear[1] - linear[0]) / 10


@pytest.mark.parametrize("text", ["0.95", "ramp", "swell", "0s:0.9,3s:1.3,7s:0.8/smooth", "0:0.2,0.4:2,1:1/step"])
def test_blockwise_evaluation_equals_one_call_exactly(text):
    curve = parse_curve(text)
    frames = 10 * RATE + 123
    full = whole(curve, frames)
    rng = np.random.default_rng(1)
    cuts = np.unique(np.concatenate([[0, frames], rng.integers(1, frames, 40), np.arange(0, frames, 4096)]))
    blocks = [curve.values(int(a), int(b - a), RATE, frames) for a, b in zip(cuts[:-1], cuts[1:])]
    assert np.array_equal(np.concatenate(blocks), full)
    assert curve.values(5, 0, RATE, frames).shape == (0,)


def test_values_past_the_clip_hold_or_continue():
    frames = 1000
    past = parse_curve("0:0.5,1:1").values(frames - 2, 4, RATE, frames)
    assert past.tolist() == [pytest.approx(1 - 0.5 / 999), 1.0, 1.0, 1.0]


def test_values_rejects_nonsense_arguments():
    with pytest.raises(ValueError):
        constant(1.0).values(-1, 10, RATE, 100)
    with pytest.raises(ValueError):
        constant(1.0).values(0, 10, RATE, 0)


def test_values_is_fast_for_a_long_clip():
    import time

    curve = parse_curve("0:0.9,0.3:1.3,0.6:1,1:1.2/smooth")
    frames = 45 * RATE
    started = time.perf_counter()
    for start in range(0, frames, 4096):
        curve.values(start, min(4096, frames - start), RATE, frames)
    assert time.perf_counter() - started < 1.0  # about 50 ms; generous for busy test machines


def test_sparkline_samples_the_whole_clip():
    assert parse_curve("0:0.5,1:1.5").sparkline(3) == pytest.approx([0.5, 1.0, 1.5])
    assert parse_curve("0s:1,10s:2").sparkline(3, duration=20) == pytest.approx([1.0, 2.0, 2.0])
    assert parse_curve("0s:1,10s:2").sparkline(3) == pytest.approx([1.0, 1.5, 2.0])
    assert constant(0.8).sparkline(1) == pytest.approx([0.8])
    with pytest.raises(ValueError):
        constant(0.8).sparkline(0)


def test_constant_value_lets_the_generator_skip_curves():
    assert constant(0.9).constant_value == 0.9
    assert parse_curve("0:1,1:1/smooth").constant_value == 1.0
    assert CURVE_PRESETS["ramp"].constant_value is None


def test_load_curve_file(tmp_path):
    good = tmp_path / "curve.json"
    good.write_text(json.dumps(CURVE_PRESETS["swell"].to_dict()))
    assert load_curve_file(good) == CURVE_PRESETS["swell"]
    text_form = tmp_path / "text.json"
    text_form.write_text('"0s:1,4s:1.2"')
    assert load_curve_file(text_form) == parse_curve("0s:1,4s:1.2")
    broken = tmp_path / "broken.json"
    broken.write_text('{"points": [[0, 1],\n  [1, ]]}')
    with pytest.raises(InvalidCurveError, match=r"broken.json is not valid JSON \(line 2"):
        load_curve_file(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"points": [[0, -1]]}')
    with pytest.raises(InvalidCurveError, match=r"wrong.json: temperature -1 is negative"):
        load_curve_file(wrong)
    with pytest.raises(InvalidCurveError, match="does not exist"):
        load_curve_file(tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidCurveError, match="cannot be read"):
        load_curve_file(binary)


def test_max_temperature_is_documented_and_sane():
    assert 2.0 <= MAX_TEMPERATURE <= 10.0 and math.isfinite(MAX_TEMPERATURE)


def test_a_delayed_curve_starts_later_and_holds_its_first_value_before():
    from inspiration.engine.curves.curve import parse_curve

    curve = parse_curve("0:0.8,1:1.2").delayed(2.0, 4.0)
    assert curve.unit == "seconds" and curve.points == ((2.0, 0.8), (6.0, 1.2))
    values = curve.values(0, 6 * 100, 100, 6 * 100)
    assert values[0] == pytest.approx(0.8) and values[400] == pytest.approx(1.0, abs=0.01)
    assert values[-1] == pytest.approx(1.2, abs=0.01)
