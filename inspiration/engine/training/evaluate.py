"""Negative log-likelihood of audio under a model, in bits per sample.

Audio is scored at a `ScoringLevel`: by default the model's training level (the gain that normalised its training
files, recorded with the dataset), so an excerpt scores as it would inside the file it was cut from; models trained
before that was recorded fall back to peak-normalising each file on its own, as training normalises a whole file.
Sequences are scored in parallel rows, each in chunks with the hidden state carried across its chunks, exactly as
the model would hear the audio from its start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from inspiration.engine.audio.dataset import recorded_gain_db
from inspiration.engine.audio.encode import PEAK_TARGET, db_to_gain, encode_signal
from inspiration.engine.audio.files import remove_dc
from inspiration.engine.audio.quantize import Scheme
from inspiration.engine.limits import MAX_GAIN_DB, MIN_GAIN_DB
from inspiration.engine.model.devices import autocast
from inspiration.engine.model.samplernn import SampleRNN

LN2 = math.log(2.0)

LevelSource = Literal["training", "peak", "gain", "as-is"]


@dataclass(frozen=True)
class ScoringLevel:
    """How audio is scaled before it is quantised and scored (DC is always removed, as in training).

    source "training": by the model's training gain; "peak": each file peak-normalised on its own (models that record
    no training gain); "gain": by a gain the user chose; "as-is": not at all. gain_db is None only for "peak".
    """

    source: LevelSource
    gain_db: float | None

    def describe(self) -> str:
        """One line for the output, saying which level was used."""
        if self.source == "training":
            gain = f"{self.gain_db:+.2f} dB"
            return f"the model's training level ({gain}, the median gain that normalised its training files)"
        if self.source == "peak":
            return (
                f"each file peak-normalised to {PEAK_TARGET} on its own (the model records no training level; "
                "--gain or --as-is choose one)"
            )
        if self.source == "gain":
            return f"--gain {self.gain_db:+.2f} dB"
        return "as is (no gain)"

    def encode(self, signal: np.ndarray, q_levels: int, scheme: Scheme) -> tuple[np.ndarray, int]:
        """Mono audio at the model rate (frames,) -> (codes, how many samples the gain took past full scale)."""
        gain = None if self.gain_db is None else db_to_gain(self.gain_db)
        clipped = 0 if gain is None else int(np.count_nonzero(np.abs(remove_dc(signal)) * gain > 1.0))
        return encode_signal(signal, q_levels, scheme, gain), clipped


def scoring_level(data: Mapping[str, object], gain_db: float | None = None, as_is: bool = False) -> ScoringLevel:
    """The level to score at: `as_is`, else `gain_db` when given, else the training level the model's data summary
    (config.json's "data") records, else each file's own peak normalisation."""
    if as_is:
        return ScoringLevel("as-is", 0.0)
    if gain_db is not None:
        if not (math.isfinite(gain_db) and MIN_GAIN_DB <= gain_db <= MAX_GAIN_DB):
            raise ValueError(f"the gain must be from {MIN_GAIN_DB:g} to {MAX_GAIN_DB:g} dB, not {gain_db}")
        return ScoringLevel("gain", float(gain_db))
    recorded = recorded_gain_db(data)
    return ScoringLevel("peak", None) if recorded is None else ScoringLevel("training", recorded)


@torch.no_grad()
def sequence_bits(
    model: SampleRNN,
    sequences: list[np.ndarray],
    chunk_len: int = 1024,
    batch_size: int = 16,
    bf16: bool = False,
) -> list[tuple[float, int]]:
    """For each code sequence (T_i,): (total bits, samples scored). The first `lookback` samples are context only.

    Sequences shorter than lookback + one frame score (0.0, 0).
    """
    lookback = model.lookback
    device = next(model.parameters()).device
    chunk_len = max(lookback, chunk_len // lookback * lookback)
    results: list[tuple[float, int]] = [(0.0, 0)] * len(sequences)
    scored = [i for i, s in enumerate(sequences) if len(s) >= 2 * lookback]
    scored.sort(key=lambda i: len(sequences[i]))  # similar lengths share a batch: less padding
    for begin in range(0, len(scored), batch_size):
        rows = scored[begin : begin + batch_size]
        targets = [(len(sequences[i]) - lookback) // lookback * lookback for i in rows]
        width = lookback + max(targets)
        codes = np.full((len(rows), width), model.config.q_levels // 2, dtype=np.int64)
        mask = np.zeros((len(rows), width - lookback), dtype=bool)
        for r, (i, n) in enumerate(zip(rows, targets)):
            codes[r, : lookback + n] = sequences[i][: lookback + n]
            mask[r, :n] = True
        codes_t = torch.from_numpy(codes).to(device)
        mask_t = torch.from_numpy(mask).to(device)
        totals = torch.zeros(len(rows), dtype=torch.float64, device=device)
        state = None
        for start in range(0, width - lookback, chunk_len):
            stop = min(start + chunk_len, width - lookback)
            with autocast(device, bf16):
                logits, state = model(codes_t[:, start : lookback + stop], state)
            nats = F.cross_entropy(
                logits.float().transpose(1, 2), codes_t[:, lookback + start : lookback + stop], reduction="none"
            )
            totals += (nats * mask_t[:, start:stop]).sum(dim=1, dtype=torch.float64)
        for r, (i, n) in enumerate(zip(rows, targets)):
            results[i] = (float(totals[r]) / LN2, n)
    return results


def mean_bits(results: list[tuple[float, int]]) -> float:
    """Bits per sample over all scored samples (NaN when nothing was scored)."""
    bits = sum(b for b, _ in results)
    count = sum(n for _, n in results)
    return bits / count if count else float("nan")
