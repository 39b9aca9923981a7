"""Training speed and early loss per preset on this machine.

Prints, for each preset: steps/s, training samples/s and the bits/sample reached after N steps (train and validation).

    python benchmarks/train_speed.py [--presets debug small medium paper] [--steps 30] [--device auto]
        [--batch B] [--seq-len L] [--fp32]

Matrix products run in bfloat16 where the device has it (a GPU, a CPU with AVX512-BF16 or AMX); --fp32 times float32.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import soundfile as sf
from music import synthetic_music

from inspiration.engine.model.devices import describe_device, resolve_device, uses_bf16
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.presets import get_preset
from inspiration.engine.training.events import StepDone, Validated
from inspiration.engine.training.runs import prepare_run
from inspiration.engine.training.trainer import Trainer


def measure(
    preset_name: str, steps: int, device: str, audio: Path, work: Path, bf16: bool = True, **overrides: int
) -> dict[str, float]:
    preset = get_preset(preset_name)
    train = replace(
        preset.train,
        bf16=bf16,
        steps=steps,
        val_every=steps,
        checkpoint_every=steps,
        milestone_every=0,
        preview_every=0,
        val_seconds=10.0,
        **{k: v for k, v in overrides.items() if v},
    )
    folder = ModelFolder(work / preset_name)
    prepare_run(folder, [audio], preset_name, preset.model, train)
    times: list[float] = []
    bits: list[float] = []
    val: list[float] = []

    def on_event(event: object) -> None:
        if isinstance(event, StepDone):
            times.append(time.perf_counter())
            bits.append(event.train_bits)
        elif isinstance(event, Validated):
            val.append(event.val_bits)

    trainer = Trainer(folder, device=device, on_event=on_event)
    trainer.run()
    warm = times[len(times) // 3 :]  # the first steps pay for allocation, lazy imports and kernel selection
    per_second = (len(warm) - 1) / (warm[-1] - warm[0]) if len(warm) > 1 else float("nan")
    samples = trainer.batches.batch_size * train.seq_len
    return {
        "steps_per_s": per_second,
        "samples_per_s": per_second * samples,
        "batch": trainer.batches.batch_size,
        "seq_len": train.seq_len,
        "train_bits": sum(bits[-5:]) / len(bits[-5:]),
        "val_bits": val[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["debug", "small", "medium", "paper"])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch", type=int, help="override every preset's batch size")
    parser.add_argument("--seq-len", type=int, help="override every preset's sequence length")
    parser.add_argument("--fp32", action="store_true", help="float32 throughout, even where bfloat16 is native")
    args = parser.parse_args()
    device = resolve_device(args.device)
    precision = "bfloat16" if uses_bf16(device, not args.fp32) else "float32"
    print(f"device: {describe_device(device)}, {precision}; {args.steps} steps per preset on 2 min of synthetic music")
    print(f"{'preset':<8} {'batch×seq':>10} {'steps/s':>9} {'samples/s':>11} {'train bits':>11} {'val bits':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        audio = work / "music.flac"
        sf.write(audio, synthetic_music(120.0, 16000, seed=1), 16000)
        for name in args.presets:
            r = measure(
                name, args.steps, str(device), audio, work, not args.fp32, batch_size=args.batch, seq_len=args.seq_len
            )
            print(
                f"{name:<8} {r['batch']:>4}×{r['seq_len']:<5} {r['steps_per_s']:>9.2f} {r['samples_per_s']:>11,.0f} "
                f"{r['train_bits']:>11.3f} {r['val_bits']:>9.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
