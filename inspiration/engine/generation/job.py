"""One generation run into a clip library, shared by `inspiration generate` and the app's generate panel.

`generate_into_library` loads a model folder, makes `count` clips (seeds first_seed, first_seed + 1, ...) with one
temperature curve and an optional prime, in batches, and adds each clip to the library as soon as its batch is done,
with the metadata that says how it was made (model, checkpoint step, seed, curve, min-p, top-k, prime) and, when the
model folder has a lineage index, the clip's novelty and best match in the training audio. `should_stop` is checked
between steps (about 10 ms apart): a stop keeps every clip already added and writes no partial clip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from inspiration.engine.audio import files as audio_io
from inspiration.engine.audio.encode import encode_signal
from inspiration.engine.curves.curve import TemperatureCurve, constant
from inspiration.engine.errors import InspirationError
from inspiration.engine.generation.stream import ClipSpec, GenerationProgress, generate_clips
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.limits import MAX_RATE, MIN_RATE, checked_float, checked_int
from inspiration.engine.lineage.clips import existing_index, record_lineage
from inspiration.engine.lineage.query import find_lineage
from inspiration.engine.model.checkpoint import load_model
from inspiration.engine.model.devices import resolve_device
from inspiration.engine.model.folder import model_name
from inspiration.engine.model.steppers import SINGLE_THREAD_MAX_BATCH, Precision
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K, checked_min_p, checked_top_k

#: The longest clip one run may make (a day of audio), and the most clips.
MAX_SECONDS = 24 * 3600.0
MAX_COUNT = 100_000
#: The most clips generated at once, and the largest seed.
MAX_BATCH = 4096
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Prime:
    """Audio to continue from: a file, or float32 samples ((frames,) or (channels, frames)) at `sample_rate`.
    `description` is what each clip's record keeps as its prime."""

    description: str
    path: Path | None = None
    audio: np.ndarray | None = field(default=None, repr=False, compare=False)
    sample_rate: int = 0

    @classmethod
    def from_file(cls, path: str | Path) -> Prime:
        return cls(str(path), path=Path(path).expanduser())

    @classmethod
    def from_audio(cls, audio: np.ndarray, sample_rate: int, description: str) -> Prime:
        return cls(description, audio=np.asarray(audio, dtype=np.float32), sample_rate=int(sample_rate))

    def mono(self, sample_rate: int) -> np.ndarray:
        """The prime mixed to mono at `sample_rate`: float32 (frames,). AudioReadError for an unreadable file."""
        if self.path is not None:
            if not self.path.is_file():
                raise InspirationError(f"{self.description}: there is no such prime file")
            return audio_io.read_mono(self.path, sample_rate)
        if self.audio is None or self.sample_rate < 1:
            raise InspirationError(f"{self.description}: the prime has no audio")
        return audio_io.resample(audio_io.to_mono(self.audio), self.sample_rate, sample_rate)


@dataclass(frozen=True)
class GenerateRequest:
    """What to generate. `first_seed` None picks a random one; `batch` None picks one for the device (see
    `choose_batch`); `rate` None keeps the model's sample rate; `prime_seconds` is how much of the prime's end is
    heard (0: all of it). `min_p` cuts the improbable tail of each draw and `top_k` keeps only its k likeliest
    levels (see `model.truncation`; both 0: plain sampling). `sound_first` makes a small first batch on a CPU, so
    the first clips can be heard sooner (see `first_batch_size`)."""

    model: Path
    checkpoint: str | int = "best"
    count: int = 1
    seconds: float = 10.0
    curve: TemperatureCurve = field(default_factory=lambda: constant(1.0))
    min_p: float = DEFAULT_MIN_P
    top_k: int = DEFAULT_TOP_K
    first_seed: int | None = None
    prime: Prime | None = None
    prime_seconds: float = 8.0
    include_prime: bool = False
    batch: int | None = None
    format: str = "wav"
    rate: int | None = None
    device: str = "auto"
    precision: Precision = "auto"
    eager: bool = False
    sound_first: bool = False


@dataclass(frozen=True)
class GeneratePlan:
    """How a run goes, known once the model is loaded (for a start-up line or a panel's status)."""

    model_name: str
    checkpoint_step: int | None
    device: str
    batch: int
    first_seed: int
    count: int
    seconds: float
    sample_rate: int  # the model's
    curve: TemperatureCurve
    first_batch: int | None = None  # the first batch's size when it differs from `batch`
    min_p: float = DEFAULT_MIN_P
    top_k: int = DEFAULT_TOP_K


def choose_batch(count: int, device: torch.device) -> int:
    """Clips generated at once by default: up to 256 on a GPU, 16 on a CPU."""
    return max(1, min(count, 256 if device.type == "cuda" else 16))


def first_batch_size(count: int, batch: int, device: torch.device, sound_first: bool) -> int | None:
    """The first batch's size when a smaller one makes clips sound sooner: on a CPU a batch of up to
    SINGLE_THREAD_MAX_BATCH clips runs as fast per clip as one clip alone, a bigger one several times slower per clip
    (on a GPU every batch size takes about as long, so there is nothing to gain)."""
    if not sound_first or device.type != "cpu" or batch <= SINGLE_THREAD_MAX_BATCH or count <= 1:
        return None
    return SINGLE_THREAD_MAX_BATCH


