"""How a model sounds, in numbers: held-out NLL, and what its clips measure beside its training audio.

    python benchmarks/sound_quality.py [--hours 0.33 | --samples M] [--seed 0] [--train FOLDER] train, measure
        [--recipe scheduled|plain|both]                                                  (both: compare recipes)
    python benchmarks/sound_quality.py --model FOLDER [--model FOLDER2]                 measure (and compare)
        [--clips 8] [--seconds 10] [--min-p 0 0.05 ...] [--top-k 0 32 ...] [--corpus DIR] [--test-seconds 60]

Without --model it first trains a `small` model for a fixed CPU budget (--hours, default 20 minutes: what a faster
training step buys counts too; or --samples, millions of training samples: the same work for every recipe however
busy the machine; --seed) on the benchmark corpus's train files (`benchmarks/corpus.py`) or the folder --train
names, into --models-dir (default a temporary folder). To compare with an older version's training at equal time,
run its plain recipe from that checkout with the same --hours, side by side on an otherwise idle machine.
For each model it prints:

- held-out NLL in bits/sample on the corpus's test files (the first --test-seconds of each), scored as `inspiration
  eval` scores them (at the model's training level);
- for --clips clips of --seconds at each sampling setting — temperature 1.0 and the ramp curve (0.875 -> 1.15), each
  at every --min-p value with every --top-k value (a row such as "T=1.0 min-p 0.005 top-k 32" names the cuts that are
  not 0) — the median spectral flatness of loud frames, the median noise floor (quietest 10 % of frames, dBFS), the
  distance of the clips' long-term spectrum to the training audio's (dB RMS over third-octave bands, levels matched),
  the median RMS (dBFS), the clipping rate, and the share of clips carrying each quality flag; for the ramp, also of
  its hottest third alone (a clip's quietest frames lie in its cool start, where nothing hisses);
- the same figures for the training audio itself (the model's dataset, as the model heard it, cut into clips as long).

Given two models, or --recipe both (plain before, scheduled after), it ends with a before/after table.
Figures depend on the machine only through the model's training; generation is seeded and deterministic.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import default_dest  # noqa: E402
from inspiration.engine.audio import measures  # noqa: E402
from inspiration.engine.library.quality import FLAGS, analyse_clip, flag_rates  # noqa: E402
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K, MAX_TOP_K  # noqa: E402

#: Training-audio clips measured at most (evenly spread over the training part of the dataset).
REFERENCE_CLIPS = 48


@dataclass(frozen=True)
class Figures:
    """What one set of clips measures (medians over clips; the spectrum distance is of the set's pooled spectrum)."""

    clips: int
    flatness: float
    floor_db: float
    spectrum_db: float
    rms_db: float
    clipping: float
    flags: dict[str, float]


def measure(clips: Sequence[np.ndarray], rate: int, reference: np.ndarray) -> Figures:
    """Figures of a set of clips (each float32 (frames,)) against a reference long-term spectrum."""
    analyses = [analyse_clip(clip, rate) for clip in clips]

    def median(values: list[float]) -> float:
        finite = [v for v in values if math.isfinite(v)]
        return float(np.median(finite)) if finite else float("nan")

    return Figures(
        clips=len(clips),
        flatness=median([measures.loud_flatness(c, rate) for c in clips]),
        floor_db=median([measures.noise_floor_db(c, rate) for c in clips]),
        spectrum_db=measures.spectrum_distance_db(measures.long_term_spectrum(clips, rate), reference),
        rms_db=median([measures.rms_db(c) for c in clips]),
        clipping=float(np.mean([measures.clipping_rate(c) for c in clips])) if clips else float("nan"),
        flags=flag_rates([a.flags for a in analyses]),
    )


def generate(
    model: Any, curve: Any, count: int, seconds: float, seed: int = 0, min_p: float = 0.0, top_k: int = 0
) -> list[np.ndarray]:
    """`count` clips of `seconds` (seeds seed, seed + 1, ...) along `curve` at `min_p` and `top_k` (both 0: plain
    sampling), made together by one ClipStream."""
    from inspiration.engine.generation.stream import ClipSpec, ClipStream

    specs = [ClipSpec(seed + index, curve, min_p=min_p, top_k=top_k) for index in range(count)]
    stream = ClipStream(model, specs, int(seconds * model.config.sample_rate))
    audio = np.concatenate([block.audio for block in stream], axis=1)
    return [row for row in audio]


def training_clips(folder: Path, seconds: float, given: Path | None, corpus: Path) -> tuple[list[np.ndarray], str]:
    """Clips of `seconds` of what the model learned: its dataset's training part dequantised (the level and
    quantisation it heard), or, for a model folder without one, the `given` folder, else its recorded sources, else
    the corpus's train files, prepared as training prepares them."""
    from inspiration.engine.audio.dataset import build_dataset, load_dataset
    from inspiration.engine.audio.quantize import dequantize
    from inspiration.engine.model.folder import ModelFolder

    model_folder = ModelFolder(folder)
    if model_folder.dataset_path.is_file():
        dataset, source = load_dataset(model_folder.dataset_path), f"{folder.name}'s training audio"
    else:
        run = model_folder.read_config()
        recorded = [Path(s) for s in run.sources if Path(s).exists()]
        sources = [given] if given is not None else recorded or [corpus / "train"]
        config = run.model
        dataset = build_dataset(sources, config.sample_rate, config.q_levels, config.quantization)  # type: ignore[arg-type]
        source = f"{', '.join(map(str, sources))} prepared as training does (the model folder keeps no dataset)"
    size = int(seconds * dataset.sample_rate)
    segments = dataset.train_segments()
    spans = [(offset + s, size) for offset, length in segments for s in range(0, length - size + 1, size)]
    spans = spans or segments  # training audio shorter than a clip: its files whole
    chosen = [spans[int(i)] for i in np.linspace(0, len(spans) - 1, min(REFERENCE_CLIPS, len(spans)))]
    clips = [dequantize(dataset.codes[s : s + n], dataset.q_levels, dataset.scheme) for s, n in chosen]
    return clips, source


def held_out_bits(folder: Path, test_files: list[Path], seconds: float) -> tuple[float, str]:
    """Bits/sample on the first `seconds` of each test file, as `inspiration eval` scores them; and the level."""
    from inspiration.engine.audio.files import read_mono
    from inspiration.engine.model.checkpoint import load_model
    from inspiration.engine.model.folder import ModelFolder
    from inspiration.engine.training.evaluate import mean_bits, scoring_level, sequence_bits

    model, _ = load_model(folder, _checkpoint(folder), "cpu")
    config = model.config
    level = scoring_level(ModelFolder(folder).read_config().data)
    sequences = []
    for path in test_files:
        signal = read_mono(path, config.sample_rate)
        codes, _ = level.encode(signal, config.q_levels, config.quantization)  # type: ignore[arg-type]
        sequences.append(codes[: int(seconds * config.sample_rate)])
    return mean_bits(sequence_bits(model, sequences, chunk_len=2048, batch_size=8)), level.describe()


#: Training recipes to compare, as `inspiration train` flags over the `small` preset: today's, and the plain one it
#: replaced (batch 32, half-second windows, a constant rate of 1e-3, no weight average).
RECIPES = {
    "scheduled": [],
    "plain": [
        *("--batch", "32", "--chunks-per-window", "16", "--lr", "1e-3"),
        *("--warmup-steps", "0", "--final-lr", "1", "--ema-decay", "0"),
    ],
}


def samples_per_step(recipe: str) -> int:
    """Training samples one optimiser step of `recipe` learns from: its batch rows × the preset's chunk length."""
    from inspiration.engine.model.presets import get_preset

    preset, flags = get_preset("small").train, RECIPES[recipe]
    batch = int(flags[flags.index("--batch") + 1]) if "--batch" in flags else preset.batch_size
    return batch * preset.seq_len


def train(data: Path, budget: tuple[str, float], seed: int, models_dir: Path, recipe: str = "scheduled") -> Path:
    """Train a `small` model for a budget, ("hours", wall time) or ("samples", millions of training samples: the
    same CPU work for every recipe however busy the machine is), with `recipe` (RECIPES); its folder."""
    from inspiration.cli import main as cli

    unit, amount = budget
    if unit == "samples":
        unit, amount = "steps", max(1, round(amount * 1e6 / samples_per_step(recipe)))
    name = f"small-{recipe}-{amount:g}{'h' if unit == 'hours' else 'steps'}-seed{seed}"
    args = ["train", str(data), "--name", name, "--preset", "small", f"--{unit}", f"{amount:g}", "--seed", str(seed)]
    if cli([*args, *RECIPES[recipe], "--models-dir", str(models_dir), "--device", "cpu"]) != 0:
        raise SystemExit("sound_quality: training failed")
    return models_dir / name


def report(folder: Path, args: argparse.Namespace, test_files: list[Path]) -> dict[str, Any]:
    """Measure one model and print its table; the figures, for the comparison."""
    from inspiration.engine.curves.curve import CURVE_PRESETS
    from inspiration.engine.model.checkpoint import load_model

    model, meta = load_model(folder, _checkpoint(folder), "cpu")
    rate = model.config.sample_rate
    started = time.monotonic()
    bits, level = (
        held_out_bits(folder, test_files, args.test_seconds) if test_files else (float("nan"), "no test files")
    )
    print(f"\n{folder} ({_checkpoint(folder)}, step {meta.get('step')})")
    print(f"  held-out NLL {bits:.3f} bits/sample on {len(test_files)} test files ({level})")
    reference_clips, source = training_clips(folder, args.seconds, args.train, args.corpus)
    reference = measures.long_term_spectrum(reference_clips, rate)
    rows = {"training audio": measure(reference_clips, rate, reference)}
    for name, curve in (("T=1.0", CURVE_PRESETS["constant"]), ("ramp", CURVE_PRESETS["ramp"])):
        for min_p, top_k in itertools.product(args.min_p, args.top_k):
            label = setting_label(name, min_p, top_k)
            clips = generate(model, curve, args.clips, args.seconds, args.seed, min_p, top_k)
            rows[label] = measure(clips, rate, reference)
            if name == "ramp":  # where the hiss would be: the hottest third (T 1.06 -> 1.15)
                rows[f"{label}, hot third"] = measure([c[2 * len(c) // 3 :] for c in clips], rate, reference)
    print(f"  clips of {args.seconds:g} s; training audio: {source}")
    width = max(30, *map(len, rows))
    print(
        f"  {'':<{width}} {'clips':>5} {'flatness':>8} {'floor dB':>8} {'spect dB':>8} {'RMS dB':>7} {'clip %':>7}  "
        + " ".join(f"{flag:>7}" for flag in FLAGS)
    )
    for label, f in rows.items():
        cells = " ".join(f"{100 * f.flags[flag]:6.0f}%" for flag in FLAGS)
        print(
            f"  {label:<{width}} {f.clips:>5} {f.flatness:8.4f} {f.floor_db:8.1f} {f.spectrum_db:8.2f} {f.rms_db:7.1f} "
            f"{100 * f.clipping:7.3f}  {cells}"
        )
    print(f"  ({time.monotonic() - started:.0f} s)")
    return {"bits": bits, "rows": rows}


def setting_label(name: str, min_p: float, top_k: int) -> str:
    """A row's label: the curve's name, then the min-p and top-k where they cut ("T=1.0 min-p 0.005 top-k 32")."""
    return " ".join([name, *([f"min-p {min_p:g}"] if min_p else []), *([f"top-k {top_k}"] if top_k else [])])


def compare(names: list[str], results: list[dict[str, Any]]) -> None:
    """The before/after table: each figure for the first and last model, and the change."""
    before, after = results[0], results[-1]
    print(f"\nbefore: {names[0]}\nafter:  {names[-1]}")
    lines = [("held-out NLL, bits/sample", before["bits"], after["bits"])]
    for label in before["rows"]:
        if label in after["rows"] and label != "training audio":
            b, a = before["rows"][label], after["rows"][label]
            lines += [
                (f"{label}: flatness", b.flatness, a.flatness),
                (f"{label}: noise floor, dB", b.floor_db, a.floor_db),
                (f"{label}: spectrum distance, dB", b.spectrum_db, a.spectrum_db),
                (f"{label}: RMS, dB", b.rms_db, a.rms_db),
                (f"{label}: flagged noise, %", 100 * b.flags["noise"], 100 * a.flags["noise"]),
            ]
    width = max(50, *(len(label) for label, _, _ in lines))
    print(f"  {'':<{width}} {'before':>9} {'after':>9} {'change':>9}")
    for label, b, a in lines:
        print(f"  {label:<{width}} {b:9.3f} {a:9.3f} {a - b:+9.3f}")


def _checkpoint(folder: Path) -> str:
    return "best" if (folder / "best.safetensors").is_file() else "last"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, action="append", help="a model folder (give two to compare)")
    parser.add_argument("--hours", type=float, default=1 / 3, help="training budget without --model (default 20 min)")
    parser.add_argument(
        "--samples",
        type=float,
        help="training budget in millions of training samples instead: the same work for every recipe however busy "
        "the machine (20 min on one core of a 2-core machine: about 28 of the plain recipe, 40 of the small preset "
        "in float32, 55 with bfloat16 products)",
    )
    parser.add_argument("--seed", type=int, default=0, help="training seed, and the first clip's seed (default 0)")
    parser.add_argument("--train", type=Path, help="train on this folder instead of the corpus's train files")
    parser.add_argument(
        "--recipe",
        choices=(*RECIPES, "both"),
        default="scheduled",
        help="training recipe without --model: scheduled (today's), plain (constant rate, no weight average), or "
        "both, one after the other with the same budget and seed, compared (default scheduled)",
    )
    parser.add_argument("--models-dir", type=Path, help="where a trained model goes (default: a temporary folder)")
    parser.add_argument("--corpus", type=Path, help="the benchmark corpus (default: the user's cache folder)")
    parser.add_argument("--clips", type=int, default=8, help="clips per sampling setting (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each clip (default 10)")
    parser.add_argument(
        "--min-p",
        type=float,
        nargs="+",
        default=sorted({0.0, DEFAULT_MIN_P}),
        help="min-p values to try (default 0, plain sampling"
        + (f", and the default {DEFAULT_MIN_P:g})" if DEFAULT_MIN_P else ")"),
    )
    parser.add_argument(
        "--top-k",
        type=int,
        nargs="+",
        default=sorted({0, DEFAULT_TOP_K}),
        metavar="K",
        help="top-k values to try, each with every --min-p value (default 0, no cut"
        + (f", and the default {DEFAULT_TOP_K})" if DEFAULT_TOP_K else ")"),
    )
    parser.add_argument("--test-seconds", type=float, default=60.0, help="seconds scored per test file (default 60)")
    args = parser.parse_args(argv)
    args.corpus = (args.corpus or default_dest()).expanduser()
    bad = [
        text
        for text, ok in (
            ("--hours must be above 0", args.hours > 0 and math.isfinite(args.hours)),
            ("--samples must be from 0.001 to 10^6", args.samples is None or 0.001 <= args.samples <= 1e6),
            ("--clips must be from 1 to 256", 1 <= args.clips <= 256),
            ("--seconds must be from 0.5 to 600", 0.5 <= args.seconds <= 600),
            ("--test-seconds must be above 0", args.test_seconds > 0 and math.isfinite(args.test_seconds)),
            ("--min-p values must be from 0 to below 1", all(0.0 <= p < 1.0 for p in args.min_p)),
            (
                f"--top-k values must be 0 or from 2 to {MAX_TOP_K}",
                all(k == 0 or 2 <= k <= MAX_TOP_K for k in args.top_k),
            ),
        )
        if not ok
    ]
    if bad:
        parser.error("; ".join(bad))
    test_files = sorted(args.corpus.glob("test/*/*.flac"))
    if not test_files:
        print(f"sound_quality: no corpus test files in {args.corpus} (fetch them: python benchmarks/corpus.py)")
    if not args.model and not (args.train or (args.corpus / "train").is_dir()):
        parser.error(f"nothing to train on: no {args.corpus / 'train'}; give --train FOLDER or --model FOLDER")
    with tempfile.TemporaryDirectory() as scratch:
        recipes = list(RECIPES) if args.recipe == "both" else [args.recipe]
        data, into = args.train or args.corpus / "train", Path(args.models_dir or scratch)
        budget = ("samples", args.samples) if args.samples else ("hours", args.hours)
        folders = list(args.model or [train(data, budget, args.seed, into, recipe) for recipe in reversed(recipes)])
        results = [report(folder, args, test_files) for folder in folders]
    if len(results) > 1:
        compare([str(f) for f in folders], results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
