"""Frame steppers: the ways to generate one top frame for a batch of clips.

- `EagerStepper`: the model's own modules, one op at a time (`SampleRNN.generate_frame`) — the reference.
- `FoldedStepper`: the folded inference form (`folded.FoldedFrameStep`), eager.
- `FusedStepper`: the folded weights run by one compiled C routine per frame (`fused.FusedFrameStep`), float32 on a
  CPU; where it cannot be built, the folded step stands in.
- `MeasuredStepper`: on a CPU, the fused or the folded step, whichever this machine runs faster (`cpu_choice`);
  the fast path on a CPU.
- `GraphStepper`: the folded step captured once as a CUDA graph and replayed per frame; the fast path on a GPU.

All take the per-sample temperature and uniform numbers and the per-row min-p cut (`sampling.log_min_p`) and top-k
(int64) as tensors and never copy to the host, so a frame costs no host synchronisation; they draw the same codes
from the same inputs (up to float rounding).

Threads: nothing here changes torch's process-wide thread count (`torch.set_num_threads`, which every thread that
starts using torch afterwards inherits). The fused routine sizes its own threads per call (one per row up to the
cores; for fewer rows than cores, one thread or a team of all, whichever runs faster at the time). Small batches
on the folded and eager steps run on one intra-op thread — per-op thread hand-offs cost more than they save, and
on a busy machine far more — set for the generating thread alone (`own_cpu_threads`), so a one-row live stream
and a batch job started beside it never change each other's threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Literal, Protocol

import torch
from torch import Tensor

from inspiration.engine.errors import InspirationWarning
from inspiration.engine.model.cpu_choice import choose_cpu_step, live_weights
from inspiration.engine.model.folded import FoldedFrameStep, FoldedSampleRNN, WeightFormat
from inspiration.engine.model.fused import FusedFrameStep, fused_library
from inspiration.engine.model.samplernn import SampleRNN, State
from inspiration.engine.model.sampling import sample_codes

#: "auto" and "fast": the fastest stepper for the device; "fused", "folded", "eager": that one (on a CPU).
Mode = Literal["auto", "fast", "fused", "folded", "eager"]
#: CPU batches up to this size run on one intra-op thread: as fast per clip as a batch of one (see
#: `own_cpu_threads`).
SINGLE_THREAD_MAX_BATCH = 4
#: The fused step makes several frames per call, up to this many, and about this long a call.
MAX_FRAMES_PER_CALL = 64
SECONDS_PER_CALL = 0.01
Precision = Literal["auto", "live", "fp32", "bf16", "int8"]
#: How each precision keeps the weights on a CPU (arithmetic is float32 throughout; see `folded.WeightFormat`).
CPU_WEIGHTS: dict[str, WeightFormat] = {"fp32": "float32", "bf16": "bfloat16", "int8": "int8"}


class FrameStepper(Protocol):
    batch_size: int
    lookback: int
    greedy_rows: bool  # False promises that no temperature of the next frames is 0
    truncating: bool  # False promises that no min-p or top-k of the next frames is above 0

    def load(self, history: Tensor, state: State | None) -> None:
        """Set the last `lookback` codes (B, L) and the hidden state (None: the initial state)."""

    @property
    def frames_per_call(self) -> int:
        """The most frames the next `step` should be given (more per call share its fixed cost; fewer keep a
        call short enough to cancel between calls at once)."""

    @property
    def weights(self) -> WeightFormat | None:
        """How the weights that make the samples are kept (`folded.WeightFormat`); None until the first step
        where that is chosen then."""

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        """Generate k frames (1 ≤ k ≤ frames_per_call) from temperature and uniform (B, k * L) float32, the min-p
        cut (B,) float32 and the top-k (B,) int64 (None: no cut; top-k 0: none either); returns their codes
        (B, k * L) int64.

        The returned tensor may be reused by the next call: copy it out before stepping again.
        """


class EagerStepper:
    """The plain loop over the model's own modules."""

    def __init__(self, model: SampleRNN, batch_size: int) -> None:
        self.model = model
        self.batch_size = batch_size
        self.lookback = model.lookback
        self.greedy_rows = True
        self.truncating = True
        self._history = torch.full(
            (batch_size, self.lookback), model.config.q_levels // 2, dtype=torch.long, device=_device(model)
        )
        self._state: State = model.initial_state(batch_size)
        self.frames_per_call = 1
        self.weights: WeightFormat | None = "float32"

    def load(self, history: Tensor, state: State | None) -> None:
        self._history = history.clone()
        self._state = self.model.initial_state(self.batch_size) if state is None else list(state)

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        greedy = self.greedy_rows
        cut, k = (log_min_p, top_k) if self.truncating else (None, None)

        def draw(logits: Tensor, t: int) -> Tensor:
            return sample_codes(logits, temperature[:, t], uniform[:, t], greedy, cut, k)

        self._history, self._state = self.model.generate_frame(self._history, self._state, draw)
        return self._history


