"""`inspiration render`: mix a project file down to WAV, FLAC or MP3, optionally denoised and normalised."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from inspiration.cli.argtypes import LUFS, PEAK_DB, RATE, SECONDS, TAG, unit_interval, whole
from inspiration.engine.errors import ExportFormatError, InspirationError
from inspiration.engine.timefmt import format_clock

if TYPE_CHECKING:
    from inspiration.engine.audio.formats import Format
    from inspiration.engine.composition.export import ExportResult

if TYPE_CHECKING:
    from inspiration.engine.library.clip_library import ClipLibrary


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `render` subcommand."""
    from inspiration.engine.audio.formats import FORMATS

    parser = subparsers.add_parser(
        "render",
        help="mix a project down to an audio file",
        description="Render a project file to WAV, FLAC or MP3. Progress goes to stderr, the result to stdout.",
    )
    parser.add_argument("project", type=Path, help="the project file (.inspiration or .json)")
    parser.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help="the clip library the project's library clips come from (default: the one the project remembers, "
        "else your app's default library)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the file to write (.wav, .flac or .mp3)")
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from the --out suffix)")
    parser.add_argument("--rate", type=RATE, help="output sample rate in Hz (default: the project's)")
    parser.add_argument(
        "--bit-depth",
        type=int,
        choices=(16, 24, 32),
        default=24,
        help="WAV/FLAC sample size; 32 is float, WAV only (default 24)",
    )
    parser.add_argument("--bitrate", type=whole(8, 640), default=320, help="MP3 bitrate in kbps (default 320)")
    parser.add_argument(
        "--denoise",
        type=unit_interval,
        metavar="S",
        help="reduce steady noise with strength S in 0..1 (0.6 turns noise down by up to 24 dB)",
    )
    parser.add_argument(
        "--normalize",
        nargs="?",
        const="peak",
        choices=("peak", "loudness"),
        help="scale the mix to a peak (default) or to a loudness target",
    )
    parser.add_argument(
        "--peak",
        type=PEAK_DB,
        default=-1.0,
        metavar="DB",
        help="peak level for --normalize, and the ceiling for loudness (default -1 dBFS)",
    )
    parser.add_argument("--lufs", type=LUFS, default=-14.0, help="loudness target for --normalize loudness")
    parser.add_argument("--limit", action="store_true", help="soft-limit the mix above -1 dBFS")
    parser.add_argument("--start", type=SECONDS, default=0.0, metavar="SECONDS", help="render from here")
    parser.add_argument("--end", type=SECONDS, metavar="SECONDS", help="render up to here (default: the end)")
    parser.add_argument("--title", type=TAG, default="", help="title tag")
    parser.add_argument("--artist", type=TAG, default="", help="artist tag")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.engine.audio.denoise import DenoiseSettings
    from inspiration.engine.audio.formats import format_for_path
    from inspiration.engine.composition.export import ExportSettings, export_project
    from inspiration.engine.composition.mix import MixOptions
    from inspiration.engine.composition.project import to_frames
    from inspiration.engine.composition.project_io import load_project

    named = format_for_path_or_none(args.out)
    if args.format and named and named != args.format:
        raise ExportFormatError(f"--format {args.format} does not match the file name {args.out.name}")
    fmt = args.format or format_for_path(args.out)
    project = load_project(args.project)
    library, library_note = open_clip_library(args.library, project.library)
    if library is not None:
        paths = library.paths()
        project = load_project(args.project, library=paths.get)
    settings = ExportSettings(
        format=fmt,
        bit_depth=args.bit_depth,
        sample_rate=args.rate,
        mp3_bitrate_kbps=args.bitrate,
        normalize=args.normalize or "none",
        peak_db=args.peak,
        loudness_lufs=args.lufs,
        denoise=None if args.denoise is None else DenoiseSettings.from_strength(args.denoise),
        title=args.title,
        artist=args.artist,
    )
    rate = project.sample_rate
    piece = project.length / rate
    if args.end is not None and args.end <= args.start:
        raise InspirationError(f"--end {args.end:g} must come after --start {args.start:g}")
    if piece > 0 and (args.start >= piece or (args.end is not None and args.end > piece + 1e-9)):
        raise InspirationError(
            f"the range {args.start:g}–{args.end if args.end is not None else piece:g} s reaches past the end of the "
            f"piece ({piece:g} s)"
        )
    end = None if args.end is None else to_frames(args.end, rate)
    progress = percent_printer("rendering")
    result = export_project(
        project,
        args.out,
        settings,
        start=to_frames(args.start, rate),
        end=end,
        mix_options=MixOptions(limiter=args.limit),
        on_progress=progress,
        library=None if library is None else paths.get,
    )
    progress(1.0, done=True)
    report(result)
    if library_note and any("clip-library id" in note for note in result.notes):
        print(f"warning: {library_note}", file=sys.stderr)
    return 0


def open_clip_library(named: Path | None, remembered: Path | None) -> tuple[ClipLibrary | None, str]:
    """The clip library to take library clips from: `--library` (which must be one), else the project's own,
    else the user's default library; with a note for the user when none of them could be opened."""
    from inspiration.engine.errors import LibraryError
    from inspiration.engine.library.clip_library import ClipLibrary
    from inspiration.engine.library.manifest import MANIFEST_NAME
    from inspiration.engine.places import user_places

    if named is not None:
        if not (named / MANIFEST_NAME).is_file():
            raise LibraryError(f"--library {named} is not a clip library (it has no {MANIFEST_NAME})")
        return ClipLibrary(named), ""
    for folder in (remembered, user_places().library):
        if folder is not None and (folder / MANIFEST_NAME).is_file():
            return ClipLibrary(folder), ""
    where = f"its clip library {remembered} is not there" if remembered else "it names no clip library"
    return None, f"{where}; name the library its clips come from with --library DIR"


def report(result: ExportResult) -> None:
    """Print what was written to stdout, and the export's notes as warnings to stderr."""
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    channels = {1: "mono", 2: "stereo"}.get(result.channels, f"{result.channels} channels")
    loudness = f"{result.loudness_lufs:.1f} LUFS" if math.isfinite(result.loudness_lufs) else "silent"
    print(
        f"wrote {result.path}: {format_clock(result.seconds)}, {result.sample_rate} Hz {channels}, "
        f"peak {result.peak_db:.1f} dBFS, {loudness}"
    )


def percent_printer(label: str) -> Callable[..., None]:
    """A progress callback printing `label  NN%` to stderr: one updating line on a terminal (each whole percent),
    else a line per ten percent."""
    live = sys.stderr.isatty()
    step = 1 if live else 10
    state = {"last": -1}

    def show(fraction: float, done: bool = False) -> None:
        percent = int(100 * min(max(fraction, 0.0), 1.0))
        if percent // step > state["last"] // step:
            state["last"] = percent
            print(f"\r{label} {percent:3d}%", end="" if live else "\n", file=sys.stderr, flush=True)
        if done and live:
            print(file=sys.stderr)

    return show


def format_for_path_or_none(path: Path) -> Format | None:
    """The format the file name asks for, or None when its suffix names none."""
    from inspiration.engine.audio.formats import format_for_path

    try:
        return format_for_path(path)
    except ExportFormatError:
        return None
