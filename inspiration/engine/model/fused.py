"""The fused CPU frame step: a whole top frame (every tier's RNN step, and per sample the table lookup, the MLP,
the temperature-scaled draw and the feedback) in one call of a small C routine, `fused_frame.c`.

On a CPU the folded step's cost is per-op dispatch: at batch 1 each sample is about fifteen small tensor operations,
each costing more in overhead than in arithmetic. The C routine does the same arithmetic as plain loops over the
folded weights, so a sample costs its arithmetic only. Its rows are split between threads that never wait for
each other within a frame; with fewer rows than threads (one live stream), the threads make them as a team, each a
share of every product's columns, or as a pipeline of two. The thread count is chosen per call (no global setting
is touched). Weights kept in a reduced format (`FoldedSampleRNN(weights=...)`: bfloat16, or int8 for the frame
tiers) are read as such, fewer bytes per sample, and widened to float32 in registers.

The routine is compiled on first use with the system's C compiler (`$CC`, `cc`, `gcc` or `clang`, for this machine's
CPU) and kept in the user's cache folder, keyed by its source, the compiler and the machine, so later runs load it
at once. Where no compiler exists or the build fails, `fused_library()` returns None, the reason is logged once,
and generation uses the folded step.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Hashable
from importlib import resources
from pathlib import Path

import torch
from torch import Tensor

from inspiration.engine.atomic import atomic_path
from inspiration.engine.errors import OutputNotWritableError
from inspiration.engine.model.folded import FoldedFrameStep, FoldedSampleRNN
from inspiration.engine.model.samplernn import State
from inspiration.engine.model.thread_choice import ThreadChoice
from inspiration.engine.places import user_places

logger = logging.getLogger(__name__)

_SOURCE = "fused_frame.c"
_FLAGS = ["-O3", "-std=gnu11", "-ffp-contract=fast", "-shared", "-fPIC", "-pthread"]
_NATIVE = ["-march=native", "-mprefer-vector-width=512"]  # dropped for a compiler that refuses them
PANEL = 16  # columns of a packed weight panel (fused_frame.c: PANEL)
#: The two-thread pipeline (fused_frame.c: Pipeline), as an option beside thread counts.
PIPELINE = "pipeline"
_WORK_PER_THREAD = 4_000_000  # multiply-adds per frame below which another thread costs more than it saves


class FusedUnavailableError(RuntimeError):
    """The fused frame step cannot be used here (no compiler, a failed build, or an unsupported precision)."""


_P = ctypes.POINTER


#: Weight formats (fused_frame.c: FLOAT32, BFLOAT16, INT8).
FORMATS = {"float32": 0, "bfloat16": 1, "int8": 2}


class _Matrix(ctypes.Structure):
    _fields_ = [
        ("w", ctypes.c_void_p),
        ("scale", ctypes.c_void_p),
        ("b", ctypes.c_void_p),
        ("format", ctypes.c_int64),
    ]


class _Tier(ctypes.Structure):
    _fields_ = [
        ("frame_size", ctypes.c_int64),
        ("ratio", ctypes.c_int64),
        ("layers", ctypes.c_int64),
        ("gates", ctypes.c_int64),
        ("expand_t", ctypes.c_void_p),
        ("expand_b", ctypes.c_void_p),
        ("w_ih", _P(_Matrix)),
        ("w_hh", _P(_Matrix)),
        ("up", _Matrix),
        ("h", _P(ctypes.c_void_p)),
        ("c", _P(ctypes.c_void_p)),
    ]


class _Model(ctypes.Structure):
    _fields_ = [
        ("batch", ctypes.c_int64),
        ("lookback", ctypes.c_int64),
        ("dim", ctypes.c_int64),
        ("q_levels", ctypes.c_int64),
        ("n_tiers", ctypes.c_int64),
        ("n_hidden", ctypes.c_int64),
        ("tiers", _P(_Tier)),
        ("table", ctypes.c_void_p),
        ("hidden", _P(_Matrix)),
        ("out", _Matrix),
        ("codes", ctypes.c_void_p),
        ("frames", ctypes.c_int64),
        ("stride", ctypes.c_int64),
        ("temperature", ctypes.c_void_p),
        ("uniform", ctypes.c_void_p),
        ("made", ctypes.c_void_p),
        ("log_min_p", ctypes.c_void_p),
        ("top_k", ctypes.c_void_p),
    ]


_lock = threading.Lock()
_library: ctypes.CDLL | None = None
_failure: str | None = None


def fused_library(cache: Path | None = None) -> ctypes.CDLL | None:
    """The compiled routine, built on first use (see the module docstring); None where it cannot be had.

    cache: the folder for built routines (default: `kernels` in the user's cache folder).
    """
    global _library, _failure
    with _lock:
        if _library is None and _failure is None:
            try:
                _library = _load(cache or user_places().cache / "kernels")
            except FusedUnavailableError as exc:
                _failure = str(exc)
                logger.warning("fused CPU generation unavailable, using the folded step: %s", _failure)
        return _library


def unavailable_reason() -> str | None:
    """Why `fused_library()` returned None (None before it was asked, or when it worked)."""
    return _failure


def _compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and (path := shutil.which(name)):
            return path
    return None


def _source() -> bytes:
    return resources.files("inspiration.engine.model").joinpath(_SOURCE).read_bytes()


def library_key() -> str:
    """What the built routine depends on (its source, flags, compiler and machine), as a short hash."""
    text = [" ".join(_FLAGS + _NATIVE), _compiler() or "", platform.machine(), platform.node()]
    return hashlib.sha256(b"\0".join([_source(), *(t.encode() for t in text)])).hexdigest()[:16]


def _load(cache: Path) -> ctypes.CDLL:
    compiler = _compiler()
    if compiler is None:
        raise FusedUnavailableError("no C compiler found (set CC, or install gcc or clang)")
    source, key = _source(), library_key()
    suffix = ".dll" if sys.platform == "win32" else ".so"
    target = cache / f"fused_frame-{key}{suffix}"
    if not target.exists():
        _build(compiler, source, target)
    try:
        library = ctypes.CDLL(str(target))
    except OSError as exc:
        raise FusedUnavailableError(f"cannot load the built routine: {exc}") from exc
    library.inspiration_fused_frame.argtypes = [_P(_Model), ctypes.c_int64]
    library.inspiration_fused_frame.restype = ctypes.c_int
    library.inspiration_fused_pipeline.argtypes = [_P(_Model)]
    library.inspiration_fused_pipeline.restype = ctypes.c_int
    return library


def _build(compiler: str, source: bytes, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            c_file = tmp.with_suffix(".c")
            c_file.write_bytes(source)
            try:
                errors = ""
                for extra in (_NATIVE, []):
                    done = subprocess.run(
                        [compiler, *_FLAGS, *extra, str(c_file), "-o", str(tmp), "-lm"],
                        capture_output=True,
                        text=True,
                        timeout=120,
                    )
                    if done.returncode == 0:
                        return
                    lines = done.stderr.strip().splitlines()
                    errors = next((line for line in lines if "error" in line), lines[-1] if lines else "no message")
                raise FusedUnavailableError(f"the C compiler failed: {errors}")
            finally:
                c_file.unlink(missing_ok=True)
    except (OSError, subprocess.SubprocessError, OutputNotWritableError) as exc:
        raise FusedUnavailableError(f"cannot build the routine: {exc}") from exc


def _pointers(tensors: list[Tensor]) -> ctypes.Array[ctypes.c_void_p]:
    return (ctypes.c_void_p * max(1, len(tensors)))(*[t.data_ptr() for t in tensors])


class FusedFrameStep:
    """Top frames for a batch of clips by the C routine — up to `max_frames` per call, so that a call's cost (the
    interpreter's, the threads') is shared — over the same state as `FoldedFrameStep` (`frame`, whose `load` and
    `export_state` it shares). float32 arithmetic.

    threads: threads per frame (rows are split between them; with more threads than rows, they make all rows as a
    team), or PIPELINE; default: one per row up to the cores, fewer when a frame is too little work to share.
    team: with fewer rows than cores, let a team of every core or a two-thread pipeline make the frames whenever
    that runs faster here and now (`thread_choice`; all make the same samples).
    """

    def __init__(
        self,
        folded: FoldedSampleRNN,
        batch_size: int,
        library: ctypes.CDLL,
        threads: int | str | None = None,
        team: bool = False,
        max_frames: int = 1,
    ) -> None:
        if folded.dtype != torch.float32 or folded.device.type != "cpu":
            raise FusedUnavailableError("the fused step runs float32 arithmetic on a CPU only")
        self.frame = FoldedFrameStep(folded, batch_size)
        self.folded = folded
        self.batch_size = batch_size
        self.lookback = lookback = folded.config.lookback
        if threads is None:  # a thread per row up to the cores, where a frame's rows are worth a thread each
            config = folded.config
            per_row = config.lookback * (config.mlp_layers + 1 + 3 * config.rnn_layers * len(folded.tiers))
            threads = min(cpu_cores(), batch_size * per_row * config.dim * config.dim // _WORK_PER_THREAD)
        self.threads: int | str = threads if threads == PIPELINE else max(1, int(threads))
        cores = cpu_cores()
        teamed = team and batch_size < cores and isinstance(self.threads, int) and self.threads < cores
        self._choice = ThreadChoice((self.threads, cores, PIPELINE)) if teamed else None
        self._function = library.inspiration_fused_frame
        self._pipeline = library.inspiration_fused_pipeline
        self.max_frames = max(1, max_frames)
        self.frames = 1  # frames the next call makes (set_inputs)
        self.temperature = torch.ones(batch_size, self.max_frames * lookback)
        self.uniform = torch.full((batch_size, self.max_frames * lookback), 0.5)
        self.log_min_p = torch.full((batch_size,), -torch.inf)
        self.top_k = torch.zeros(batch_size, dtype=torch.long)
        self._made = torch.zeros(batch_size, self.max_frames * lookback, dtype=torch.long)
        keep: list[object] = []  # everything the C structure points at must live as long as it does

        def kept(t: Tensor) -> int:
            t = t.contiguous()
            keep.append(t)
            return t.data_ptr()

        def matrix(name: str, w_t: Tensor, b: Tensor) -> _Matrix:
            """A matrix (in, out) of the folded model with its bias, packed in the folded model's format."""
            if name in folded.int8:  # the codes and scales it stands for
                codes, scale = folded.int8[name]
                return _Matrix(kept(_packed(codes.t())), kept(_padded(scale)), kept(_padded(b)), FORMATS["int8"])
            if folded.weights == "bfloat16":  # already rounded: the cast is exact
                return _Matrix(kept(_packed(w_t).to(torch.bfloat16)), None, kept(_padded(b)), FORMATS["bfloat16"])
            return _Matrix(kept(_packed(w_t)), None, kept(_padded(b)), FORMATS["float32"])

        def matrices(items: list[_Matrix]) -> ctypes.Array[_Matrix]:
            array = (_Matrix * max(1, len(items)))(*items)
            keep.append(array)
            return array

        def array(tensors: list[Tensor]) -> ctypes.Array[ctypes.c_void_p]:
            tensors = [t.contiguous() for t in tensors]
            keep.extend(tensors)
            pointers = _pointers(tensors)
            keep.append(pointers)
            return pointers

        tiers = (_Tier * len(folded.tiers))()
        for i, (slot, tier, state) in enumerate(zip(tiers, folded.tiers, self.frame.state)):
            n = len(tier.layers)
            slot.frame_size, slot.ratio, slot.layers = tier.frame_size, tier.ratio, n
            slot.gates = 4 if tier.lstm else 3
            slot.expand_t, slot.expand_b = kept(tier.expand_w.t()), kept(tier.expand_b)
            slot.w_ih = matrices([matrix(f"tier{i}.ih{k}", w.t(), b) for k, (w, _, b, _) in enumerate(tier.layers)])
            slot.w_hh = matrices([matrix(f"tier{i}.hh{k}", w.t(), b) for k, (_, w, _, b) in enumerate(tier.layers)])
            slot.up = matrix(f"tier{i}.up", tier.up_w.t(), tier.up_b)
            slot.h = array(state[:n])  # the state buffers are contiguous: the C routine updates them in place
            slot.c = array(state[n:]) if tier.lstm else array(state[:n])
        keep.append(tiers)
        config = folded.config
        self._model = _Model(
            batch=batch_size,
            lookback=lookback,
            dim=config.dim,
            q_levels=config.q_levels,
            n_tiers=len(folded.tiers),
            n_hidden=len(folded.hidden),
            tiers=tiers,
            table=kept(folded.table),
            hidden=matrices([matrix("mlp", w, b) for w, b in folded.hidden]),
            out=matrix("mlp", *folded.output),
            codes=self.frame.codes.data_ptr(),
            frames=1,
            stride=self.max_frames * lookback,
            temperature=self.temperature.data_ptr(),
            uniform=self.uniform.data_ptr(),
            made=self._made.data_ptr(),
            log_min_p=self.log_min_p.data_ptr(),
            top_k=self.top_k.data_ptr(),
        )
        self._keep = keep

    def load(self, history: Tensor, state: State | None) -> None:
        """As `FoldedFrameStep.load`; codes outside 0 .. Q - 1 are refused (the routine indexes tables with them)."""
        if history.numel() and (int(history.min()) < 0 or int(history.max()) >= self.frame.folded.config.q_levels):
            raise ValueError("history codes must lie in 0 .. q_levels - 1")
        self.frame.load(history, state)

    def export_state(self) -> State:
        return self.frame.export_state()

    @property
    def codes(self) -> Tensor:
        """(B, 2L) int64: the last L codes, then the frame just made (as in `FoldedFrameStep`)."""
        return self.frame.codes

    @property
    def made(self) -> Tensor:
        """(B, frames * L) int64: the codes the last call made."""
        return self._made[:, : self.frames * self.lookback]

    def set_inputs(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> None:
        """Copy the next call's temperature and uniform numbers, each (B, k * L) for k frames (1 ≤ k ≤ max_frames),
        its min-p cut (B,) from `sampling.log_min_p` and its top-k (B,) int64 (None: no cut; top-k 0: none
        either), into the step's buffers."""
        columns = temperature.shape[-1]
        frames = columns // self.lookback
        if not 1 <= frames <= self.max_frames or columns % self.lookback or uniform.shape != temperature.shape:
            raise ValueError(f"inputs for 1 to {self.max_frames} whole frames of {self.lookback}, not {columns}")
        self.frames = frames
        self.temperature[:, :columns].copy_(temperature)
        self.uniform[:, :columns].copy_(uniform)
        if log_min_p is None:
            self.log_min_p.fill_(-torch.inf)
        else:
            self.log_min_p.copy_(log_min_p)
        if top_k is None:
            self.top_k.zero_()
        else:
            self.top_k.copy_(top_k)

    def __call__(self) -> None:
        """Generate the frames set up by `set_inputs` (the C routine releases the GIL while it runs)."""
        if self._choice is None:
            self._run(0, self.frames, self.threads)
            return
        done = 0
        while done < self.frames:  # a try of another option is one frame long
            count = 1 if self._choice.trying else self.frames - done
            started = time.perf_counter()
            self._run(done, count, self._choice.option)
            self._choice.record(time.perf_counter() - started, count)
            done += count

    def _run(self, first: int, count: int, option: Hashable) -> None:
        """Frames first .. first + count - 1 of the call's inputs, on `option` (threads, or PIPELINE)."""
        model, offset = self._model, first * self.lookback
        model.frames = count
        model.temperature = self.temperature.data_ptr() + offset * 4
        model.uniform = self.uniform.data_ptr() + offset * 4
        model.made = self._made.data_ptr() + offset * 8
        if option == PIPELINE:
            status = self._pipeline(ctypes.byref(model))
        else:
            status = self._function(ctypes.byref(model), option)
        if status != 0:
            raise MemoryError("out of memory in the fused frame step")


def _padded(b: Tensor) -> Tensor:
    """A bias (out,) padded with zeros to whole panels."""
    return torch.nn.functional.pad(b, (0, -len(b) % PANEL)).contiguous()


def _packed(w_t: Tensor) -> Tensor:
    """A matrix (in, out) as contiguous panels of PANEL columns, (panels, in, PANEL), zero-padded: the C routine
    then reads each panel straight through memory."""
    padded = torch.nn.functional.pad(w_t, (0, -w_t.shape[1] % PANEL))
    return padded.reshape(w_t.shape[0], -1, PANEL).permute(1, 0, 2).contiguous()


def cpu_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
