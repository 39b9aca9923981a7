"""Live playing: one endless stream from a model while the musician steers its temperature, min-p and top-k.

A `LiveSession` runs a one-row `ClipStream` block by block as its reader asks for audio, resamples it to the output
rate (a streaming soxr resampler, so blocks join without clicks) and keeps what was made recently, so a take can
start at the moment the listener heard, not at the moment the model reached.

Threads:
- The reader (the app's playback feeder thread, or a benchmark loop) calls `read`; it runs the model and may take
  as long as a model block takes. Only one thread may read.
- Any other thread (the GUI) calls `set_temperature`, `set_min_p`, `set_top_k`, `set_automation`, `follow_curve`,
  `start_take`, `stop_take`, `temperature_log`, `realtime_factor` and `close`; they only take short locks.

Latency: a knob change (any knob) applies from the next model block, so it is heard after at most `latency_ms`
(`block_frames / sample_rate`: 128 ms for 2048 frames at 16 kHz) plus whatever the player has queued ahead.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import soxr

from inspiration.engine.curves.curve import MAX_TEMPERATURE, TemperatureCurve
from inspiration.engine.curves.fitting import curve_from_temperatures
from inspiration.engine.generation.stream import Block, ClipSpec, ClipStream
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.steppers import Mode, Precision
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K, checked_min_p, checked_top_k

#: Model frames per block: the knob's latency (128 ms at 16 kHz); smaller blocks cost more per sample.
LIVE_BLOCK_FRAMES = 2048
#: How far back (seconds of model audio) a take may start: what the listener hears lags what the model made.
HISTORY_SECONDS = 20.0
#: The longest a live stream runs before it ends by itself.
MAX_HOURS = 24
_RTF_BLOCKS = 16  # blocks averaged for the real-time factor


@dataclass(frozen=True)
class Automation:
    """A temperature curve played over `seconds`, then looped or held at its end value.

    Fraction curves are stretched over `seconds`; seconds curves keep their own times and are cut at `seconds`.
    """

    curve: TemperatureCurve
    seconds: float
    loop: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"an automation needs a length in seconds above 0, not {self.seconds}")

    def values(self, offset: int, count: int, sample_rate: int) -> np.ndarray:
        """Temperatures for frames [offset, offset + count) from the automation's start: float32 (count,)."""
        span = max(1, round(self.seconds * sample_rate))
        out = np.empty(count, dtype=np.float32)
        done = 0
        while done < count:
            index = offset + done
            if self.loop:
                index %= span
            elif index >= span:
                out[done:] = self.curve.values(span - 1, 1, sample_rate, span)[0]
                break
            n = min(count - done, span - index)
            out[done : done + n] = self.curve.values(index, n, sample_rate, span)
            done += n
        return out

    def position(self, offset: int, sample_rate: int) -> float:
        """Seconds into the curve at `offset` frames from the automation's start (wrapped or held)."""
        seconds = offset / sample_rate
        return seconds % self.seconds if self.loop else min(seconds, self.seconds)


@dataclass(frozen=True)
class LoggedTemperature:
    """The temperature a model block started with: `time` in seconds of the live stream, its first `frame`."""

    time: float
    value: float
    frame: int


@dataclass(frozen=True)
class LiveTake:
    """A recorded stretch of the live stream: audio (frames,) float32 at `sample_rate`, the temperature used for
    each sample (frames,), and `start_seconds`, where it began in the stream. `curve` is those temperatures as a
    seconds curve from the take's start; it is worked out on first use (seconds of work for a long take), so that
    stopping a take costs nothing on the thread that stops it. `min_p` and `top_k` are the min-p and the top-k used
    for most of the take (a clip records one of each)."""

    audio: np.ndarray
    sample_rate: int
    temperatures: np.ndarray
    seed: int
    start_seconds: float
    min_p: float = 0.0
    top_k: int = 0

    @property
    def seconds(self) -> float:
        return len(self.audio) / self.sample_rate

    @cached_property
    def curve(self) -> TemperatureCurve:
        return curve_from_temperatures(self.temperatures, self.sample_rate)


@dataclass(frozen=True)
class _Piece:
    """A made block kept for takes: frames [start, start + len(audio)); temps a scalar when constant."""

    start: int
    audio: np.ndarray
    temps: np.ndarray | float
    min_p: float
    top_k: int

    @property
    def end(self) -> int:
        return self.start + len(self.audio)

    def temperatures(self, a: int, b: int) -> np.ndarray:
        if isinstance(self.temps, float):
            return np.full(b - a, self.temps, dtype=np.float32)
        return self.temps[a - self.start : b - self.start]


