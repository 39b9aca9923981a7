"""Generating clips: a batch of clips, each with its own temperature curve, min-p, top-k and seed, streamed in blocks.

`ClipStream` is the streaming generator (for live playback and the app): it yields blocks of audio as they are made,
can be cancelled between steps (a few frames, about 10 ms of work), and takes live temperature, min-p and top-k
overrides from another thread that apply from the next block. `generate_clips` runs many clips in batches on top of
it, with progress and cancel.

The same model, seed, curve, min-p, top-k, device, precision and batch size give identical audio: the random numbers
are a pure function of (seed, sample index), see `noise`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from inspiration.engine.audio.dcblock import DCBlocker
from inspiration.engine.audio.quantize import dequantize
from inspiration.engine.curves.curve import constant
from inspiration.engine.model.counter_rng import fold_seed, uniforms
from inspiration.engine.model.samplernn import SampleRNN, State
from inspiration.engine.model.sampling import MIN_TEMPERATURE, log_min_p
from inspiration.engine.model.steppers import Mode, Precision, make_stepper, own_cpu_threads
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K, checked_min_p, checked_top_k

#: Samples per streamed block unless asked otherwise (about a quarter of a second at 16 kHz).
DEFAULT_BLOCK_FRAMES = 4096


class Curve(Protocol):
    """A temperature curve (see `schedule.TemperatureCurve`)."""

    def values(self, start: int, count: int, sample_rate: int, clip_frames: int) -> np.ndarray:
        """Temperatures (count,) float32 for samples start .. start + count - 1 of a clip of clip_frames samples."""


@dataclass(frozen=True)
class ClipSpec:
    """How one clip is made: its seed, its temperature curve, its min-p and its top-k (see `model.truncation`; both
    0: plain sampling). A min-p outside [0, 1) or a top-k that is not 0 or 2 .. MAX_TOP_K raises LimitError."""

    seed: int
    curve: Curve
    min_p: float = DEFAULT_MIN_P
    top_k: int = DEFAULT_TOP_K

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_p", checked_min_p(self.min_p))
        object.__setattr__(self, "top_k", checked_top_k(self.top_k))


@dataclass(frozen=True)
class Block:
    """One streamed block: samples [start, start + n) of every clip in the batch (after any prime)."""

    start: int
    audio: np.ndarray  # (B, n) float32
    temperature: np.ndarray  # (B, n) float32: the temperatures actually used, live override included
    min_p: np.ndarray  # (B,) float64: the min-p each clip used for this block, live override included
    top_k: np.ndarray  # (B,) int64: the top-k each clip used for this block, live override included


@dataclass(frozen=True)
class GenerationProgress:
    clips_done: int
    clips_total: int
    samples_done: int  # over all clips
    samples_total: int
    realtime_factor: float  # seconds of audio per second of wall time, all clips of the batch together
    stream_realtime_factor: float  # the same for one clip
    elapsed_seconds: float
    eta_seconds: float


class ClipStream:
    """Streams a batch of equally long clips from a model, block by block."""

    def __init__(
        self,
        model: SampleRNN,
        specs: Sequence[ClipSpec],
        frames: int,
        *,
        prime: np.ndarray | None = None,
        block_frames: int = DEFAULT_BLOCK_FRAMES,
        mode: Mode = "auto",
        precision: Precision = "auto",
        dc_block: bool = True,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        """specs: one per clip; frames: samples to generate per clip; prime: codes (P,) to continue from."""
        if not specs:
            raise ValueError("no clips to generate")
        if frames < 1:
            raise ValueError(f"a clip needs at least one sample, not {frames}")
        self.model = model
        self.specs = list(specs)
        self.frames = int(frames)
        self.sample_rate = model.config.sample_rate
        lookback = model.lookback
        self.block_frames = max(lookback, block_frames // lookback * lookback)
        self._device = next(model.parameters()).device
        self._stepper = make_stepper(model, len(self.specs), mode, precision)
        self._seeds = torch.tensor([fold_seed(spec.seed) for spec in self.specs], device=self._device)
        self._dc = DCBlocker(len(self.specs), self.sample_rate) if dc_block else None
        self._override: float | None = None
        self._min_p_override: float | None = None
        self._top_k_override: int | None = None
        self._lock = threading.Lock()
        self._cancelled = False
        self._should_stop = should_stop or (lambda: False)
        history, state = prime_state(model, prime, len(self.specs))
        self._stepper.load(history, state)
        self.frames_done = 0

    def set_temperature(self, value: float | None) -> None:
        """Override every clip's curve with `value` from the next block on (None: back to the curves).

        Safe to call from any thread.
        """
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"temperature must be a finite number ≥ 0, not {value}")
        with self._lock:
            self._override = value

    @property
    def weights(self) -> str | None:
        """How the weights making the clips are kept ('float32', 'bfloat16' or 'int8', see `folded.WeightFormat`);
        None until the first block where the step chooses then."""
        return self._stepper.weights

    def set_min_p(self, value: float | None) -> None:
        """Override every clip's min-p with `value` from the next block on (None: back to each clip's own).

        Safe to call from any thread; LimitError for a value outside [0, 1).
        """
        checked = None if value is None else checked_min_p(value)
        with self._lock:
            self._min_p_override = checked

    def set_top_k(self, value: int | None) -> None:
        """Override every clip's top-k with `value` from the next block on (None: back to each clip's own).

        Safe to call from any thread; LimitError for a value that is not 0 or 2 .. MAX_TOP_K.
        """
        checked = None if value is None else checked_top_k(value)
        with self._lock:
            self._top_k_override = checked

    def cancel(self) -> None:
        """Stop at the next step (within about 10 ms); the stream then ends without yielding the unfinished block."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def __iter__(self) -> Iterator[Block]:
        for start in range(self.frames_done, self.frames, self.block_frames):
            # No grad and this thread's own thread count hold while a block is made, never across a yield: both are
            # per thread, and a stream left unfinished must not leave them changed for its caller (see `steppers`).
            with torch.no_grad(), own_cpu_threads(len(self.specs), self._device):
                block = self._block(start)
            if block is None:
                return
            self.frames_done = start + block.audio.shape[-1]
            yield block

    def _block(self, start: int) -> Block | None:
        """Make the block starting at `start`; None when cancelled on the way."""
        lookback = self.model.lookback
        config = self.model.config
        rows = len(self.specs)
        valid = min(self.block_frames, self.frames - start)
        count = -(-valid // lookback) * lookback
        temperature = self._temperatures(start, valid, count)
        min_p, top_k = self._cuts()
        self._stepper.greedy_rows = bool((temperature <= MIN_TEMPERATURE).any())
        self._stepper.truncating = bool((min_p > 0).any() or (top_k > 0).any())
        temperature_t = torch.from_numpy(temperature).to(self._device)
        cut = log_min_p(torch.from_numpy(min_p)).to(self._device)
        keep = torch.from_numpy(top_k).to(self._device)
        noise = uniforms(self._seeds, start, count)
        codes = torch.empty(rows, count, dtype=torch.long, device=self._device)
        frame = 0
        while frame < count:
            if self._cancelled or self._should_stop():
                self._cancelled = True
                return None
            span = slice(frame, min(count, frame + self._stepper.frames_per_call * lookback))
            codes[:, span].copy_(self._stepper.step(temperature_t[:, span], noise[:, span], cut, keep))
            frame = span.stop
        audio = dequantize(codes[:, :valid].cpu().numpy(), config.q_levels, config.quantization)  # type: ignore[arg-type]
        if self._dc is not None:
            audio = self._dc(audio)
        return Block(start, audio, temperature[:, :valid], min_p, top_k)

    def _cuts(self) -> tuple[np.ndarray, np.ndarray]:
        """Each clip's min-p (B,) float64 and top-k (B,) int64 for the next block, live overrides included."""
        with self._lock:
            min_p_override, top_k_override = self._min_p_override, self._top_k_override
        rows = len(self.specs)
        min_p = np.array([spec.min_p for spec in self.specs], dtype=np.float64)
        top_k = np.array([spec.top_k for spec in self.specs], dtype=np.int64)
        if min_p_override is not None:
            min_p = np.full(rows, min_p_override, dtype=np.float64)
        if top_k_override is not None:
            top_k = np.full(rows, top_k_override, dtype=np.int64)
        return min_p, top_k

    def _temperatures(self, start: int, valid: int, count: int) -> np.ndarray:
        with self._lock:
            override = self._override
        if override is not None:
            return np.full((len(self.specs), count), override, dtype=np.float32)
        rows = [spec.curve.values(start, valid, self.sample_rate, self.frames) for spec in self.specs]
        table = np.stack(rows).astype(np.float32)
        if count > valid:  # the last frame runs past the clip's end: hold the last value
            table = np.pad(table, ((0, 0), (0, count - valid)), mode="edge")
        return table


def prime_state(model: SampleRNN, prime: np.ndarray | None, rows: int) -> tuple[torch.Tensor, State | None]:
    """History (rows, L) and hidden state after hearing `prime` codes (P,), or silence and the initial state.

    The prime is run through every tier (teacher forcing) in chunks, so the continuation follows on from it.
    """
    config = model.config
    lookback = model.lookback
    device = next(model.parameters()).device
    silence = config.q_levels // 2
    if prime is None or len(prime) == 0:
        return torch.full((rows, lookback), silence, dtype=torch.long, device=device), None
    codes = torch.from_numpy(np.asarray(prime, dtype=np.int64)).to(device)
    if len(codes) < 2 * lookback:  # too short to warm the RNNs: it only fills the history
        padded = torch.cat([codes.new_full((lookback,), silence), codes])[-lookback:]
        return padded.expand(rows, -1).clone(), None
    usable = (len(codes) - lookback) // lookback * lookback
    codes = codes[len(codes) - lookback - usable :].unsqueeze(0)
    chunk = max(lookback, 16384 // lookback * lookback)
    state: State | None = None
    with torch.no_grad():
        for begin in range(0, usable, chunk):
            stop = min(begin + chunk, usable)
            _, state = model(codes[:, begin : lookback + stop], state)
    assert state is not None
    expanded = [tuple(t.expand(-1, rows, -1).contiguous() for t in tier) for tier in state]
    return codes[:, -lookback:].expand(rows, -1).clone(), expanded


def generate_clips(
    model: SampleRNN,
    specs: Sequence[ClipSpec],
    frames: int,
    *,
    batch_size: int,
    prime: np.ndarray | None = None,
    include_prime: bool = False,
    block_frames: int = DEFAULT_BLOCK_FRAMES * 4,
    mode: Mode = "auto",
    precision: Precision = "auto",
    on_clip: Callable[[int, ClipSpec, np.ndarray], None] | None = None,
    on_progress: Callable[[GenerationProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    first_batch: int | None = None,
) -> int:
    """Generate `frames` samples for each spec, `batch_size` clips at a time (the first batch `first_batch` clips,
    when given: a small first batch is heard sooner); returns the number of clips finished.

    `on_clip(index, spec, audio)` receives each finished clip as float32 (frames,) — prime included when asked —
    as soon as its batch is done, so cancelling keeps every clip finished before it. `on_progress` follows each
    clip handed over, so a count of clips done moves one by one.
    """
    config = model.config
    total = len(specs) * frames
    prime_audio = (
        dequantize(np.asarray(prime), config.q_levels, config.quantization)  # type: ignore[arg-type]
        if include_prime and prime is not None
        else None
    )
    started = time.monotonic()
    done_clips = 0
    for first, size in batch_spans(len(specs), batch_size, first_batch):
        batch = list(specs[first : first + size])
        stream = ClipStream(
            model,
            batch,
            frames,
            prime=prime,
            block_frames=block_frames,
            mode=mode,
            precision=precision,
            should_stop=should_stop,
        )
        batch_started = time.monotonic()
        pieces = []
        for block in stream:
            pieces.append(block.audio)
            if on_progress is not None:
                done = done_clips * frames + len(batch) * stream.frames_done
                on_progress(
                    _progress(
                        done_clips,
                        len(specs),
                        done,
                        total,
                        len(batch),
                        stream.frames_done,
                        config.sample_rate,
                        started,
                        batch_started,
                    )
                )
        if stream.cancelled:
            break
        audio = np.concatenate(pieces, axis=1)
        for row, spec in enumerate(batch):
            clip = audio[row] if prime_audio is None else np.concatenate([prime_audio, audio[row]])
            if on_clip is not None:
                on_clip(first + row, spec, clip)
            done_clips += 1
            if on_progress is not None:
                on_progress(
                    _progress(
                        done_clips,
                        len(specs),
                        (first + len(batch)) * frames,
                        total,
                        len(batch),
                        frames,
                        config.sample_rate,
                        started,
                        batch_started,
                    )
                )
    return done_clips


def batch_spans(count: int, batch_size: int, first_batch: int | None = None) -> list[tuple[int, int]]:
    """(first index, size) of each batch: `first_batch` clips first when given, then `batch_size` at a time."""
    spans: list[tuple[int, int]] = []
    first = 0
    size = max(1, min(first_batch, batch_size)) if first_batch is not None else max(1, batch_size)
    while first < count:
        size = min(size, count - first)
        spans.append((first, size))
        first += size
        size = max(1, batch_size)
    return spans


def _progress(
    clips_done: int,
    clips_total: int,
    samples_done: int,
    samples_total: int,
    rows: int,
    batch_frames_done: int,
    rate: int,
    started: float,
    batch_started: float,
) -> GenerationProgress:
    now = time.monotonic()
    stream_rtf = batch_frames_done / rate / max(now - batch_started, 1e-9)
    elapsed = now - started
    per_second = samples_done / max(elapsed, 1e-9)
    eta = (samples_total - samples_done) / per_second if per_second > 0 else math.inf
    return GenerationProgress(
        clips_done, clips_total, samples_done, samples_total, stream_rtf * rows, stream_rtf, elapsed, eta
    )


def generate_eager(
    model: SampleRNN,
    frames_out: int,
    temperature: float = 1.0,
    seed: int = 0,
    batch_size: int = 1,
    min_p: float = DEFAULT_MIN_P,
    top_k: int = DEFAULT_TOP_K,
) -> np.ndarray:
    """`batch_size` clips of `frames_out` samples from silence at a constant temperature, with the eager reference
    loop (training previews use it): float32 (batch_size, frames_out)."""
    specs = [ClipSpec(seed + row, constant(temperature), min_p, top_k) for row in range(batch_size)]
    stream = ClipStream(model, specs, frames_out, mode="eager", dc_block=False)
    return np.concatenate([block.audio for block in stream], axis=1)
