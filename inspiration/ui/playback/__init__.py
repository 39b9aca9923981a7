"""Playback: audio outputs, the streaming player core, the Qt transport, and the clock readout."""

from inspiration.ui.playback.output import AudioOutput, AudioUnavailable, FakeOutput, OutputFactory, open_sounddevice
from inspiration.ui.playback.time_display import TimeDisplay
from inspiration.ui.playback.transport import Transport

__all__ = [
    "AudioOutput",
    "AudioUnavailable",
    "FakeOutput",
    "OutputFactory",
    "TimeDisplay",
    "Transport",
    "open_sounddevice",
]
