"""SampleRNN: a hierarchy of RNN tiers over frames of past samples, and an MLP that predicts each sample.

Tiers run from slow to fast. Frame tier k reads non-overlapping frames of `frame_sizes[k]` past samples, runs an RNN
once per frame and upsamples its output into one conditioning vector per frame of the tier below (the last frame tier
produces one vector per sample). The sample-level MLP embeds the last `frame_sizes[-1]` samples, adds the
conditioning vector and outputs logits over the `q_levels` quantisation codes of the next sample.

Shapes: B batch, T target samples (a multiple of the top frame size), L = lookback = top frame size, Q levels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import weight_norm as _weight_norm

from inspiration.engine.model.config import ModelConfig, RNNType

TierState = tuple[Tensor, ...]  # (h,) for a GRU, (h, c) for an LSTM; each (layers, B, dim)
State = list[TierState]  # one entry per frame tier, top first


def codes_to_input(codes: Tensor, q_levels: int) -> Tensor:
    """Integer codes -> float RNN input, scaled to [-2, 2) as in the SampleRNN paper."""
    return (codes.float() / (q_levels / 2) - 1.0) * 2.0


class FrameTier(nn.Module):
    """One frame-level tier: expand each frame, add conditioning from above, run the RNN, upsample."""

    def __init__(self, frame_size: int, upsample_ratio: int, config: ModelConfig) -> None:
        super().__init__()
        self.frame_size = frame_size
        self.upsample_ratio = upsample_ratio
        self.dim = config.dim
        wn = _weight_norm if config.weight_norm else (lambda m: m)
        self.expand = wn(nn.Linear(frame_size, config.dim))
        rnn_class = nn.GRU if config.rnn_type == "gru" else nn.LSTM
        self.rnn = rnn_class(config.dim, config.dim, num_layers=config.rnn_layers, batch_first=True)
        self.upsample = wn(nn.Linear(config.dim, upsample_ratio * config.dim))
        n_states = 1 if config.rnn_type == "gru" else 2
        shape = (config.rnn_layers, 1, config.dim)
        self.initial = nn.ParameterList(
            [nn.Parameter(torch.zeros(shape), requires_grad=config.learn_initial_state) for _ in range(n_states)]
        )
        self._init_rnn(config.rnn_type)

    def _init_rnn(self, rnn_type: RNNType) -> None:
        gates = 3 if rnn_type == "gru" else 4
        for name, param in self.rnn.named_parameters():
            if name.startswith("weight_hh"):
                for block in param.data.chunk(gates, dim=0):
                    nn.init.orthogonal_(block)
            elif name.startswith("bias"):
                nn.init.zeros_(param)

    def initial_state(self, batch_size: int) -> TierState:
        """The learned (or zero) initial state for `batch_size` rows: tuple of (layers, B, dim)."""
        return tuple(p.expand(-1, batch_size, -1).contiguous() for p in self.initial)

    def forward(self, frames: Tensor, conditioning: Tensor | None, state: TierState) -> tuple[Tensor, TierState]:
        """frames (B, N, frame_size) float, conditioning (B, N, dim) or None -> ((B, N * ratio, dim), state)."""
        x = self.expand(frames)
        if conditioning is not None:
            x = x + conditioning
        hidden = state[0] if len(state) == 1 else state
        out, new_hidden = self.rnn(x, hidden)
        new_state: TierState = (new_hidden,) if isinstance(new_hidden, Tensor) else tuple(new_hidden)
        batch, steps, _ = out.shape
        up = self.upsample(out).reshape(batch, steps * self.upsample_ratio, self.dim)
        return up, new_state


#: On a CPU, the sample MLP's first layer is computed by table lookup (see `SampleTier.first_layer`) when a call has
#: at least this many samples per quantisation level and the table has at most this many entries (64 MB).
TABLE_SAMPLES_PER_LEVEL = 4
TABLE_MAX_ENTRIES = 2**24


class SampleTier(nn.Module):
    """The sample-level MLP: embed the last `frame_size` samples, add conditioning, predict the next sample.

    The first layer is a convolution over the embedded sequence with kernel `frame_size`, so training runs it for
    every position at once; it is linear in one-hot inputs, so it can be a lookup table (see `first_layer`).
    """

    def __init__(self, frame_size: int, config: ModelConfig) -> None:
        super().__init__()
        self.frame_size = frame_size
        wn = _weight_norm if config.weight_norm else (lambda m: m)
        self.embedding = nn.Embedding(config.q_levels, config.embedding_dim)
        self.input = wn(nn.Conv1d(config.embedding_dim, config.dim, kernel_size=frame_size))
        self.hidden = nn.ModuleList([wn(nn.Linear(config.dim, config.dim)) for _ in range(config.mlp_layers - 1)])
        self.output = wn(nn.Linear(config.dim, config.q_levels))

    def linear_layers(self) -> list[nn.Linear]:
        """The hidden layers (typed view of `hidden`)."""
        return [cast(nn.Linear, layer) for layer in self.hidden]

    def forward(self, previous: Tensor, conditioning: Tensor) -> Tensor:
        """previous (B, frame_size - 1 + T) codes, conditioning (B, T, dim) -> logits (B, T, Q).

        Output t is predicted from previous[:, t : t + frame_size].
        """
        x = torch.relu(self.first_layer(previous) + conditioning)  # (B, T, dim)
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.output(x)

    def first_layer(self, previous: Tensor) -> Tensor:
        """previous (B, frame_size - 1 + T) codes -> the first layer's output (B, T, dim), conditioning not added.

        A code c at place k of a window adds the same vector to the output wherever it is: row (k, c) of a table,
        embedding(c) through the kernel's slice k. Building the table costs frame_size × Q × E × dim multiplications
        per call, the convolution that much per sample; so on a CPU, with many samples per level (training,
        validation), the layer sums frame_size table rows per sample instead: the same function and gradients, and
        a training step about 1.5 times faster. Other devices, and few samples, take the convolution.
        """
        batch, width = previous.shape
        steps, size, levels = width - self.frame_size + 1, self.frame_size, self.embedding.num_embeddings
        dim = self.input.out_channels
        if (
            previous.device.type != "cpu"
            or batch * steps < TABLE_SAMPLES_PER_LEVEL * levels
            or size * levels * dim > TABLE_MAX_ENTRIES
        ):
            return self.convolved(previous)
        return self.looked_up(previous)

    def convolved(self, previous: Tensor) -> Tensor:
        """`first_layer` as the convolution over the embedded codes."""
        embedded = self.embedding(previous).transpose(1, 2)  # (B, E, frame_size - 1 + T)
        return self.input(embedded).transpose(1, 2)

    def looked_up(self, previous: Tensor) -> Tensor:
        """`first_layer` as a sum of table rows, one per place in each window."""
        batch, width = previous.shape
        size, levels = self.frame_size, self.embedding.num_embeddings
        # (size × levels, dim): row k × levels + c is code c at place k through the weight-normed kernel
        table = torch.einsum("qe,dek->kqd", self.embedding.weight, self.input.weight).reshape(size * levels, -1)
        places = torch.arange(size, device=previous.device) * levels
        rows = (previous.unfold(1, size, 1) + places).reshape(-1, size)  # (B × T, size): one bag per sample
        summed = F.embedding_bag(rows, table, mode="sum") + self.input.bias
        return summed.view(batch, width - size + 1, -1)


class SampleRNN(nn.Module):
    """An n-tier SampleRNN built from a ModelConfig."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        sizes = config.frame_sizes
        below = list(sizes[1:]) + [1]
        self.frame_tiers = nn.ModuleList([FrameTier(f, f // b, config) for f, b in zip(sizes, below)])
        self.sample_tier = SampleTier(sizes[-1], config)

    @property
    def lookback(self) -> int:
        return self.config.lookback

    @property
    def tiers(self) -> list[FrameTier]:
        """The frame tiers, top first (typed view of `frame_tiers`)."""
        return [cast(FrameTier, tier) for tier in self.frame_tiers]

    def initial_state(self, batch_size: int) -> State:
        """The starting hidden state of every frame tier for `batch_size` rows."""
        return [tier.initial_state(batch_size) for tier in self.tiers]

    def forward(self, codes: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """Teacher-forced pass. codes (B, L + T) -> logits (B, T, Q) for codes[:, L:], and the state after them.

        T must be a multiple of L. `state` None starts from the initial state.
        """
        batch, total = codes.shape
        lookback = self.lookback
        steps = total - lookback
        if steps <= 0 or steps % lookback:
            raise ValueError(f"codes must hold {lookback} context samples plus a multiple of {lookback}, not {total}")
        state = self.initial_state(batch) if state is None else state
        x = codes_to_input(codes, self.config.q_levels)
        conditioning: Tensor | None = None
        new_state: State = []
        for tier, tier_state in zip(self.tiers, state):
            f = tier.frame_size
            frames = x[:, lookback - f : lookback - f + steps].reshape(batch, steps // f, f)
            conditioning, s = tier(frames, conditioning, tier_state)
            new_state.append(s)
        f = self.sample_tier.frame_size
        assert conditioning is not None
        logits = self.sample_tier(codes[:, lookback - f : total - 1], conditioning)
        return logits, new_state

    @torch.no_grad()
    def generate_frame(
        self, history: Tensor, state: State, sample: Callable[[Tensor, int], Tensor]
    ) -> tuple[Tensor, State]:
        """Generate one top frame (L samples) autoregressively: the plain, eager reference loop.

        history (B, L) codes: the last L samples. `sample(logits (B, Q), t)` picks codes (B,) for the frame's t-th
        sample (t in 0..L-1). Returns the new codes (B, L) and the state after them.
        """
        batch = history.shape[0]
        lookback = self.lookback
        q = self.config.q_levels
        sizes = self.config.frame_sizes
        buffer = torch.cat([history, history.new_zeros(batch, lookback)], dim=1)  # (B, 2L)
        conditioning: list[Tensor] = [history.new_zeros(0)] * len(sizes)
        new_state = list(state)
        for t in range(lookback):
            for i, (tier, f) in enumerate(zip(self.tiers, sizes)):
                if t % f:
                    continue
                frame = codes_to_input(buffer[:, lookback + t - f : lookback + t], q).unsqueeze(1)  # (B, 1, f)
                above = None if i == 0 else conditioning[i - 1][:, (t % sizes[i - 1]) // f].unsqueeze(1)
                conditioning[i], new_state[i] = tier(frame, above, new_state[i])
            f = sizes[-1]
            cond = conditioning[-1][:, t % f].unsqueeze(1)  # (B, 1, dim)
            logits = self.sample_tier(buffer[:, lookback + t - f : lookback + t], cond)[:, 0]  # (B, Q)
            buffer[:, lookback + t] = sample(logits, t)
        return buffer[:, lookback:], new_state


def detach_state(state: State) -> State:
    """Cut the graph between TBPTT chunks."""
    return [tuple(t.detach() for t in tier) for tier in state]


def parameter_count(model: nn.Module) -> int:
    """Number of trainable values."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
