"""The built wheel works on its own: installed into a fresh venv, it runs from the installed package (not this
checkout), finds its resources through importlib.resources, and trains, generates and renders a tiny piece."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytestmark = pytest.mark.slow  # builds the wheel and installs it into a fresh venv

ROOT = Path(__file__).resolve().parents[2]
_skip_anywhere = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
)
#: What a developer's checkout may hold at its top beside the package (the engine has a `library` package too).
_SKIP_AT_TOP = {"models", "library", "docs", "benchmarks", "tests"}


def skip_in_copy(folder: str, names: list[str]) -> set[str]:
    """copytree's ignore: build leftovers anywhere, and the checkout's own data and docs at its top."""
    top = _SKIP_AT_TOP if Path(folder) == ROOT else set()
    return set(_skip_anywhere(folder, names)) | (top & set(names))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with only the built wheel installed; its dependencies come from the running interpreter's
    site-packages through a .pth line (placed after the venv's own, so the wheel's copy of the package wins)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=skip_in_copy)
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", str(work / "dist"), str(source)], cwd=work
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((work / "dist").glob("inspiration-*.whl"))
    assert len(wheels) == 1
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    own = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work)
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(own.stdout.strip()) / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    install = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheels[0])],
        cwd=work,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return env_dir


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(command, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_the_package_and_its_resources(installed, tmp_path):
    python = installed / "bin" / "python"
    code = (
        "import inspiration, importlib.resources as r, pathlib; "
        "root = r.files('inspiration'); print(pathlib.Path(inspiration.__file__).resolve()); "
        "print((root / 'resources' / 'icons' / 'play.svg').is_file(), "
        "(root / 'resources' / 'desktop' / 'inspiration.desktop').is_file(), "
        "(root / 'resources' / 'demo' / 'plucked-aeolian.flac').is_file(), "
        "(root / 'resources' / 'demo_clips' / 'starter-1.flac').is_file())"
    )
    shown = _run([str(python), "-c", code], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    location, found = shown.stdout.splitlines()
    assert Path(location).is_relative_to(installed.resolve()), "imported the checkout, not the installed wheel"
    assert found == "True True True True"


def test_the_installed_command_trains_generates_and_renders(installed, tmp_path):
    command = installed / "bin" / "inspiration"
    version = _run([str(command), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("inspiration ")
    t = np.arange(16000) / 16000
    sf.write(tmp_path / "tone.wav", (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    env = {"OMP_NUM_THREADS": "1"}
    steps = [
        ["train", "tone.wav", "--name", "tiny", "--preset", "debug", "--steps", "3"],
        ["generate", "models/tiny", "--seconds", "0.1", "--seed", "1", "--out", "library"],
    ]
    for args in steps:
        done = _run([str(command), *args], cwd=tmp_path, env=env)
        assert done.returncode == 0, f"{args[0]}: {done.stderr}"
    clip = next((tmp_path / "library" / "clips").iterdir())
    project = {
        "format": "inspiration-project",
        "version": 1,
        "sample_rate": 48000,
        "channels": 2,
        "tracks": [{"name": "A", "clips": [{"source": {"path": f"library/clips/{clip.name}"}, "start": 0.0}]}],
    }
    (tmp_path / "piece.inspiration").write_text(json.dumps(project))
    rendered = _run([str(command), "render", "piece.inspiration", "--out", "piece.wav"], cwd=tmp_path, env=env)
    assert rendered.returncode == 0, rendered.stderr
    audio, rate = sf.read(tmp_path / "piece.wav")
    assert rate == 48000 and audio.shape == (4800, 2)
