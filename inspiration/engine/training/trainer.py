"""The training loop: Adam with a scheduled learning rate, gradient clipping, TBPTT with carried state, a weight
average, validation, checkpoints, exact resume.

A run begins from random weights, or from trained ones copied into its folder (`runs.StartWeights`, fine-tuning).
It is killed and resumed without changing its result: the training state file holds the weights, optimiser,
random-generator states, data cursor, carried hidden state, weight average and learning-rate schedule of the last
checkpoint, written atomically, and nothing else in the loop draws random numbers. The weight average
(`averaging`), not the last step's weights, is what validation scores and what `best`, `last`, the milestones and
the previews hold; the raw weights live in the state file only. Progress goes out as events (`train_events`);
`should_stop` is polled every step and stops the run cleanly with a checkpoint. A run that ends by itself also
indexes the training audio for lineage (`inspiration.engine.lineage`), once per model.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from inspiration.engine.atomic import write_text_atomic
from inspiration.engine.audio.dataset import AudioDataset, load_dataset
from inspiration.engine.audio.files import write_audio
from inspiration.engine.errors import CheckpointError, InspirationError, TrainingDivergedError
from inspiration.engine.generation.stream import generate_eager
from inspiration.engine.limits import checked_int
from inspiration.engine.model.checkpoint import load_state_into, load_tensors, save_tensors, save_weights
from inspiration.engine.model.devices import autocast, describe_device, is_out_of_memory, resolve_device, uses_bf16
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.samplernn import SampleRNN, State, detach_state, parameter_count
from inspiration.engine.training.averaging import WeightAverage
from inspiration.engine.training.batches import TBPTTBatches
from inspiration.engine.training.distributed import DistContext
from inspiration.engine.training.evaluate import LN2, mean_bits, sequence_bits
from inspiration.engine.training.events import (
    CheckpointSaved,
    Finished,
    Notice,
    PreviewSaved,
    Started,
    StepDone,
    TrainEvent,
    Validated,
)
from inspiration.engine.training.runs import check_fits
from inspiration.engine.training.schedule import LRSchedule, new_schedule, resumed_schedule

STATE_FORMAT = "inspiration-train-state"
LOG_EVERY = 10  # steps per train_log.jsonl line


class Trainer:
    """Trains the model in a prepared model folder (see `runs.prepare_run`), resuming from its last checkpoint."""

    def __init__(
        self,
        folder: ModelFolder,
        device: str = "auto",
        max_seconds: float | None = None,
        on_event: Callable[[TrainEvent], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        dist: DistContext | None = None,
    ) -> None:
        self.folder = folder
        self.run_config = folder.read_config()
        self.config = self.run_config.train
        self.dist = dist or DistContext()
        self.device = self.dist.device_for(resolve_device(device))
        self.max_seconds = max_seconds
        self._emit = on_event or (lambda event: None)
        self._should_stop = should_stop or (lambda: False)

        check_fits(self.run_config.model, self.config)
        self.dataset: AudioDataset = load_dataset(folder.dataset_path)
        torch.manual_seed(self.config.seed)
        self.model = SampleRNN(self.run_config.model).to(self.device)
        self.resumed = folder.state_path.is_file()
        if not self.resumed and folder.start_path.is_file():  # `train --from`: trained weights, not random ones
            load_state_into(self.model, load_tensors(folder.start_path)[0], folder.start_path)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.config.learning_rate)
        self.average = WeightAverage(self.model, self.config.ema_decay) if self.config.ema_decay > 0 else None
        self.schedule: LRSchedule = new_schedule(self.config)
        self.learning_rate = self.config.learning_rate  # the rate of the latest step
        self.batches = TBPTTBatches(
            self.dataset.codes,
            self.dataset.train_segments(),
            batch_size=self.config.batch_size,
            seq_len=self.config.seq_len,
            lookback=self.model.lookback,
            chunks_per_window=self.config.chunks_per_window,
            seed=self.config.seed + 7919 * self.dist.rank,
            sample_rate=self.dataset.sample_rate,
        )
        self.val_sequences = validation_sequences(self.dataset, self.config.val_seconds)
        self.step = 0
        self.elapsed_before = 0.0
        self.best_val: float | None = None
        self.best_step: int | None = None
        self._validated_step = 0  # the newest step validated, or the step a session began at
        self.bad_steps = 0
        self._said_unscorable = False
        self.carry: State | None = None
        if self.dist.is_main:
            folder.remove_temporary_files()
        if self.resumed:
            self._load_state()
        self.net: torch.nn.Module = self.model
        if self.dist.enabled:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = DistributedDataParallel(self.model, device_ids=ids)

    @property
    def kept_model(self) -> SampleRNN:
        """The weights a run validates and keeps: the weight average, or the raw weights without one."""
        return self.average.model if self.average is not None else self.model

    # ----------------------------------------------------------------------------------------------------------
    def run(self) -> Finished:
        """Train until `steps` is reached, the time budget is spent or `should_stop` says so."""
        config = self.config
        self._emit(
            Started(
                step=self.step,
                total_steps=config.steps,
                device=describe_device(self.device) + (", bfloat16" if uses_bf16(self.device, config.bf16) else ""),
                parameters=parameter_count(self.model),
                train_seconds=sum(n for _, n in self.dataset.train_segments()) / self.dataset.sample_rate,
                val_seconds=sum(n for _, n in self.dataset.val_segments()) / self.dataset.sample_rate,
                resumed=self.resumed,
            )
        )
        if self.dist.is_main:  # lines past the resumed step belong to work that is redone now
            self._truncate_log(self.step)
        started = last_checkpoint = time.monotonic()
        self._validated_step = self.step
        speed = _Speed()
        window_bits: list[float] = []
        reason: str = "completed"
        while config.steps is None or self.step < config.steps:
            now = time.monotonic()
            *flags, seconds = self.dist.maximum(  # every rank takes the same decisions and learning rate
                float(self._should_stop()),
                float(self._seconds_left(now - started) <= 0),
                float(now - last_checkpoint >= config.checkpoint_minutes * 60),
                self.elapsed_before + now - started,
            )
            stop, out_of_time, checkpoint_due = (flag > 0 for flag in flags)
            if stop or out_of_time:
                reason = "cancelled" if stop else "time budget"
                break
            self._set_learning_rate(seconds)
            bits = self._train_step()
            self.step += 1
            speed.tick()
            elapsed = self.elapsed_before + time.monotonic() - started
            if bits is not None:
                window_bits.append(bits)
                self._emit(self._progress(bits, speed, elapsed, started))
            if self.dist.is_main and (self.step % LOG_EVERY == 0 or self.step == config.steps) and window_bits:
                self._log(
                    {
                        "step": self.step,
                        "elapsed": round(elapsed, 3),
                        "train_bits": float(np.mean(window_bits)),
                        "lr": float(f"{self.learning_rate:.4g}"),
                        "samples_per_second": round(speed.per_second * self._samples_per_step(), 1),
                    }
                )
                window_bits.clear()
            validated = self.step % config.val_every == 0 or self.step == config.steps
            if validated:
                self._validate(elapsed)
            milestone = config.milestone_every > 0 and self.step % config.milestone_every == 0
            if validated or milestone or checkpoint_due or self.step % config.checkpoint_every == 0:
                self._checkpoint(elapsed, milestone)
                last_checkpoint = time.monotonic()
            if config.preview_every > 0 and self.step % config.preview_every == 0:
                self._preview()
        elapsed = self.elapsed_before + time.monotonic() - started
        if reason == "time budget" and self._validated_step != self.step:
            self._validate(elapsed)  # the decay ends with the budget: `best` must see the weights it ends on
        self._checkpoint(elapsed, milestone=False)  # always: it also records the time spent, for --hours
        if self.dist.is_main and reason != "cancelled":  # a stop request wants the process gone, not more work
            self._index_lineage()
        finished = Finished(self.step, reason, self.best_val, elapsed)  # type: ignore[arg-type]
        self._emit(finished)
        return finished

    # ----------------------------------------------------------------------------------------------------------
    def _set_learning_rate(self, seconds: float) -> None:
        """The scheduled rate for the next step, after `seconds` of training over every session."""
        self.learning_rate = self.config.learning_rate * self.schedule.factor(self.step, seconds)
        for group in self.optimizer.param_groups:
            group["lr"] = self.learning_rate

    def _train_step(self) -> float | None:
        """One optimiser step on the next TBPTT chunk: bits/sample, or None when the step was skipped."""
        while True:
            try:
                return self._try_train_step()
            except RuntimeError as exc:  # GPU out of memory: halve the batch and say so
                if not is_out_of_memory(exc):
                    raise
                self._recover_from_oom()

    def _try_train_step(self) -> float | None:
        codes_np, reset = self.batches.next()
        if reset:
            self.carry = None
        codes = torch.from_numpy(codes_np.astype(np.int64)).to(self.device, non_blocking=True)
        lookback = self.model.lookback
        with autocast(self.device, self.config.bf16):
            logits, state = self.net(codes, self._state_for_step(codes.shape[0]))
        loss = self._loss(logits, codes[:, lookback:])
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip)
        if not (math.isfinite(float(norm)) and math.isfinite(float(loss.detach()))):
            self._skip_bad_step()
            return None
        self.optimizer.step()
        if self.average is not None:
            self.average.update(self.model)
        self.bad_steps = 0
        self._said_unscorable = False
        self.carry = detach_state(state)
        return float(loss.detach()) / LN2

    def _state_for_step(self, batch_size: int) -> State | None:
        """The carried state, or None (the learned initial state) at a window's start.

        Under DDP every parameter must take part in every step, so there the learned initial state is tied into
        the carried state with weight zero (its gradient is then zero, as it should be).
        """
        if self.carry is None or not self.dist.enabled:
            return self.carry
        initial = self.model.initial_state(batch_size)
        return [tuple(c + 0.0 * i for c, i in zip(carried, init)) for carried, init in zip(self.carry, initial)]

    def _loss(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy in nats: logits (B, T, Q), targets (B, T)."""
        return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1))

    def _index_lineage(self) -> None:
        """Index the training audio for lineage unless the folder's index already lists it (seconds per hour of
        audio, once per model; a stopped run leaves it to the first lineage query). A failure is only a notice."""
        from inspiration.engine.lineage.index import build_index, index_is_current

        try:
            if not index_is_current(self.folder):
                build_index(self.folder)
        except InspirationError as exc:
            self._emit(Notice(f"no lineage index: {exc}"))

    def _skip_bad_step(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        self.carry = None
        self.batches.restart(self.batches.batch_size)
        self.bad_steps += 1
        limit = self.config.max_bad_steps
        if self.bad_steps >= limit:
            raise TrainingDivergedError(
                f"the loss was not finite for {limit} steps in a row at step {self.step}; training stopped. "
                f"The last good checkpoint is kept in {self.folder.path}; try a lower learning rate."
            )
        step = self.step + 1
        self._emit(Notice(f"step {step}: non-finite loss or gradient, step skipped ({self.bad_steps}/{limit})"))

    def _recover_from_oom(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        self.carry = None
        torch.cuda.empty_cache()
        batch = self.batches.batch_size
        if batch <= 1 or self.dist.enabled:
            fit = "a shorter --seq-len" if batch <= 1 else f"--batch {max(1, batch // 2)}"
            raise InspirationError(
                f"the GPU ran out of memory at batch {batch} × {self.config.seq_len} samples; try {fit} "
                "or a smaller preset"
            )
        self.batches.restart(batch // 2)
        # config.json keeps the smaller batch, so a resumed run does not run out of memory again
        self.run_config = replace(self.run_config, train=replace(self.config, batch_size=batch // 2))
        self.config = self.run_config.train
        self.folder.write_config(self.run_config)
        self._emit(Notice(f"GPU out of memory at batch {batch}; continuing with batch {batch // 2} (saved)"))

    def _seconds_left(self, this_session: float) -> float:
        """Time left under the run's total `hours` and this session's `max_seconds` (inf without either)."""
        left = math.inf
        if self.config.hours is not None:
            left = self.config.hours * 3600 - (self.elapsed_before + this_session)
        if self.max_seconds is not None:
            left = min(left, self.max_seconds - this_session)
        return left

    def _progress(self, bits: float, speed: _Speed, elapsed: float, started: float) -> StepDone:
        steps = self.config.steps
        remaining = math.inf
        if steps is not None and speed.per_second > 0:
            remaining = (steps - self.step) / speed.per_second
        remaining = min(remaining, max(0.0, self._seconds_left(time.monotonic() - started)))
        return StepDone(
            self.step,
            self.config.steps,
            bits,
            speed.per_second,
            speed.per_second * self._samples_per_step(),
            remaining,
            elapsed,
            self.learning_rate,
        )

    def _samples_per_step(self) -> int:
        return self.batches.batch_size * self.config.seq_len * self.dist.world_size

    # ----------------------------------------------------------------------------------------------------------
    def _validate(self, elapsed: float) -> None:
        self._validated_step = self.step
        if not self.dist.is_main or not self.val_sequences:
            return
        rows = max(1, self.batches.batch_size)
        while True:
            try:
                results = sequence_bits(
                    self.kept_model,
                    self.val_sequences,
                    chunk_len=4 * self.config.seq_len,
                    batch_size=rows,
                    bf16=self.config.bf16,
                )
                break
            except RuntimeError as exc:  # GPU out of memory: score fewer sequences at a time
                if not is_out_of_memory(exc) or rows == 1:
                    raise
                torch.cuda.empty_cache()
                rows //= 2
        val_bits = mean_bits(results)
        if not math.isfinite(val_bits):
            self._unscorable(elapsed)
            return
        best = math.isfinite(val_bits) and (self.best_val is None or val_bits < self.best_val)
        if best:
            self.best_val, self.best_step = val_bits, self.step
            self._save_weights(self.folder.best_path, val_bits=val_bits)
        self._log({"step": self.step, "elapsed": round(elapsed, 3), "val_bits": val_bits})
        self._emit(Validated(self.step, val_bits, best))
        if best:
            self._emit(CheckpointSaved(self.step, self.folder.best_path, "best"))

    def _unscorable(self, elapsed: float) -> None:
        """Validation scored nothing (every held-out stretch is shorter than the model's top frame): say so once,
        log no number, and keep the newest weights as `best` so that generation has a checkpoint to use."""
        if not self._said_unscorable:
            self._said_unscorable = True
            self._emit(
                Notice(
                    "validation cannot be computed: the held-out end of every file is shorter than the model's "
                    f"{self.model.lookback}-sample frame; best.safetensors keeps the newest weights instead"
                )
            )
        self._save_weights(self.folder.best_path)
        self._log({"step": self.step, "elapsed": round(elapsed, 3), "val_bits": None})
        self._emit(CheckpointSaved(self.step, self.folder.best_path, "best"))

    def _preview(self) -> None:
        if not self.dist.is_main:
            return
        rate = self.dataset.sample_rate
        try:
            frames = max(1, int(self.config.preview_seconds * rate))
            audio = generate_eager(self.kept_model, frames, 1.0, seed=self.step)
        except RuntimeError as exc:
            if not is_out_of_memory(exc):
                raise
            torch.cuda.empty_cache()
            self._emit(Notice(f"step {self.step}: no preview, the GPU is out of memory"))
            return
        path = write_audio(self.folder.preview_path(self.step), audio[0], rate, subtype="PCM_16")
        self._emit(PreviewSaved(self.step, path))

    def _checkpoint(self, elapsed: float, milestone: bool) -> None:
        """Write the training state, then last (and a milestone); every file atomically."""
        per_rank = self.dist.gather({"cursor": self.batches.state_dict(), "carry": _carry_to_cpu(self.carry)})
        if not self.dist.is_main:
            return
        tensors: dict[str, torch.Tensor] = {f"model.{k}": v for k, v in self.model.state_dict().items()}
        optim = self.optimizer.state_dict()
        extra: dict[str, dict[str, Any]] = {}
        for index, values in optim["state"].items():
            for key, value in values.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"optim.{index}.{key}"] = value
                else:
                    extra.setdefault(str(index), {})[key] = value
        for rank, part in enumerate(per_rank):
            for tier, tier_state in enumerate(part["carry"] or []):
                for k, tensor in enumerate(tier_state):
                    tensors[f"carry.{rank}.{tier}.{k}"] = tensor
        if self.average is not None:
            tensors.update({f"ema.{k}": v for k, v in self.average.model.state_dict().items()})
        tensors["rng.torch"] = torch.get_rng_state()
        metadata = {
            "format": STATE_FORMAT,
            "step": self.step,
            "elapsed_seconds": elapsed,
            "best_val_bits": self.best_val,
            "best_step": self.best_step,
            "bad_steps": self.bad_steps,
            "world_size": self.dist.world_size,
            "cursors": [part["cursor"] for part in per_rank],
            "has_carry": [part["carry"] is not None for part in per_rank],
            "param_groups": optim["param_groups"],
            "optim_extra": extra,
            "schedule": self.schedule.to_dict(),
            "ema_updates": None if self.average is None else self.average.updates,
        }
        save_tensors(self.folder.state_path, tensors, metadata)
        self._save_weights(self.folder.last_path, elapsed_seconds=elapsed)
        self._emit(CheckpointSaved(self.step, self.folder.last_path, "last"))
        if milestone:
            path = self.folder.milestone_path(self.step)
            self._save_weights(path, elapsed_seconds=elapsed)
            self.folder.prune_milestones(self.config.keep_milestones)
            self._emit(CheckpointSaved(self.step, path, "milestone"))

    def _save_weights(self, path: Path, **extra: Any) -> None:
        """Write the kept weights (the average, when the run keeps one) with their step and how they were made."""
        if self.average is not None:
            extra["ema_decay"] = self.average.decay
        save_weights(path, self.kept_model, self.step, **extra)

    def _load_state(self) -> None:
        tensors, meta = load_tensors(self.folder.state_path)
        if meta.get("format") != STATE_FORMAT:
            raise CheckpointError(f"{self.folder.state_path} is not a training state file")
        load_state_into(
            self.model, {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, self.folder.state_path
        )
        optim_state: dict[int, dict[str, Any]] = {}
        for name, tensor in tensors.items():
            if name.startswith("optim."):
                _, index, key = name.split(".", 2)
                optim_state.setdefault(int(index), {})[key] = tensor.to(self.device) if key != "step" else tensor
        for index, values in meta.get("optim_extra", {}).items():
            optim_state.setdefault(int(index), {}).update(values)
        self.optimizer.load_state_dict({"state": optim_state, "param_groups": meta["param_groups"]})
        torch.set_rng_state(tensors["rng.torch"])
        self.step = int(meta["step"])
        self.elapsed_before = float(meta["elapsed_seconds"])
        self._load_average(tensors, meta)
        try:  # a state saved before schedules (or averages) existed continues without a warm-up (or averaging anew)
            saved = LRSchedule.from_dict(meta["schedule"]) if "schedule" in meta else None
        except ValueError as exc:
            raise CheckpointError(f"{self.folder.state_path} has a damaged learning-rate schedule: {exc}") from exc
        self.schedule = resumed_schedule(saved, self.config, self.step, self.elapsed_before)
        if saved is None:
            self._emit(
                Notice(
                    "this run was saved before learning-rate schedules: from here the rate decays to the end of its "
                    "budget, and the weight average starts from the current weights"
                )
            )
        elif self.schedule != saved:
            self._emit(Notice("the training budget changed: the learning rate decays from where it is to the new end"))
        self.best_val, self.best_step = meta.get("best_val_bits"), meta.get("best_step")
        self.bad_steps = int(meta.get("bad_steps", 0))
        rank = self.dist.rank
        if int(meta.get("world_size", 1)) != self.dist.world_size:
            self._emit(Notice("resumed with a different number of processes: the data order starts afresh"))
            return
        if not self.batches.load_state_dict(meta["cursors"][rank]):
            self._emit(Notice("the batch or sequence size changed: training continues on fresh windows"))
            return
        if meta["has_carry"][rank]:
            tiers: dict[int, dict[int, torch.Tensor]] = {}
            for name, tensor in tensors.items():
                if name.startswith(f"carry.{rank}."):
                    _, _, tier, k = name.split(".")
                    tiers.setdefault(int(tier), {})[int(k)] = tensor.to(self.device)
            self.carry = [tuple(t[k] for k in sorted(t)) for _, t in sorted(tiers.items())]

    def _load_average(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        """The saved weight average, or a new one from the current weights when the state has none."""
        if self.average is None:
            return
        saved = {k[4:]: v for k, v in tensors.items() if k.startswith("ema.")}
        updates = meta.get("ema_updates")
        if not saved or updates is None:
            self.average.restart_from(self.model)
            return
        load_state_into(self.average.model, saved, self.folder.state_path)
        try:
            self.average.updates = checked_int(updates, "ema_updates", 0, 10**12)
        except ValueError as exc:
            raise CheckpointError(f"{self.folder.state_path}: {exc}") from exc

    # ----------------------------------------------------------------------------------------------------------
    def _log(self, record: dict[str, Any]) -> None:
        with open(self.folder.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")

    def _truncate_log(self, step: int) -> None:
        """Drop log lines past the resumed step: they belong to work that is being redone."""
        kept = [r for r in self.folder.read_log() if int(r.get("step", 0)) <= step]
        write_text_atomic(self.folder.log_path, "".join(json.dumps(r) + "\n" for r in kept))


def validation_sequences(dataset: AudioDataset, max_seconds: float) -> list[np.ndarray]:
    """The held-out part of each file, each cut to an equal share of `max_seconds` (deterministic)."""
    segments = dataset.val_segments()
    if not segments:
        return []
    share = max(1, int(max_seconds * dataset.sample_rate / len(segments)))
    return [dataset.codes[offset : offset + min(length, share)] for offset, length in segments]


def _carry_to_cpu(carry: State | None) -> list[tuple[torch.Tensor, ...]] | None:
    return None if carry is None else [tuple(t.detach().cpu() for t in tier) for tier in carry]


class _Speed:
    """Steps per second, smoothed over recent steps."""

    def __init__(self) -> None:
        self._last = time.monotonic()
        self.per_second = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        rate = 1.0 / max(now - self._last, 1e-9)
        self._last = now
        self.per_second = rate if self.per_second == 0.0 else 0.9 * self.per_second + 0.1 * rate
