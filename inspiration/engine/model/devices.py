"""Choosing the compute device and mixed precision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from inspiration.engine.errors import InspirationError


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' -> the first CUDA GPU if present, else the CPU; 'cpu', 'cuda', 'cuda:1', 'mps' are checked."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise InspirationError(f"unknown device {name!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InspirationError("CUDA was asked for but this torch build or machine has no CUDA GPU")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InspirationError(f"{name} does not exist: this machine has {torch.cuda.device_count()} GPU(s)")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InspirationError("MPS was asked for but is not available on this machine")
    return device


def usable_devices() -> list[tuple[str, str]]:
    """(name for `resolve_device`, label for a musician) of every device this torch build can train on here: the
    CPU, each CUDA GPU, Apple's GPU."""
    devices = [("cpu", "CPU")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            devices.append((f"cuda:{index}", f"GPU {index}: {props.name} ({props.total_memory / 2**30:.0f} GB)"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(("mps", "Apple GPU (MPS)"))
    return devices


def describe_device(device: torch.device) -> str:
    """'cpu (8 threads)' or 'cuda:0 (NVIDIA H100, 80 GB)'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        return f"cuda:{index} ({props.name}, {props.total_memory / 2**30:.0f} GB)"
    if device.type == "cpu":
        threads = torch.get_num_threads()
        return f"cpu ({threads} thread{'s' if threads != 1 else ''})"
    return str(device)


#: torch.cpu's probes of bfloat16 matrix hardware (private; a torch without one counts as lacking it).
_NATIVE_BF16_PROBES = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")


def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX): there, bfloat16 matrix
    products run 2-3x faster than float32 ones; elsewhere they are emulated, and slower."""
    return any(bool(getattr(torch.cpu, probe, lambda: False)()) for probe in _NATIVE_BF16_PROBES)


def uses_bf16(device: torch.device, bf16: bool) -> bool:
    """Whether `autocast(device, bf16)` computes in bfloat16: on CUDA, and on a CPU with native bfloat16."""
    return bf16 and (device.type == "cuda" or (device.type == "cpu" and cpu_has_native_bf16()))


@contextlib.contextmanager
def autocast(device: torch.device, bf16: bool) -> Iterator[None]:
    """bfloat16 autocast when asked for, on CUDA and on a CPU with native bfloat16 (see `uses_bf16`): matrix
    products in bfloat16, the weights, the recurrent cell and the loss in float32. Full precision elsewhere."""
    if uses_bf16(device, bf16):
        with torch.autocast(device.type, dtype=torch.bfloat16):
            yield
    else:
        yield


def is_out_of_memory(exc: BaseException) -> bool:
    """True for a GPU (or MPS) out-of-memory error."""
    return isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(exc).lower()
