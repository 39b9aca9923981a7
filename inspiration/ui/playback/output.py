"""Audio output streams: a small protocol, the sounddevice stream behind it, and a fake one for tests.

An output is opened with (sample_rate, channels, blocksize, callback). Once started, the audio thread calls
`callback(outdata)` with a float32 (frames, channels) array to fill; the callback must not block. Every way a stream
can fail to open or start (no PortAudio, no output device, a device that refuses the format) becomes
`AudioUnavailable` with a sentence for the user, so the app can go on without sound.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

#: Fills a float32 (frames, channels) array with the next frames to play; called on the audio thread.
AudioCallback = Callable[[np.ndarray], None]


class AudioUnavailable(Exception):
    """No audio can be played; the message says why, written for the user."""


class AudioOutput(Protocol):
    """An open output stream. `start` begins calling the callback, `stop` ends that, `close` frees the device."""

    sample_rate: int
    channels: int

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class OutputFactory(Protocol):
    """Opens an output stream; raises AudioUnavailable when it cannot."""

    def __call__(self, sample_rate: int, channels: int, blocksize: int, callback: AudioCallback) -> AudioOutput: ...


class SoundDeviceOutput:
    """The default output device through sounddevice (PortAudio), imported only when a stream is opened.

    `channels` is lowered to what the device has (a mono device gets 1)."""

    def __init__(self, sample_rate: int, channels: int, blocksize: int, callback: AudioCallback) -> None:
        try:
            import sounddevice as sd
        except OSError as exc:
            raise AudioUnavailable(f"the PortAudio library could not be loaded ({exc})") from exc
        except ImportError as exc:
            raise AudioUnavailable("the sounddevice package is not installed") from exc
        self._sd = sd
        try:
            device = sd.query_devices(kind="output")
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioUnavailable("this computer has no audio output device") from exc
        name = str(device.get("name", "the audio device"))
        self.device_name = name
        self.sample_rate = sample_rate
        self.channels = max(1, min(channels, int(device.get("max_output_channels", channels))))
        self._callback = callback
        try:
            self._stream = sd.OutputStream(
                samplerate=sample_rate,
                channels=self.channels,
                blocksize=blocksize,
                dtype="float32",
                callback=self._on_audio,
            )
        except (sd.PortAudioError, ValueError, OSError) as exc:
            raise AudioUnavailable(f"{name} cannot play {sample_rate} Hz audio ({exc})") from exc

    def _on_audio(self, outdata: np.ndarray, frames: int, time: object, status: object) -> None:
        self._callback(outdata)

    def start(self) -> None:
        try:
            self._stream.start()
        except (self._sd.PortAudioError, OSError) as exc:
            raise AudioUnavailable(f"{self.device_name} stopped working ({exc})") from exc

    def stop(self) -> None:
        try:
            self._stream.stop()
        except (self._sd.PortAudioError, OSError):
            pass  # a device that vanished is stopped anyway

    def close(self) -> None:
        try:
            self._stream.close()
        except (self._sd.PortAudioError, OSError):
            pass


def open_sounddevice(sample_rate: int, channels: int, blocksize: int, callback: AudioCallback) -> AudioOutput:
    """The default `OutputFactory`: the system's default output device."""
    return SoundDeviceOutput(sample_rate, channels, blocksize, callback)


class FakeOutput:
    """An output with no sound card: nothing plays until a test calls `pull(frames)`, which runs the callback the
    way the audio thread would and returns what it wrote. Usable as an `OutputFactory` (the class itself)."""

    def __init__(self, sample_rate: int, channels: int, blocksize: int, callback: AudioCallback) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self.blocksize = blocksize
        self._callback = callback
        self._lock = threading.Lock()  # the fake's own bookkeeping; real streams call from one audio thread
        self.started = False
        self.closed = False

    def start(self) -> None:
        if self.closed:
            raise AudioUnavailable("the fake output was closed")
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.started = False
        self.closed = True

    def pull(self, frames: int) -> np.ndarray:
        """Play `frames` frames: float32 (frames, channels); silence (without calling back) while stopped."""
        out = np.zeros((frames, self.channels), dtype=np.float32)
        with self._lock:
            if self.started:
                self._callback(out)
        return out


def unavailable_output(reason: str) -> OutputFactory:
    """A factory that always fails with `reason` (for tests and for running with sound switched off)."""

    def factory(sample_rate: int, channels: int, blocksize: int, callback: AudioCallback) -> AudioOutput:
        raise AudioUnavailable(reason)

    return factory
