import os

import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.audio import files as audio
from inspiration.engine.errors import AudioReadError, OutputNotWritableError


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_reads_every_supported_format(write_tone, suffix):
    path = write_tone(f"tone{suffix}", seconds=0.5, rate=44100, channels=2)
    data, rate = audio.read_audio(path)
    assert rate == 44100 and data.shape[0] == 2 and data.dtype == np.float32
    assert abs(data.shape[1] - 22050) < 3000  # MP3/OGG may pad a little
    mono = audio.read_mono(path, 16000)
    assert mono.ndim == 1 and abs(len(mono) - 8000) < 1200
    assert 0.2 < audio.peak(mono) < 1.0


def test_read_mono_streams_many_channels_at_a_high_rate(tmp_path):
    rate = 192_000
    t = np.arange(rate) / rate
    channels = np.stack([np.sin(2 * np.pi * 440 * t) * (k + 1) / 10 for k in range(8)], axis=1)
    path = tmp_path / "eight.wav"
    sf.write(path, channels.astype(np.float32), rate, subtype="PCM_24")
    mono = audio.read_mono(path, 16000, block_seconds=0.1)
    assert len(mono) == 16000
    assert audio.rms(mono) == pytest.approx(0.45 / np.sqrt(2), rel=0.02)  # mean of the 8 channel gains


def test_resampling_keeps_pitch_and_length():
    rate = 48000
    x = np.sin(2 * np.pi * 1000 * np.arange(rate) / rate).astype(np.float32)
    y = audio.resample(x, rate, 16000)
    assert len(y) == 16000
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) == 1000  # 1 Hz per bin over one second
    stereo = audio.resample(np.stack([x, x]), rate, 16000)
    assert stereo.shape == (2, 16000)


def test_dc_removal_and_peak_normalisation():
    x = np.array([0.5, 0.7, 0.3, 0.5], dtype=np.float32)
    centred = audio.remove_dc(x)
    assert abs(float(centred.mean())) < 1e-7
    normalised = audio.peak_normalize(centred, 0.95)
    assert audio.peak(normalised) == pytest.approx(0.95)
    assert audio.peak_normalize(np.zeros(3, dtype=np.float32)).tolist() == [0, 0, 0]


def test_unreadable_files_raise_a_clear_error(tmp_path):
    garbage = tmp_path / "song.wav"
    garbage.write_bytes(b"not audio at all" * 8)
    with pytest.raises(AudioReadError, match="song.wav: not a readable audio file"):
        audio.read_mono(garbage, 16000)
    with pytest.raises(AudioReadError, match="missing.flac"):
        audio.read_audio(tmp_path / "missing.flac")


def test_write_audio_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "out.wav"
    audio.write_audio(path, np.zeros((2, 100), dtype=np.float32), 16000)
    assert sf.info(path).channels == 2 and oct(os.stat(path).st_mode & 0o777) == "0o644"

    def broken_write(file, *args, **kwargs):
        with open(file, "wb") as handle:
            handle.write(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(sf, "write", broken_write)
    with pytest.raises(Exception, match="disk full"):
        audio.write_audio(path, np.ones(50, dtype=np.float32), 16000)
    assert sf.info(path).frames == 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]


def test_writing_into_a_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)  # as root, chmod alone would not stop the write
    with pytest.raises(OutputNotWritableError, match="cannot write to .*Permission denied"):
        audio.write_audio(tmp_path / "x.wav", np.zeros(10, dtype=np.float32), 16000)


def test_folders_are_walked_recursively_in_order_without_duplicates(tmp_path, write_tone):
    write_tone("b/2.wav")
    write_tone("a/1.flac")
    write_tone("a/deeper/3.ogg")
    (tmp_path / "a" / "cover.jpg").write_bytes(b"jpeg")
    found = [p.relative_to(tmp_path).as_posix() for p in audio.iter_audio_files([tmp_path, tmp_path / "b" / "2.wav"])]
    assert found == ["a/1.flac", "a/deeper/3.ogg", "b/2.wav"]
