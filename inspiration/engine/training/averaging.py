"""An exponential moving average of a model's weights, the weights a run validates, keeps as `best` and generates with.

After each optimiser step, average ← decay_n · average + (1 − decay_n) · weights, with decay_n = min(decay,
(1 + n) / (10 + n)) after n updates: early on the average follows the weights closely (its first values would
otherwise be dominated by the random initial weights), later it spans about 1 / (1 − decay) steps. Averaged
weights predict better and sample cleaner than the last step's (Polyak averaging), for no extra training.
The average is a second model of the same config, so it validates, generates and saves like any other.
"""

from __future__ import annotations

import copy

import torch

from inspiration.engine.model.samplernn import SampleRNN


class WeightAverage:
    """The running average of `model`'s parameters (buffers are copied), starting from its current weights."""

    def __init__(self, model: SampleRNN, decay: float) -> None:
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model)
        self.model.requires_grad_(False)
        self.model.eval()

    def weight(self) -> float:
        """This update's decay (the share the average keeps)."""
        return min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))

    @torch.no_grad()
    def update(self, model: SampleRNN) -> None:
        """Fold `model`'s current weights into the average."""
        keep = self.weight()
        averaged: list[torch.Tensor] = list(self.model.parameters())
        current = [p.detach() for p in model.parameters()]
        torch._foreach_lerp_(averaged, current, 1.0 - keep)
        for mine, theirs in zip(self.model.buffers(), model.buffers()):
            mine.copy_(theirs)
        self.updates += 1

    @torch.no_grad()
    def restart_from(self, model: SampleRNN) -> None:
        """Start over from `model`'s current weights (a run saved without an average)."""
        self.model.load_state_dict(model.state_dict())
        self.updates = 0
