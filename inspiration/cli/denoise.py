"""`inspiration denoise`: reduce the steady noise (hiss, hum) of an audio file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspiration.cli.argtypes import unit_interval
from inspiration.cli.render import format_for_path_or_none, percent_printer, report
from inspiration.engine.errors import ExportFormatError, InspirationError, LimitError
from inspiration.engine.limits import MAX_SECONDS, parse_float


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `denoise` subcommand."""
    parser = subparsers.add_parser(
        "denoise",
        help="reduce steady noise in an audio file",
        description="Reduce steady noise (hiss, hum). The noise is learned from --profile, a stretch holding only "
        "noise, or estimated from the quietest parts of the file.",
    )
    parser.add_argument("input", type=Path, help="the audio file to clean")
    parser.add_argument("output", type=Path, help="where to write the result (.wav, .flac or .mp3)")
    parser.add_argument(
        "--strength",
        type=unit_interval,
        default=0.75,
        help="0..1: how far noise is turned down, up to 40·S dB (default 0.75)",
    )
    parser.add_argument(
        "--sensitivity",
        type=unit_interval,
        default=0.5,
        help="0..1: how readily sound is taken for noise (default 0.5)",
    )
    parser.add_argument(
        "--profile", type=time_range, metavar="START:END", help="seconds of the input that hold only noise, e.g. 0:1.5"
    )
    parser.add_argument(
        "--bit-depth", type=int, choices=(16, 24, 32), help="WAV/FLAC sample size (default: the input's, else 24)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.engine.audio.denoise import DenoiseSettings, NoiseProfile, denoise, estimate_noise, learn_noise
    from inspiration.engine.audio.files import read_audio
    from inspiration.engine.composition.export import ExportSettings, export_audio
    from inspiration.engine.composition.project import to_frames

    fmt = format_for_path_or_none(args.output)
    if fmt is None:
        raise ExportFormatError(f"cannot tell the format of {args.output.name}; name it .wav, .flac or .mp3")
    audio, rate = read_audio(args.input)
    if audio.shape[1] == 0:
        raise InspirationError(f"{args.input} holds no audio (0 samples)")
    settings = DenoiseSettings(reduction_db=40.0 * args.strength, sensitivity=args.sensitivity)
    profile: NoiseProfile | None
    if args.profile is not None:
        start, end = (to_frames(t, rate) for t in args.profile)
        if start >= audio.shape[1]:
            raise InspirationError(
                f"--profile starts at {args.profile[0]:g} s, past the end of {args.input.name} "
                f"({audio.shape[1] / rate:g} s)"
            )
        profile = learn_noise(audio, rate, start, min(end, audio.shape[1]))
    else:
        profile = estimate_noise(audio, rate)
        if profile is not None and not profile.steady:
            print(
                "note: the quietest parts hold no steady noise, so little was changed; mark a stretch of pure "
                "noise with --profile START:END to clean it",
                file=sys.stderr,
            )
    progress = percent_printer("denoising")
    cleaned = audio if profile is None else denoise(audio, rate, settings, profile, lambda f: progress(0.6 * f))
    bits = args.bit_depth or _bit_depth_of(args.input)
    export = ExportSettings(format=fmt, bit_depth=24 if fmt == "flac" and bits == 32 else bits)
    result = export_audio(cleaned, rate, args.output, export, on_progress=lambda f: progress(0.6 + 0.4 * f))
    progress(1.0, done=True)
    report(result)
    return 0


def time_range(text: str) -> tuple[float, float]:
    """argparse type: START:END in seconds, START < END."""
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not START:END in seconds, like 0:1.5")
    try:
        start, end = (parse_float(part, "START and END", 0.0, MAX_SECONDS) for part in parts)
    except LimitError as exc:
        raise argparse.ArgumentTypeError(f"{text[:40]}: {exc}") from None
    if not 0 <= start < end:
        raise argparse.ArgumentTypeError(f"{text}: START must be at least 0 and before END")
    return start, end


def _bit_depth_of(path: Path) -> int:
    """The input's sample size when it is 16-bit, 24-bit or float; 24 otherwise."""
    import soundfile as sf

    return {"PCM_16": 16, "PCM_24": 24, "FLOAT": 32}.get(sf.info(str(path)).subtype, 24)
