"""Package a trained model as the starter model, and make the demo project's clips with it.

    python packaging/make_starter.py MODEL_FOLDER [--corpus DIR] [--seconds 12] [--curve ramp]

Writes, inside the package (`inspiration/resources/`):

- `models/starter/config.json` and `models/starter/last.safetensors`: the model's config, renamed `starter`, its
  source paths made relative to --corpus and the weights it started from named by folder and file only (no
  machine's folders in the package), and its validated averaged weights
  (`best`, else `last`); the training data and optimiser state stay behind;
- `demo_clips/starter-N.flac`: the clips the demo project is spliced from (`engine/composition/demo.py`): the
  first, in seed order from seed 0, that the starter makes at the app's default settings (min-p `DEFAULT_MIN_P`,
  top-k `DEFAULT_TOP_K`, the --curve preset, T = 1 unless told) and that the library flags with nothing.

It prints each clip's seed, level and flags, so the README's figures can be checked. The starter's README.md is
written by hand (how it was trained, on what, under which licence).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "inspiration" / "resources"
#: Clips made (seeds 0 to 15): the demo's come from these, and their flags are the README's figures.
MAX_SEEDS = 16


def relative_sources(config: dict, corpus: Path) -> dict:
    """The config with every source path relative to `corpus` (a path outside it keeps only its file name)."""

    def relative(path: str) -> str:
        try:
            return Path(path).resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            return Path(path).name

    config = json.loads(json.dumps(config))
    config["name"] = "starter"
    config["sources"] = [relative(s) for s in config.get("sources", [])]
    for record in config.get("data", {}).get("files", []):
        record["path"] = relative(record["path"])
    for record in config.get("data", {}).get("skipped", []):
        if isinstance(record, dict) and "path" in record:
            record["path"] = relative(record["path"])
    if isinstance(config.get("start"), dict):  # trained on from other weights (`train --from`): name them only
        config["start"]["source"] = "/".join(Path(str(config["start"].get("source"))).parts[-2:])
    return config


def package_model(model: Path, corpus: Path, target: Path) -> Path:
    """Copy the model's config (sources made relative) and its best weights into `target`; the weights file."""
    weights = model / "best.safetensors" if (model / "best.safetensors").is_file() else model / "last.safetensors"
    target.mkdir(parents=True, exist_ok=True)
    config = relative_sources(json.loads((model / "config.json").read_text()), corpus)
    (target / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    shutil.copyfile(weights, target / "last.safetensors")
    return weights


def demo_clips(starter: Path, seconds: float, curve_name: str, into: Path) -> list[str]:
    """Generate clips with the starter from seed 0 on, keep the first with no quality flag as the demo's clips
    (`DEMO_CLIPS`, in order) in `into`; a line per clip tried."""
    import numpy as np

    from inspiration.engine.audio.files import read_audio, write_audio
    from inspiration.engine.composition.demo import DEMO_CLIPS
    from inspiration.engine.curves.curve import CURVE_PRESETS
    from inspiration.engine.generation.job import GenerateRequest, generate_into_library
    from inspiration.engine.library.clip_library import ClipLibrary

    lines: list[str] = []
    kept = 0
    into.mkdir(parents=True, exist_ok=True)
    for old in into.glob("starter-*.flac"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        library = ClipLibrary(Path(tmp) / "library")
        request = GenerateRequest(
            model=starter, checkpoint="last", count=MAX_SEEDS, seconds=seconds, curve=CURVE_PRESETS[curve_name],
            first_seed=0, device="cpu", format="flac",
        )  # fmt: skip
        for clip_id in generate_into_library(request, library):
            record = library.get(clip_id)
            rms_db = 20 * float(np.log10(max(record.rms, 1e-9)))
            lines.append(f"seed {record.seed}: RMS {rms_db:.1f} dBFS, flags {', '.join(record.flags) or 'none'}")
            print(lines[-1], flush=True)
            if not record.flags and kept < len(DEMO_CLIPS):
                audio, rate = read_audio(library.path_of(clip_id))
                write_audio(into / DEMO_CLIPS[kept], audio, rate)
                kept += 1
    if kept < len(DEMO_CLIPS):
        raise SystemExit(
            f"make_starter: only {kept} of {MAX_SEEDS} clips came without a flag; {len(DEMO_CLIPS)} wanted"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="the trained model's folder")
    parser.add_argument("--corpus", type=Path, help="the folder its sources are named relative to")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each (default 12)")
    parser.add_argument(
        "--curve", default="constant", help="temperature curve preset (default constant: T = 1, as the app starts)"
    )
    args = parser.parse_args(argv)
    if not (args.model / "config.json").is_file():
        print(f"make_starter: {args.model} is not a model folder", file=sys.stderr)
        return 2
    if not 1 <= args.seconds <= 60:
        print("make_starter: --seconds must be 1 to 60", file=sys.stderr)
        return 2
    starter = RESOURCES / "models" / "starter"
    weights = package_model(args.model, args.corpus or args.model, starter)
    print(f"starter: {weights.name} of {args.model.name}, {(starter / 'last.safetensors').stat().st_size:,} bytes")
    demo_clips(starter, args.seconds, args.curve, RESOURCES / "demo_clips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