def generate_into_library(
    request: GenerateRequest,
    library: ClipLibrary | str | os.PathLike[str],
    *,
    on_start: Callable[[GeneratePlan], None] | None = None,
    on_clip: Callable[[ClipRecord], None] | None = None,
    on_progress: Callable[[GenerationProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[str]:
    """Generate the request's clips into `library` (or a library opened in that folder once the model and prime
    are checked, so bad input creates no folder); returns the ids of the clips added, in seed order.

    `on_clip(record)` follows each clip's addition; `on_progress` reports clips done, samples, ETA and speed.
    Bad input (count, length, curve, model, checkpoint, prime) raises an InspirationError before any clip is made.
    """
    _check(request)
    device = resolve_device(request.device)
    model, meta = load_model(request.model, request.checkpoint, device)
    model.eval()
    config = model.config
    frames = int(round(request.seconds * config.sample_rate))
    if frames < 1:
        raise InspirationError(f"{request.seconds:g} s is shorter than one sample at {config.sample_rate} Hz")
    prime = _prime_codes(request.prime, request.prime_seconds, config) if request.prime is not None else None
    first_seed = request.first_seed if request.first_seed is not None else secrets.randbelow(2**31)
    step = meta.get("step")
    batch = request.batch or choose_batch(request.count, device)
    plan = GeneratePlan(
        model_name=model_name(request.model),
        checkpoint_step=int(step) if step is not None else None,
        device=str(device),
        batch=batch,
        first_seed=first_seed,
        count=request.count,
        seconds=request.seconds,
        sample_rate=config.sample_rate,
        curve=request.curve,
        first_batch=first_batch_size(request.count, batch, device, request.sound_first),
        min_p=request.min_p,
        top_k=checked_top_k(request.top_k),
    )
    if on_start is not None:
        on_start(plan)
    target = library if isinstance(library, ClipLibrary) else ClipLibrary(library)
    rate = request.rate or config.sample_rate
    added: list[str] = []
    recorded_curve = request.curve  # how each clip was steered, over the clip as it is kept
    if request.include_prime and prime is not None:
        recorded_curve = request.curve.delayed(len(prime) / config.sample_rate, frames / config.sample_rate)
    lineage_index = existing_index(request.model)
    if lineage_index is not None and lineage_index.sample_rate != config.sample_rate:
        lineage_index = None  # not this model's audio

    def keep(index: int, spec: ClipSpec, clip: np.ndarray) -> None:
        record = target.add(
            audio_io.resample(clip, config.sample_rate, rate),
            rate,
            model=plan.model_name,
            checkpoint_step=plan.checkpoint_step,
            seed=spec.seed,
            curve=recorded_curve,
            min_p=spec.min_p,
            top_k=spec.top_k,
            prime=request.prime.description if request.prime is not None else None,
            format=request.format,
        )
        if lineage_index is not None:
            record = record_lineage(target, record.id, find_lineage(lineage_index, clip, config.sample_rate))
        added.append(record.id)
        if on_clip is not None:
            on_clip(record)

    generate_clips(
        model,
        [ClipSpec(first_seed + i, request.curve, request.min_p, request.top_k) for i in range(request.count)],
        frames,
        batch_size=plan.batch,
        prime=prime,
        include_prime=request.include_prime,
        mode="eager" if request.eager else "auto",
        precision=request.precision,
        on_clip=keep,
        on_progress=on_progress,
        should_stop=should_stop,
        first_batch=plan.first_batch,
    )
    return added


def _check(request: GenerateRequest) -> None:
    """Every number of the request within its range (LimitError names the first that is not)."""
    checked_int(request.count, "the number of clips", 1, MAX_COUNT)
    checked_float(request.seconds, "a clip's length in seconds", 0.0, MAX_SECONDS, above=True)
    checked_min_p(request.min_p)
    checked_top_k(request.top_k)
    if request.batch is not None:
        checked_int(request.batch, "the batch", 1, MAX_BATCH)
    checked_float(request.prime_seconds, "the prime length in seconds", 0.0, MAX_SECONDS)
    if request.rate is not None:
        checked_int(request.rate, "the sample rate", MIN_RATE, MAX_RATE)
    if request.first_seed is not None:
        checked_int(request.first_seed, "the seed", 0, MAX_SEED - MAX_COUNT)


def _prime_codes(prime: Prime, seconds: float, config: Any) -> np.ndarray:
    """The prime as the model hears training audio: mono, model rate, DC removed, peak-normalised, quantised."""
    signal = prime.mono(config.sample_rate)
    if seconds > 0:  # the last `seconds` (at least one sample); 0 keeps all of it
        signal = signal[-max(1, round(seconds * config.sample_rate)) :]
    if len(signal) == 0 or audio_io.peak(signal) == 0:
        raise InspirationError(f"{prime.description}: the prime is empty or silent")
    return encode_signal(signal, config.q_levels, config.quantization)