class _BufferStepper:
    """A stepper over a frame step's fixed buffers (`frame`): load the history, then set the inputs and run."""

    frame: FoldedFrameStep | FusedFrameStep
    lookback: int
    frames_per_call = 1

    @property
    def weights(self) -> WeightFormat | None:
        return self.frame.folded.weights

    def load(self, history: Tensor, state: State | None) -> None:
        self.frame.load(history, state)

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        self.frame.set_inputs(temperature, uniform, log_min_p, top_k)
        self.frame()
        return self.frame.codes[:, self.lookback :]


class FoldedStepper(_BufferStepper):
    """The folded inference form, run eagerly."""

    frame: FoldedFrameStep

    def __init__(self, folded: FoldedSampleRNN, batch_size: int) -> None:
        self.frame = FoldedFrameStep(folded, batch_size)
        self.batch_size = batch_size
        self.lookback = folded.config.lookback

    @property
    def greedy_rows(self) -> bool:
        return self.frame.greedy_rows

    @greedy_rows.setter
    def greedy_rows(self, value: bool) -> None:
        self.frame.greedy_rows = value

    @property
    def truncating(self) -> bool:
        return self.frame.truncating

    @truncating.setter
    def truncating(self, value: bool) -> None:
        self.frame.truncating = value


class GraphStepper(FoldedStepper):
    """The folded step as a CUDA graph per top frame: a frame costs one replay instead of hundreds of launches.

    Up to four graphs are captured lazily, with and without the argmax that temperature-0 samples need and with and
    without the cuts; the inputs (the cut included) are copied into the captured buffers before each replay.
    """

    def __init__(self, folded: FoldedSampleRNN, batch_size: int) -> None:
        super().__init__(folded, batch_size)
        self._graphs: dict[tuple[bool, bool], torch.cuda.CUDAGraph] = {}
        self._capture_failed = False

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        self.frame.set_inputs(temperature, uniform, log_min_p, top_k)
        kind = (self.frame.greedy_rows, self.frame.truncating)
        if kind not in self._graphs and not self._capture_failed:
            try:
                self._graphs[kind] = self._capture()
            except RuntimeError as exc:  # a torch build or driver that cannot capture: run the same step eagerly
                self._capture_failed = True
                warnings.warn(
                    f"CUDA graph capture failed ({exc}); generating without graphs", InspirationWarning, stacklevel=2
                )
        if self._capture_failed:
            self.frame()
        else:
            self._graphs[kind].replay()
        return self.frame.codes[:, self.lookback :]

    def _capture(self) -> torch.cuda.CUDAGraph:
        frame = self.frame
        buffers = [frame.codes, frame.temperature, frame.uniform, frame.log_min_p, frame.top_k]
        buffers += [t for tier in frame.state for t in tier]
        saved = [b.clone() for b in buffers]
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        try:
            with torch.cuda.stream(side):  # warm-up runs (required before capture) change the buffers...
                for _ in range(2):
                    frame()
        finally:
            torch.cuda.current_stream().wait_stream(side)
            for buffer, value in zip(buffers, saved):  # ...so put them back, also when warm-up failed
                buffer.copy_(value)
        graph = torch.cuda.CUDAGraph()
        # Capture records the kernels without running them. "thread_local": another thread using the GPU meanwhile
        # (a Generate job beside live playing) neither breaks this capture nor is broken by it.
        with torch.cuda.graph(graph, capture_error_mode="thread_local"):
            frame()
        return graph


class FusedStepper(_BufferStepper):
    """The fused C routine per frame (float32, CPU); see `fused.FusedFrameStep`.

    Temperature-0 samples and the cuts are always checked for (a comparison per sample, per code), so
    `greedy_rows` and `truncating` change nothing.
    """

    frame: FusedFrameStep

    def __init__(self, folded: FoldedSampleRNN, batch_size: int, threads: int | None = None) -> None:
        library = fused_library()
        if library is None:
            raise RuntimeError("the fused routine is unavailable here")
        self.frame = FusedFrameStep(folded, batch_size, library, threads, team=True, max_frames=MAX_FRAMES_PER_CALL)
        self.batch_size = batch_size
        self.lookback = folded.config.lookback
        self.greedy_rows = True
        self.truncating = True
        self.frames_per_call = 1  # until a call has been timed
        self._seconds_per_frame: float | None = None

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        self.frame.set_inputs(temperature, uniform, log_min_p, top_k)
        started = time.perf_counter()
        self.frame()
        spent = (time.perf_counter() - started) / self.frame.frames
        average = self._seconds_per_frame
        self._seconds_per_frame = spent if average is None else average + 0.25 * (spent - average)
        self.frames_per_call = max(1, min(MAX_FRAMES_PER_CALL, int(SECONDS_PER_CALL / self._seconds_per_frame)))
        return self.frame.made


