import numpy as np
import pytest

from inspiration.engine.audio.quantize import SCHEMES, dequantize, quantize


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("levels", [2, 3, 16, 255, 256, 1024, 65536])
def test_every_code_round_trips_exactly(scheme, levels):
    codes = np.arange(levels)
    assert np.array_equal(quantize(dequantize(codes, levels, scheme), levels, scheme), codes)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_silence_is_exactly_zero_and_codes_are_ordered(scheme):
    assert dequantize(quantize(np.zeros(4), 256, scheme), 256, scheme).tolist() == [0.0] * 4
    ramp = np.linspace(-1, 1, 10_000)
    codes = quantize(ramp, 256, scheme)
    assert codes.dtype == np.uint8 and codes[0] == 0 and codes[-1] == 255
    assert np.all(np.diff(codes.astype(int)) >= 0)


@pytest.mark.parametrize("scheme,max_error", [("linear", 1 / 256), ("mulaw", 0.025)])
def test_dequantized_audio_is_close_to_the_input(scheme, max_error):
    x = np.linspace(-0.95, 0.95, 5001)
    assert np.max(np.abs(dequantize(quantize(x, 256, scheme), 256, scheme) - x)) <= max_error + 1e-9


def test_mulaw_is_finer_near_zero_than_linear():
    quiet = np.linspace(-0.01, 0.01, 1001)
    err = {s: np.abs(dequantize(quantize(quiet, 256, s), 256, s) - quiet).max() for s in SCHEMES}
    assert err["mulaw"] < err["linear"] / 4


def test_out_of_range_input_is_clipped_and_large_levels_use_uint16():
    assert quantize(np.array([-3.0, 3.0]), 256).tolist() == [0, 255]
    assert quantize(np.zeros(1), 1024).dtype == np.uint16


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="quantisation"):
        quantize(np.zeros(1), 256, "alaw")
    with pytest.raises(ValueError, match="levels"):
        quantize(np.zeros(1), 1)
