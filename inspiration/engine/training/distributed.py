"""Data-parallel training across processes started by `torchrun` (NCCL on GPUs, gloo on CPUs).

Every process trains on its own random windows; gradients are averaged by DistributedDataParallel; only rank 0
writes files. Decisions that must agree (stop, checkpoint now) are reduced across ranks.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistContext:
    """This process's place in the job: rank 0 of 1 when not distributed."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls) -> DistContext:
        """Read the variables torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls()
        return cls(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))

    def device_for(self, device: torch.device) -> torch.device:
        """Each rank takes its own GPU; CPU ranks share the CPU."""
        return torch.device("cuda", self.local_rank) if device.type == "cuda" and self.enabled else device

    def start(self, device: torch.device) -> None:
        """Join the process group (no-op when not distributed)."""
        if self.enabled and not dist.is_initialized():
            if device.type == "cuda":
                torch.cuda.set_device(self.local_rank)
            backend = "nccl" if device.type == "cuda" else "gloo"
            dist.init_process_group(backend, timeout=timedelta(minutes=30))

    def stop(self) -> None:
        """Leave the process group. What still holds it (a DistributedDataParallel wrapper, freed only by the cycle
        collector) is collected first, so its threads are joined here, not torn down at exit (an abort)."""
        if self.enabled and dist.is_initialized():
            gc.collect()
            dist.destroy_process_group()

    def maximum(self, *values: float) -> list[float]:
        """For each value, its largest over the ranks (one all-reduce for them all)."""
        if not self.enabled:
            return list(values)
        on_gpu = dist.get_backend() == "nccl"
        device = torch.device("cuda", torch.cuda.current_device()) if on_gpu else torch.device("cpu")
        tensor = torch.tensor(values, dtype=torch.float64, device=device)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return [float(v) for v in tensor.tolist()]

    def gather(self, obj: Any) -> list[Any]:
        """Every rank's `obj`, in rank order (on every rank)."""
        if not self.enabled:
            return [obj]
        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()
