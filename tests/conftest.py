"""Shared fixtures: synthetic audio and tiny models, so every test runs in seconds on a CPU."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tiny test models run fastest on one thread, and processes started by tests must not fight over the cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_configure(config: pytest.Config) -> None:
    import torch

    torch.set_num_threads(1)


def tone(seconds: float, rate: int, freq: float = 220.0, channels: int = 1, amp: float = 0.5) -> np.ndarray:
    """A plucked-sounding harmonic tone: float32 (frames,) or (frames, channels) as soundfile expects."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.exp(-4.0 * (t % 0.5))
    x = amp * envelope * (np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2 * freq * t))
    x = x.astype(np.float32)
    return x if channels == 1 else np.repeat(x[:, None], channels, axis=1)


@pytest.fixture
def write_tone(tmp_path: Path) -> Callable[..., Path]:
    """write_tone(name, seconds=1.0, rate=16000, channels=1, **tone_args) -> path of a new audio file."""
    import soundfile as sf

    def write(name: str, seconds: float = 1.0, rate: int = 16000, channels: int = 1, **kwargs: float) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), tone(seconds, rate, channels=channels, **kwargs), rate)
        return path

    return write


@pytest.fixture(scope="session")
def tiny_model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding tone.wav (0.5 s, 220 Hz, 16 kHz) and models/tiny: a debug model trained for 3 steps on it.
    Shared by the whole session: tests read it and write their own output elsewhere."""
    import soundfile as sf

    from inspiration.cli import main

    root = tmp_path_factory.mktemp("tiny-model")
    t = np.arange(8000) / 16000
    sf.write(root / "tone.wav", (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    args = ["train", str(root / "tone.wav"), "--name", "tiny", "--preset", "debug", "--steps", "3"]
    assert main([*args, "--models-dir", str(root / "models")]) == 0
    return root


@pytest.fixture(scope="session")
def demo_model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding models/demo: a debug model trained for 2 steps on the bundled demo folder (a real piece,
    45 s), which its training indexed for lineage. Shared by the whole session: tests write elsewhere."""
    import inspiration
    from inspiration.cli import main

    root = tmp_path_factory.mktemp("demo-model")
    demo = Path(inspiration.__file__).parent / "resources" / "demo"
    args = ["train", str(demo), "--name", "demo", "--preset", "debug", "--steps", "2"]
    assert main([*args, "--models-dir", str(root / "models")]) == 0
    return root
