import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.audio.dataset import build_dataset, load_dataset, save_dataset
from inspiration.engine.audio.quantize import dequantize
from inspiration.engine.errors import NoUsableAudioError


def test_files_become_normalised_codes_with_a_per_file_split(tmp_path, write_tone):
    write_tone("album/01.wav", seconds=2.0, rate=44100, channels=2)
    write_tone("album/02.flac", seconds=1.0, rate=16000)
    dataset = build_dataset([tmp_path / "album"], sample_rate=16000, val_fraction=0.05)
    assert [f.frames for f in dataset.files] == [32000, 16000]
    assert [f.train_frames for f in dataset.files] == [30400, 15200]
    assert dataset.val_segments() == [(30400, 1600), (32000 + 15200, 800)]
    assert dataset.codes.dtype == np.uint8 and len(dataset.codes) == 48000
    first = dequantize(dataset.codes[:32000])
    assert np.max(np.abs(first)) == pytest.approx(0.95, abs=1 / 128)  # peak, not min-max, normalisation
    assert abs(float(first.mean())) < 0.01  # no DC offset


def test_bad_files_are_skipped_and_listed(tmp_path, write_tone):
    write_tone("in/good.wav", seconds=1.0)
    (tmp_path / "in" / "corrupt.wav").write_bytes(b"RIFF" + b"\x00" * 40)
    (tmp_path / "in" / "empty.flac").write_bytes(b"")
    sf.write(tmp_path / "in" / "zero.wav", np.zeros((0,), dtype=np.float32), 16000)
    sf.write(tmp_path / "in" / "one.wav", np.array([0.5], dtype=np.float32), 16000)
    sf.write(tmp_path / "in" / "silent.wav", np.zeros(16000, dtype=np.float32), 16000)
    (tmp_path / "in" / "readme.txt").write_text("not looked at")
    dataset = build_dataset([tmp_path / "in"])
    assert [f.path.split("/")[-1] for f in dataset.files] == ["good.wav"]
    reasons = {s.path.split("/")[-1]: s.reason for s in dataset.skipped}
    assert set(reasons) == {"corrupt.wav", "empty.flac", "zero.wav", "one.wav", "silent.wav"}
    assert reasons["silent.wav"] == "silent"
    assert reasons["zero.wav"] == "empty"
    assert reasons["one.wav"].startswith("too short")


def test_a_non_audio_file_given_explicitly_is_skipped(tmp_path, write_tone):
    good = write_tone("good.wav")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    dataset = build_dataset([good, text])
    assert len(dataset.files) == 1 and dataset.skipped[0].path.endswith("notes.txt")


def test_no_usable_audio_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoUsableAudioError, match="no audio files"):
        build_dataset([tmp_path / "empty"])
    sf.write(tmp_path / "silent.wav", np.zeros(8000, dtype=np.float32), 16000)
    with pytest.raises(NoUsableAudioError, match="silent"):
        build_dataset([tmp_path / "silent.wav"])
    with pytest.raises(NoUsableAudioError, match="not found"):
        build_dataset([tmp_path / "nowhere"])


def test_save_and_load_round_trip(tmp_path, write_tone):
    write_tone("a.wav", seconds=0.5)
    dataset = build_dataset([tmp_path / "a.wav"], q_levels=256, scheme="mulaw")
    save_dataset(dataset, tmp_path / "data.safetensors")
    loaded = load_dataset(tmp_path / "data.safetensors")
    assert np.array_equal(loaded.codes, dataset.codes)
    assert loaded.files == dataset.files and loaded.scheme == "mulaw" and loaded.sample_rate == 16000


def test_each_files_gain_is_recorded_and_their_length_weighted_median_is_the_training_level(tmp_path, write_tone):
    from inspiration.engine.audio.dataset import recorded_gain_db, training_gain_db
    from inspiration.engine.audio.files import peak_normalize, read_mono, remove_dc
    from inspiration.engine.audio.quantize import quantize

    write_tone("album/a.wav", seconds=1.0, amp=0.5)
    write_tone("album/b.wav", seconds=3.0, amp=0.1)
    write_tone("album/c.wav", seconds=1.0, amp=0.9)
    dataset = build_dataset([tmp_path / "album"])
    peaks = [float(np.max(np.abs(remove_dc(read_mono(f.path, 16000))))) for f in dataset.files]
    assert [f.gain_db for f in dataset.files] == pytest.approx([20 * np.log10(0.95 / p) for p in peaks], abs=1e-4)
    assert dataset.summary()["gain_db"] == dataset.files[1].gain_db  # b is over half of all the audio
    for f in dataset.files:  # the codes are those of the whole file peak-normalised, as always
        expected = quantize(peak_normalize(remove_dc(read_mono(f.path, 16000)), 0.95))
        assert np.array_equal(dataset.codes[f.offset : f.offset + f.frames], expected)
    again = load_dataset(save_and_return(dataset, tmp_path / "d.safetensors"))
    assert again.files == dataset.files
    old = [type(f)(f.path, f.offset, f.frames, f.train_frames) for f in dataset.files]  # written before gains were
    assert training_gain_db(old) is None and training_gain_db([]) is None
    assert recorded_gain_db(dataset.summary()) == dataset.files[1].gain_db
    assert recorded_gain_db({}) is None and recorded_gain_db({"gain_db": "3"}) is None


def save_and_return(dataset, path):
    save_dataset(dataset, path)
    return path
