"""`inspiration doctor`: what this machine offers Inspiration — the lines a user pastes into a bug report."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from inspiration import __version__

Section = tuple[str, list[tuple[str, str]]]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="describe this machine: versions, GPU, audio devices, folders",
        description="Print what Inspiration finds on this machine (paste it into a bug report).",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(render(report()))
    return 0


def render(sections: list[Section]) -> str:
    lines = []
    for title, rows in sections:
        lines.append(title)
        width = max((len(key) for key, _ in rows), default=0)
        lines += [f"  {key.ljust(width)}  {value}" for key, value in rows]
    return "\n".join(lines)


def report() -> list[Section]:
    """Every section, each a list of (what, finding); nothing here raises."""
    return [
        (
            "Inspiration",
            [
                ("version", __version__),
                ("python", f"{sys.version.split()[0]} ({sys.executable})"),
                ("system", f"{platform.system()} {platform.release()} {platform.machine()}"),
            ],
        ),
        ("Compute", torch_rows()),
        ("Audio files", audio_file_rows()),
        ("Audio output", audio_device_rows()),
        ("Desktop app", desktop_rows()),
        ("Folders", folder_rows()),
    ]


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def torch_rows() -> list[tuple[str, str]]:
    try:
        import torch
    except ImportError as exc:
        return [("torch", f"cannot be imported: {exc}")]
    cuda = torch.version.cuda
    rows = [
        ("torch", torch.__version__),
        ("build", f"CUDA {cuda}" if cuda else "CPU only"),
        ("cpu threads", str(torch.get_num_threads())),
    ]
    if cuda and torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            rows.append((f"gpu {index}", f"{props.name}, {props.total_memory / 2**30:.1f} GiB"))
    elif cuda:
        rows.append(("gpu", "none usable (CUDA build, but no GPU or driver found)"))
    else:
        rows.append(("gpu", "none (a CPU build of torch; see the README for a CUDA build)"))
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        rows.append(("mps", "available (Apple GPU)"))
    return rows


def audio_file_rows() -> list[tuple[str, str]]:
    try:
        import soundfile
    except (ImportError, OSError) as exc:
        return [("soundfile", f"cannot be loaded: {exc}")]
    formats = soundfile.available_formats()
    rows = [
        ("soundfile", f"{soundfile.__version__} (libsndfile {soundfile.__libsndfile_version__})"),
        (
            "mp3",
            "yes (read and write)"
            if "MP3" in formats
            else "no: this libsndfile has no MP3; export WAV or FLAC, or update libsndfile ≥ 1.1",
        ),
        ("formats", ", ".join(sorted(formats))),
    ]
    return rows + [("soxr", package_version("soxr"))]


def audio_device_rows() -> list[tuple[str, str]]:
    try:
        import sounddevice
    except OSError as exc:
        return [
            (
                "sounddevice",
                f"off: the PortAudio library is missing ({exc}); on Debian/Ubuntu: sudo apt-get install libportaudio2",
            )
        ]
    except ImportError as exc:
        return [("sounddevice", f"not installed ({exc})")]
    rows = [("sounddevice", f"{sounddevice.__version__} ({sounddevice.get_portaudio_version()[1]})")]
    try:
        devices = sounddevice.query_devices()
        outputs = [d for d in devices if d["max_output_channels"] > 0]
    except Exception as exc:  # PortAudio errors have no common base class
        return rows + [("devices", f"cannot be listed: {exc}")]
    if not outputs:
        return rows + [("output", "no output device found: playback is off (editing and export still work)")]
    try:
        default = sounddevice.query_devices(kind="output")["name"]
    except Exception:
        default = "none chosen"
    rows.append(("default output", str(default)))
    rows += [
        (f"output {i}", f"{d['name']} ({d['max_output_channels']} ch, {d['default_samplerate']:.0f} Hz)")
        for i, d in enumerate(outputs[:8])
    ]
    return rows


def desktop_rows() -> list[tuple[str, str]]:
    from inspiration.cli.gui import display_problem

    rows = [("PySide6", package_version("PySide6-Essentials")), ("pyqtgraph", package_version("pyqtgraph"))]
    problem = display_problem()
    rows.append(("display", problem or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "yes"))
    return rows


def folder_rows() -> list[tuple[str, str]]:
    from inspiration.engine.places import user_places

    places = user_places()
    named = [
        ("settings", places.config),
        ("clip library", places.library),
        ("models", places.models),
        ("projects", places.projects),
        ("logs", places.logs),
    ]
    return [(name, f"{path}  ({writable(path)})") for name, path in named]


def writable(path: Path) -> str:
    """'writable', 'will be created' or why not, without creating anything."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"not writable: {existing} is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return f"not writable: {exc.strerror or exc}"
    return "writable" if existing == path else "will be created"