class _Steering:
    """The stream's temperature curve: the knob, or the automation while following it. Thread-safe."""

    def __init__(self, temperature: float) -> None:
        self._lock = threading.Lock()
        self.knob = temperature
        self.automation: Automation | None = None
        self.following = False
        self.origin: int | None = None  # stream frame where the automation started (None: at the next block)

    def values(self, start: int, count: int, sample_rate: int, clip_frames: int) -> np.ndarray:
        with self._lock:
            if self.following and self.automation is not None:
                if self.origin is None:
                    self.origin = start
                automation, origin = self.automation, self.origin
            else:
                return np.full(count, self.knob, dtype=np.float32)
        return automation.values(start - origin, count, sample_rate)


class LiveSession:
    """An endless stream from `model` (one row, from silence) at a steerable temperature.

    output_rate: the rate `read` returns (default: the model's); channels: 1 (mono) or 2 (the same signal twice).
    """

    def __init__(
        self,
        model: SampleRNN,
        *,
        output_rate: int | None = None,
        channels: int = 1,
        seed: int = 0,
        temperature: float = 1.0,
        min_p: float = DEFAULT_MIN_P,
        top_k: int = DEFAULT_TOP_K,
        block_frames: int = LIVE_BLOCK_FRAMES,
        mode: Mode = "auto",
        precision: Precision = "live",
        history_seconds: float = HISTORY_SECONDS,
        model_name: str = "",
        checkpoint_step: int | None = None,
    ) -> None:
        if channels not in (1, 2):
            raise ValueError(f"live audio is mono or stereo, not {channels} channels")
        self.model = model
        self.model_name = model_name
        self.checkpoint_step = checkpoint_step
        self.sample_rate = model.config.sample_rate
        self.output_rate = int(output_rate or self.sample_rate)
        self.channels = channels
        self.seed = int(seed)
        self._steering = _Steering(_checked(temperature))
        self._stream = ClipStream(
            model,
            [ClipSpec(self.seed, self._steering, checked_min_p(min_p), checked_top_k(top_k))],
            MAX_HOURS * 3600 * self.sample_rate,
            block_frames=block_frames,
            mode=mode,
            precision=precision,
        )
        self.block_frames = self._stream.block_frames
        self._min_p = self._stream.specs[0].min_p  # checked by the spec
        self._top_k = self._stream.specs[0].top_k
        self._blocks: Iterator[Block] = iter(self._stream)
        self._resampler = (
            soxr.ResampleStream(self.sample_rate, self.output_rate, 1, dtype="float32")
            if self.output_rate != self.sample_rate
            else None
        )
        self._fifo: deque[np.ndarray] = deque()
        self._fifo_frames = 0
        self._read_lock = threading.Lock()  # one reader; close waits for it
        self._lock = threading.Lock()  # everything below, shared with other threads
        self._closed = False
        self.ended = False
        self.frames_made = 0
        self._log: deque[LoggedTemperature] = deque(maxlen=8192)
        self._timings: deque[tuple[int, float]] = deque(maxlen=_RTF_BLOCKS)
        self._blocks_made = 0
        self._history: deque[_Piece] = deque()
        self._history_frames = max(self.block_frames, round(history_seconds * self.sample_rate))
        self._take_start: int | None = None
        self._take: LiveTake | None = None

    @classmethod
    def open(
        cls, model_path: str | os.PathLike[str], *, checkpoint: str | int = "best", device: str = "auto", **kwargs: Any
    ) -> LiveSession:
        """Load a model folder (or weights file) with `load_model` on `device` and start a session over it."""
        from inspiration.engine.model.checkpoint import load_model
        from inspiration.engine.model.devices import resolve_device
        from inspiration.engine.model.folder import model_name

        model, meta = load_model(model_path, checkpoint, resolve_device(device))
        model.eval()
        kwargs.setdefault("model_name", model_name(model_path))
        kwargs.setdefault("checkpoint_step", meta.get("step"))
        return cls(model, **kwargs)

    # -- steering (any thread) ------------------------------------------------------------------------------------

    @property
    def latency_ms(self) -> float:
        """The longest a knob change waits before the model uses it (one model block), in milliseconds."""
        return 1000.0 * self.block_frames / self.sample_rate

    @property
    def temperature(self) -> float:
        """The knob's value (used whenever the automation is not followed)."""
        with self._steering._lock:
            return self._steering.knob

    def set_temperature(self, value: float) -> None:
        """Turn the knob: from the next model block on (unless following the automation); 0 to MAX_TEMPERATURE."""
        value = _checked(value)
        with self._steering._lock:
            self._steering.knob = value

    @property
    def min_p(self) -> float:
        """The min-p knob's value: how much of the improbable tail each draw cuts (0: plain sampling)."""
        with self._steering._lock:
            return self._min_p

    def set_min_p(self, value: float) -> None:
        """Turn the min-p knob: from the next model block on; LimitError (a ValueError) outside [0, 1)."""
        value = checked_min_p(value)
        self._stream.set_min_p(value)
        with self._steering._lock:
            self._min_p = value

    @property
    def top_k(self) -> int:
        """The top-k knob's value: how many of the likeliest levels each draw may choose from (0: all of them)."""
        with self._steering._lock:
            return self._top_k

    def set_top_k(self, value: int) -> None:
        """Turn the top-k knob: from the next model block on; LimitError (a ValueError) unless 0 or 2 .. MAX_TOP_K."""
        value = checked_top_k(value)
        self._stream.set_top_k(value)
        with self._steering._lock:
            self._top_k = value

    def set_automation(self, automation: Automation | None, *, restart: bool = False) -> None:
        """The curve to follow; a new curve keeps its position unless `restart` (None: nothing to follow)."""
        with self._steering._lock:
            self._steering.automation = automation
            if restart or automation is None:
                self._steering.origin = None

    def follow_curve(self, on: bool) -> None:
        """Let the automation steer (from its start, at the next block) or hand the temperature back to the knob."""
        with self._steering._lock:
            if on and not self._steering.following:
                self._steering.origin = None
            self._steering.following = on

    @property
    def following(self) -> bool:
        with self._steering._lock:
            return self._steering.following and self._steering.automation is not None

    def automation_position(self, frame: int) -> float | None:
        """Seconds into the automation at stream `frame` (model rate), or None when not following (or not yet)."""
        with self._steering._lock:
            automation, origin = self._steering.automation, self._steering.origin
            following = self._steering.following
        if not following or automation is None or origin is None or frame < origin:
            return None
        return automation.position(frame - origin, self.sample_rate)

    # -- what happened (any thread) -------------------------------------------------------------------------------

    def temperature_log(self) -> list[LoggedTemperature]:
        """The temperature each recent model block started with, oldest first (the last 8192 blocks)."""
        with self._lock:
            return list(self._log)

    def temperature_at(self, frame: int) -> float | None:
        """The temperature used at stream `frame` (model rate) while it is still in the history, else None."""
        with self._lock:
            for piece in reversed(self._history):
                if piece.start <= frame < piece.end:
                    return float(piece.temperatures(frame, frame + 1)[0])
        return None

    @property
    def realtime_factor(self) -> float | None:
        """Seconds of audio the model makes per second of work, over the last blocks (the first block, which pays
        for warming up, is left out); None until two blocks are measured."""
        with self._lock:
            if len(self._timings) < 2:
                return None
            frames = sum(f for f, _ in self._timings)
            seconds = sum(s for _, s in self._timings)
        return frames / self.sample_rate / max(seconds, 1e-9)

    @property
    def weights(self) -> str | None:
        """How the model's weights are kept while it plays: 'float32', or 'int8' frame tiers where float32 would
        not keep up here (see `cpu_choice.live_weights`); None until the first block."""
        return self._stream.weights

    def output_to_stream_frame(self, output_frame: int) -> int:
        """The model-rate stream frame matching a frame of `read`'s output."""
        return int(output_frame * self.sample_rate // self.output_rate)

    # -- takes (any thread) ---------------------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        with self._lock:
            return self._take_start is not None

    def start_take(self, at_frame: int | None = None) -> None:
        """Start recording at stream `frame` (model rate; default: the next block made), as far back as the history
        reaches."""
        with self._lock:
            oldest = self._history[0].start if self._history else self.frames_made
            frame = self.frames_made if at_frame is None else int(at_frame)
            self._take_start = min(max(frame, oldest), self.frames_made)

    def stop_take(self, at_frame: int | None = None) -> LiveTake | None:
        """Stop recording at stream `frame` (default: everything made so far); the take, or None if it is empty."""
        with self._lock:
            start, self._take_start = self._take_start, None
            if start is None:
                return None
            stop = self.frames_made if at_frame is None else min(int(at_frame), self.frames_made)
            pieces = [p for p in self._history if p.end > start and p.start < stop]
            self._trim_history()
        if stop <= start or not pieces:
            return None
        audio = np.concatenate([p.audio[max(start, p.start) - p.start : min(stop, p.end) - p.start] for p in pieces])
        temps = np.concatenate([p.temperatures(max(start, p.start), min(stop, p.end)) for p in pieces])
        min_p_share: dict[float, int] = {}  # frames of the take made at each min-p
        top_k_share: dict[int, int] = {}  # and at each top-k
        for p in pieces:
            frames = min(stop, p.end) - max(start, p.start)
            min_p_share[p.min_p] = min_p_share.get(p.min_p, 0) + frames
            top_k_share[p.top_k] = top_k_share.get(p.top_k, 0) + frames
        min_p = max(min_p_share, key=lambda value: min_p_share[value])
        top_k = max(top_k_share, key=lambda value: top_k_share[value])
        take = LiveTake(audio, self.sample_rate, temps, self.seed, start / self.sample_rate, min_p, top_k)
        with self._lock:
            self._take = take
        return take

    def take(self) -> LiveTake | None:
        """The last take stopped (None before the first)."""
        with self._lock:
            return self._take

    # -- reading (the reader thread) ------------------------------------------------------------------------------

    def read(self, frames: int) -> np.ndarray:
        """The next `frames` frames at the output rate: float32 (channels, frames). Runs the model as needed;
        silence once closed or ended."""
        with self._read_lock:
            while self._fifo_frames < frames and not self._closed and not self.ended:
                self._make_block()
            out = np.zeros(frames, dtype=np.float32)
            filled = 0
            while filled < frames and self._fifo:
                head = self._fifo[0]
                n = min(frames - filled, len(head))
                out[filled : filled + n] = head[:n]
                filled += n
                if n == len(head):
                    self._fifo.popleft()
                else:
                    self._fifo[0] = head[n:]
            self._fifo_frames -= filled
        return np.repeat(out[None, :], self.channels, axis=0)

    def close(self) -> None:
        """Stop the model (within one frame if it is making a block) and free the stream; reads then give silence."""
        self._stream.cancel()
        with self._read_lock:
            self._closed = True
            self._resampler = None  # frees the native resampler now rather than at exit
            close = getattr(self._blocks, "close", None)
            if close is not None:
                close()  # ends the generator here rather than at garbage collection

    @property
    def closed(self) -> bool:
        return self._closed

    def _make_block(self) -> None:
        started = time.perf_counter()
        block = next(self._blocks, None)
        spent = time.perf_counter() - started
        if block is None:
            self.ended = True
            return
        audio = np.ascontiguousarray(block.audio[0], dtype=np.float32)
        temps = block.temperature[0]
        constant = bool((temps == temps[0]).all())
        piece = _Piece(
            block.start,
            audio,
            float(temps[0]) if constant else temps.copy(),
            float(block.min_p[0]),
            int(block.top_k[0]),
        )
        out = audio if self._resampler is None else self._resampler.resample_chunk(audio)
        if len(out):
            self._fifo.append(out)
            self._fifo_frames += len(out)
        with self._lock:
            self._blocks_made += 1
            if self._blocks_made > 1:
                self._timings.append((len(audio), spent))
            self._log.append(LoggedTemperature(block.start / self.sample_rate, float(temps[0]), block.start))
            self._history.append(piece)
            self.frames_made = piece.end
            self._trim_history()

    def _trim_history(self) -> None:
        """Forget pieces older than the history reaches, unless a take still needs them (call under the lock)."""
        keep_from = self.frames_made - self._history_frames
        if self._take_start is not None:
            keep_from = min(keep_from, self._take_start)
        while self._history and self._history[0].end <= keep_from:
            self._history.popleft()


def _checked(value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and 0 <= value <= MAX_TEMPERATURE):
        raise ValueError(f"temperature must be a number from 0 to {MAX_TEMPERATURE:g}, not {value}")
    return value
