"""How often the library's quality flags fire: on real music, on hiss, and on a model's clips.

    python benchmarks/flag_rates.py [--corpus DIR] [--model FOLDER] [--clips 16] [--seconds 20] [--no-model]
                                    [--json OUT.json]

Real music: every piece of the benchmark corpus (`benchmarks/corpus.py`; train and test, both styles) cut into
excerpts of 10 to 45 s, as long as generated clips, at the recording's own level. Hiss: white and pink noise at
several levels, and corpus test excerpts with white or pink noise mixed in at several signal-to-noise ratios. A
model's clips (default: the bundled starter model) at temperature 1.0 and along the ramp curve. For each set it
prints how many excerpts and the share flagged *noise*, *silent*, *loop* and *clipped*, and the median and 95th
percentile of the *noise* detector's two measures (local and broadband flatness). A flag on real music is a false
alarm; on hiss, *noise* is what it should say. Deterministic for the same corpus and model. `--json` writes every
excerpt's measures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import default_dest  # noqa: E402
from benchmarks.music import pink_noise  # noqa: E402
from inspiration.engine.audio.files import read_mono  # noqa: E402
from inspiration.engine.library.quality import FLAGS, analyse_clip, flag_rates  # noqa: E402

RATE = 16000
EXCERPT_SECONDS = (10.0, 45.0)
SNRS_DB = (20.0, 10.0, 0.0)
NOISE_LEVELS = (0.01, 0.05, 0.2, 0.5)
STARTER = ROOT / "inspiration" / "resources" / "models" / "starter"


def excerpts(audio: np.ndarray, key: str) -> Iterator[np.ndarray]:
    """Back-to-back excerpts of 10 to 45 s (lengths from a generator seeded by `key`); a shorter tail is left out."""
    rng = np.random.default_rng(int(hashlib.sha256(key.encode()).hexdigest()[:8], 16))
    start = 0
    while True:
        length = int(rng.uniform(*EXCERPT_SECONDS) * RATE)
        if start + length > len(audio):
            return
        yield audio[start : start + length]
        start += length


def corpus_sets(corpus: Path) -> dict[str, list[np.ndarray]]:
    """{"train/electronic": [excerpt, ...], ...} from every FLAC of the corpus."""
    sets: dict[str, list[np.ndarray]] = {}
    for path in sorted(corpus.glob("*/*/*.flac")):
        name = f"{path.parent.parent.name}/{path.parent.name}"
        sets.setdefault(name, []).extend(excerpts(read_mono(path, RATE), path.stem))
    return sets


def white(frames: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(frames)


def hiss_sets(music: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Noise alone at several levels, and `music` excerpts with noise mixed in at several SNRs."""
    rng = np.random.default_rng(13)
    sets: dict[str, list[np.ndarray]] = {}
    for name, colour in (("white", white), ("pink", pink_noise)):
        clips = []
        for level in NOISE_LEVELS:
            for _ in range(4):
                x = colour(int(rng.uniform(*EXCERPT_SECONDS) * RATE), rng)
                clips.append((level * x / x.std()).astype(np.float32))
        sets[f"{name} noise"] = clips
        for snr in SNRS_DB:
            mixed = []
            for clip in music:
                x = colour(len(clip), rng)
                noise = x / x.std() * np.sqrt(np.mean(np.square(clip, dtype=np.float64))) * 10 ** (-snr / 20)
                mixed.append(np.clip(clip + noise, -1.0, 1.0).astype(np.float32))
            sets[f"music + {name} {snr:.0f} dB"] = mixed
    return sets


def model_sets(model: Path, clips: int, seconds: float) -> dict[str, list[np.ndarray]]:
    """A model's clips at temperature 1.0 and along the ramp curve."""
    from benchmarks.sound_quality import generate
    from inspiration.engine.curves.curve import CURVE_PRESETS
    from inspiration.engine.model.checkpoint import load_model

    loaded, _ = load_model(model, "best" if (model / "best.safetensors").exists() else "last", "cpu")
    return {
        f"{model.name} T=1.0": generate(loaded, CURVE_PRESETS["constant"], clips, seconds),
        f"{model.name} ramp": generate(loaded, CURVE_PRESETS["ramp"], clips, seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="the benchmark corpus (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=STARTER, help="a model folder whose clips to flag")
    parser.add_argument("--no-model", action="store_true", help="leave out the model's clips")
    parser.add_argument("--clips", type=int, default=16, help="clips per setting (default 16)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each clip (default 20)")
    parser.add_argument("--json", type=Path, help="write every excerpt's measures here")
    args = parser.parse_args(argv)
    corpus = (args.corpus or default_dest()).expanduser()
    if not any(corpus.glob("*/*/*.flac")):
        print(f"flag_rates: no corpus in {corpus}; fetch it with: python benchmarks/corpus.py")
        return 2
    sets = corpus_sets(corpus)
    test_music = [clip for name, clips in sets.items() if name.startswith("test/") for clip in clips]
    sets.update(hiss_sets(test_music[:24]))
    if not args.no_model:
        sets.update(model_sets(args.model, args.clips, args.seconds))
    header = " ".join(f"{flag:>8}" for flag in FLAGS)
    print(f"{'set':<26} {'clips':>5} {header}  local flatness, broadband flatness: median / p95")
    dump: dict[str, list[dict[str, object]]] = {}
    for name, clips in sets.items():
        if not clips:
            continue
        analyses = [analyse_clip(clip, RATE) for clip in clips]
        rates = flag_rates([a.flags for a in analyses])
        cells = " ".join(f"{100 * rates[flag]:7.1f}%" for flag in FLAGS)
        spread = "   ".join(
            f"{np.median(values):.3f} / {np.percentile(values, 95):.3f}"
            for values in ([a.flatness for a in analyses], [a.broadband_flatness for a in analyses])
        )
        print(f"{name:<26} {len(clips):>5} {cells}  {spread}")
        dump[name] = [
            {"seconds": len(c) / RATE, "flags": list(a.flags), "broadband": a.broadband_flatness, **a.measures()}
            for c, a in zip(clips, analyses)
        ]
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