class MeasuredStepper:
    """On a CPU: the fused step or the folded one, whichever `cpu_choice` finds faster here for this model shape
    and batch size. The choice (and, the first time, its measurement and the routine's build) happens at the first
    `step`, on the thread that generates, so that making a stepper never blocks the thread that asks for one.

    fold: makes the folded weights to run, at that first step (a live stream measures there which weights play).
    """

    def __init__(self, fold: Callable[[], FoldedSampleRNN], batch_size: int, lookback: int) -> None:
        self.fold = fold
        self.folded: FoldedSampleRNN | None = None
        self.batch_size = batch_size
        self.lookback = lookback
        self.greedy_rows = True
        self.truncating = True
        self.chosen: FusedStepper | FoldedStepper | None = None
        self._loaded: tuple[Tensor, State | None] | None = None

    def load(self, history: Tensor, state: State | None) -> None:
        if self.chosen is None:
            self._loaded = (history.clone(), None if state is None else [tuple(t.clone() for t in s) for s in state])
        else:
            self.chosen.load(history, state)

    @property
    def frames_per_call(self) -> int:
        return 1 if self.chosen is None else self.chosen.frames_per_call

    @property
    def weights(self) -> WeightFormat | None:
        return None if self.folded is None else self.folded.weights

    def step(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> Tensor:
        if self.chosen is None:
            self.chosen = self._choose()
        self.chosen.greedy_rows = self.greedy_rows
        self.chosen.truncating = self.truncating
        return self.chosen.step(temperature, uniform, log_min_p, top_k)

    def _choose(self) -> FusedStepper | FoldedStepper:
        self.folded = folded = self.fold()
        choice = choose_cpu_step(folded, self.batch_size, fused_library() is not None)
        chosen: FusedStepper | FoldedStepper
        if choice.step == "fused":
            chosen = FusedStepper(folded, self.batch_size, choice.threads)
        else:
            chosen = FoldedStepper(folded, self.batch_size)
        if self._loaded is not None:
            chosen.load(*self._loaded)
            self._loaded = None
        return chosen


def make_stepper(model: SampleRNN, batch_size: int, mode: Mode = "auto", precision: Precision = "auto") -> FrameStepper:
    """The fastest stepper for the model's device ('auto' or 'fast'), or the one `mode` names.

    precision 'auto' is bfloat16 on a GPU and float32 on a CPU (the eager stepper always uses the model's float32);
    'live' is 'auto' but for the fast step of a CPU, where it keeps float32 if that plays with a margin here and
    otherwise takes int8 frame tiers (`cpu_choice.live_weights`).
    On a CPU, 'bf16' and 'int8' mean float32 arithmetic on matrices kept in fewer bytes — all rounded to bfloat16,
    or the frame tiers' in int8 with a scale per output (`folded.WeightFormat`) — so that a sample reads less memory
    (the fused and the folded step then draw the same codes). 'fused' falls back to the folded step where the routine
    cannot be built (the reason is logged once).
    """
    device = _device(model)
    if mode == "eager":
        return EagerStepper(model, batch_size)
    if precision == "live" and device.type == "cpu" and mode in ("auto", "fast"):
        return MeasuredStepper(lambda: FoldedSampleRNN(model, weights=live_weights(model)), batch_size, model.lookback)
    if precision in ("auto", "live"):
        precision = "bf16" if device.type == "cuda" else "fp32"
    if device.type == "cuda":
        dtype = torch.float32 if precision == "fp32" else torch.bfloat16  # int8: bfloat16, the GPU's compact form
        return GraphStepper(FoldedSampleRNN(model, dtype), batch_size)
    folded = FoldedSampleRNN(model, torch.float32, weights=CPU_WEIGHTS[precision])
    if mode == "folded" or device.type != "cpu":
        return FoldedStepper(folded, batch_size)
    if mode == "fused":
        return FusedStepper(folded, batch_size) if fused_library() is not None else FoldedStepper(folded, batch_size)
    return MeasuredStepper(lambda: folded, batch_size, model.lookback)


@contextlib.contextmanager
def own_cpu_threads(batch_size: int, device: torch.device) -> Iterator[None]:
    """One intra-op thread for small CPU batches, for the calling thread only, restored after the block.

    It sets the calling thread's OpenMP thread count (a per-thread setting) rather than torch's process-wide one:
    other threads, and threads started meanwhile, keep theirs. Where torch does not run on an OpenMP runtime that
    can be reached this way, the block runs with the thread's count as it is.
    """
    setter = _omp_set_num_threads()
    if device.type != "cpu" or batch_size > SINGLE_THREAD_MAX_BATCH or setter is None:
        yield
        return
    previous = torch.get_num_threads()  # also settles this thread's count before it is changed
    setter(1)
    try:
        yield
    finally:
        setter(previous)


@functools.cache
def _omp_set_num_threads() -> Callable[[int], None] | None:
    """OpenMP's `omp_set_num_threads` as torch's runtime has it, checked to change torch's count on this thread
    only; None where that cannot be had (another parallel backend, a runtime out of reach)."""
    if "OpenMP" not in torch.__config__.parallel_info().split("ATen parallel backend:")[-1]:
        return None
    try:
        function = ctypes.CDLL(None).omp_set_num_threads
    except (OSError, AttributeError, TypeError):  # no process-wide symbol table (Windows), or no such symbol
        return None
    function.argtypes, function.restype = [ctypes.c_int], None
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    function(target)
    works = torch.get_num_threads() == target
    function(before)
    return function if works else None


def _device(model: SampleRNN) -> torch.device:
    return next(model.parameters()).device
