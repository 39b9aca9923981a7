"""The fast inference form of a SampleRNN: plain weights, folded layers, one in-place top-frame step.

Folding, done once when generation starts:
- weight normalisation is applied and dropped (plain matrices);
- the codes -> [-2, 2) input scaling is folded into each frame tier's input layer;
- the sample-level MLP's first layer is linear in its one-hot inputs, so the embedding and that layer become one
  lookup table of shape (frame_size * Q, dim): the layer's output is a sum of `frame_size` table rows
  (`embedding_bag`), no matrix product per sample; its bias is folded into the conditioning from the tier above.

`FoldedFrameStep` keeps every tensor the step touches in fixed buffers and updates them in place, so the same code
runs eagerly (CPU) or is captured once as a CUDA graph and replayed per top frame (GPU).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from inspiration.engine.model.samplernn import FrameTier, SampleRNN, State
from inspiration.engine.model.sampling import MIN_TEMPERATURE, draw


@dataclass
class _Tier:
    frame_size: int
    ratio: int
    expand_w: Tensor  # (dim, frame_size), input scaling folded in
    expand_b: Tensor  # (dim,)
    layers: list[tuple[Tensor, Tensor, Tensor, Tensor]]  # per layer: w_ih, w_hh, b_ih, b_hh
    up_w: Tensor  # (ratio * dim, dim)
    up_b: Tensor  # (ratio * dim,)
    lstm: bool


#: How the matrices of the products are kept: as they are; rounded to bfloat16; or, for the frame tiers' matrices
#: (read once per frame, far larger than the sample-level MLP's), int8 with a scale per output (`int8_rows`).
WeightFormat = Literal["float32", "bfloat16", "int8"]


def int8_rows(w: Tensor) -> tuple[Tensor, Tensor]:
    """A matrix (out, in) as int8 codes (out, in) and a float32 scale per row (out,): w ≈ codes * scale, the scale
    putting each row's largest magnitude at 127 (symmetric, round to nearest)."""
    w = w.detach().float()
    largest = w.abs().amax(dim=1)
    scale = torch.where(largest > 0, largest / 127, torch.ones_like(largest))
    codes = torch.round(w / scale[:, None]).clamp_(-127, 127).to(torch.int8)
    return codes, scale


class FoldedSampleRNN:
    """Inference-only weights of a SampleRNN in `dtype` on `device` (see the module docstring).

    weights: how the matrices of the products are kept (`WeightFormat`). Reduced formats are held here as the
    `dtype` values they stand for (a bfloat16 weight widened, an int8 code times its scale), so the arithmetic is
    `dtype`'s on fewer bytes to read, which is what the fused CPU routine stores; the int8 codes and scales are in
    `int8` by matrix name ("tier{i}.ih{l}", "tier{i}.hh{l}", "tier{i}.up"). The input layers, the table and the
    biases stay as they are.
    """

    def __init__(
        self,
        model: SampleRNN,
        dtype: torch.dtype = torch.float32,
        device: torch.device | None = None,
        weights: WeightFormat = "float32",
    ):
        self.config = model.config
        self.dtype = dtype
        self.weights = weights
        self.device = device or next(model.parameters()).device
        self.int8: dict[str, tuple[Tensor, Tensor]] = {}
        q = self.config.q_levels

        def put(t: Tensor) -> Tensor:
            return t.detach().to(self.device, dtype).contiguous()

        def put_matrix(t: Tensor, name: str) -> Tensor:
            """A matrix (out, in) of a frame tier ('tier...') or of the MLP, kept as `weights` says."""
            if weights == "bfloat16":
                return put(t.detach().to(torch.bfloat16))
            if weights == "int8" and name.startswith("tier"):
                codes, scale = int8_rows(t)
                self.int8[name] = (codes, scale)
                return put(codes.float() * scale[:, None])
            return put(t)

        with torch.no_grad():
            sample = model.sample_tier
            tiers = model.tiers

            # the sample-level input bias joins the last tier's upsampling bias, once per conditioning vector
            def of_tier(i: int) -> Callable[[Tensor, str], Tensor]:
                return lambda t, name: put_matrix(t, f"tier{i}.{name}")

            self.tiers = [self._fold_tier(tier, q, put, of_tier(i)) for i, tier in enumerate(tiers[:-1])]
            last = of_tier(len(tiers) - 1)
            self.tiers.append(self._fold_tier(tiers[-1], q, put, last, extra_up_bias=sample.input.bias))
            conv_w = sample.input.weight  # (dim, E, Fs), weight norm applied by the parametrisation
            table = torch.einsum("qe,dei->iqd", sample.embedding.weight, conv_w)  # (Fs, Q, dim)
            self.table = put(table.reshape(-1, table.shape[-1]))
            self.offsets = torch.arange(sample.frame_size, device=self.device) * q
            # (in, out) layouts: x @ w is the fastest product for a few rows
            self.hidden = [
                (put_matrix(layer.weight, "mlp").t().contiguous(), put(layer.bias)) for layer in sample.linear_layers()
            ]
            self.output = (put_matrix(sample.output.weight, "mlp").t().contiguous(), put(sample.output.bias))
        self.initial = [tuple(put(p) for p in tier.initial) for tier in model.tiers]  # each (layers, 1, dim)

    @staticmethod
    def _fold_tier(
        tier: FrameTier,
        q_levels: int,
        put: Callable[[Tensor], Tensor],
        put_matrix: Callable[[Tensor, str], Tensor],
        extra_up_bias: Tensor | None = None,
    ) -> _Tier:
        w, b = tier.expand.weight, tier.expand.bias  # input x = codes * 4/Q - 2
        expand_w = w * (4.0 / q_levels)
        expand_b = b - 2.0 * w.sum(dim=1)
        rnn = tier.rnn
        layers = [
            (
                put_matrix(getattr(rnn, f"weight_ih_l{k}"), f"ih{k}"),
                put_matrix(getattr(rnn, f"weight_hh_l{k}"), f"hh{k}"),
                put(getattr(rnn, f"bias_ih_l{k}")),
                put(getattr(rnn, f"bias_hh_l{k}")),
            )
            for k in range(rnn.num_layers)
        ]
        up_b = tier.upsample.bias
        if extra_up_bias is not None:
            up_b = (up_b.view(tier.upsample_ratio, -1) + extra_up_bias).reshape(-1)
        return _Tier(
            tier.frame_size,
            tier.upsample_ratio,
            put(expand_w),
            put(expand_b),
            layers,
            put_matrix(tier.upsample.weight, "up"),
            put(up_b),
            isinstance(rnn, torch.nn.LSTM),
        )


class FoldedFrameStep:
    """One top frame of generation over fixed, in-place buffers (graph-capturable).

    Buffers: `codes` (B, 2L) int64 — the last L codes, then the frame being generated; `state` per tier and layer
    (B, dim) tensors (h, and c for LSTM); `temperature` and `uniform` (L, B, 1) float32, the frame's inputs per
    sample, `log_min_p` (B, 1) float32 and `top_k` (B, 1) int64, its min-p and top-k cuts per row (set them with
    `set_inputs`). Every slice the loop touches is made once, here, so a sample costs only the arithmetic.

    `greedy_rows` False promises that no temperature of the next frames is 0 (no argmax per sample); `truncating`
    False that every row's min-p and top-k are 0 (no cut per sample). Either left True is only slower, never
    different.
    """

    def __init__(self, folded: FoldedSampleRNN, batch_size: int) -> None:
        self.folded = folded
        self.batch_size = batch_size
        self.lookback = lookback = folded.config.lookback
        device, dtype = folded.device, folded.dtype
        self.codes = torch.full(
            (batch_size, 2 * lookback), folded.config.q_levels // 2, dtype=torch.long, device=device
        )
        self.temperature = torch.ones(lookback, batch_size, 1, device=device)
        self.uniform = torch.full((lookback, batch_size, 1), 0.5, device=device)
        self.inv_temperature = torch.ones(lookback, batch_size, 1, device=device)
        self.log_min_p = torch.full((batch_size, 1), -torch.inf, device=device)
        self.top_k = torch.zeros((batch_size, 1), dtype=torch.long, device=device)
        self.state: list[list[Tensor]] = []  # per tier: [h_0, ..., h_{n-1}] (+ [c_0, ...] for LSTM)
        for tier, initial in zip(folded.tiers, folded.initial):
            self.state.append([t[k].expand(batch_size, -1).clone() for t in initial for k in range(len(tier.layers))])
        self.greedy_rows = True
        self.truncating = True
        dim, q_levels = folded.config.dim, folded.config.q_levels
        self._bag_offsets = torch.arange(batch_size, device=device) * folded.tiers[-1].frame_size
        self._hidden_out = [torch.zeros(batch_size, dim, device=device, dtype=dtype) for _ in folded.hidden]
        self._logits = torch.zeros(batch_size, q_levels, device=device, dtype=dtype)
        # each tier's upsampled output: one conditioning vector per frame of the tier below (or per sample)
        self._up_t = [tier.up_w.t().contiguous() for tier in folded.tiers]
        self._conditioning = [
            torch.zeros(batch_size, tier.ratio * tier.up_w.shape[1], device=device, dtype=dtype)
            for tier in folded.tiers
        ]
        per_frame = [c.view(batch_size, tier.ratio, -1) for c, tier in zip(self._conditioning, folded.tiers)]
        sizes = [tier.frame_size for tier in folded.tiers]
        fs = sizes[-1]
        self._plan = []
        for t in range(lookback):
            tiers = [
                (i, codes_view, per_frame[i - 1][:, (t % sizes[i - 1]) // f] if i else None)
                for i, f in enumerate(sizes)
                if t % f == 0
                for codes_view in [self.codes[:, lookback + t - f : lookback + t]]
            ]
            self._plan.append(
                (
                    tiers,
                    self.codes[:, lookback + t - fs : lookback + t],  # the sample-level MLP's input window
                    per_frame[-1][:, t % fs],  # its conditioning vector
                    self.inv_temperature[t],
                    self.temperature[t],
                    self.uniform[t],
                    self.codes[:, lookback + t : lookback + t + 1],  # where the drawn code goes
                )
            )

    def set_inputs(
        self, temperature: Tensor, uniform: Tensor, log_min_p: Tensor | None = None, top_k: Tensor | None = None
    ) -> None:
        """Copy the next frame's temperature and uniform numbers, each (B, L), its min-p cut (B,) from
        `sampling.log_min_p` and its top-k (B,) int64 (None: no cut; top-k 0: none either), into the step's
        buffers."""
        self.temperature.copy_(temperature.t().unsqueeze(-1))
        self.uniform.copy_(uniform.t().unsqueeze(-1))
        if log_min_p is None:
            self.log_min_p.fill_(-torch.inf)
        else:
            self.log_min_p.copy_(log_min_p.unsqueeze(-1))
        if top_k is None:
            self.top_k.zero_()
        else:
            self.top_k.copy_(top_k.unsqueeze(-1))

    def load(self, history: Tensor, state: State | None) -> None:
        """Set the last L codes (B, L) and the hidden state (None: the learned initial state), in place."""
        self.codes[:, : self.lookback].copy_(history)
        for index, (buffers, tier) in enumerate(zip(self.state, self.folded.tiers)):
            n = len(tier.layers)
            if state is None:
                parts = [p.expand(-1, self.batch_size, -1) for p in self.folded.initial[index]]
            else:
                parts = list(state[index])
            for k, buffer in enumerate(buffers):
                buffer.copy_(parts[k // n][k % n])

    def export_state(self) -> State:
        """The current hidden state in the model's layout: per tier, tuple of (layers, B, dim) float32."""
        out: State = []
        for tier_buffers, tier in zip(self.state, self.folded.tiers):
            n = len(tier.layers)
            parts = [torch.stack(tier_buffers[j : j + n]) for j in range(0, len(tier_buffers), n)]
            out.append(tuple(p.float().clone() for p in parts))
        return out

    def __call__(self) -> None:
        """Generate one frame: fills codes[:, L:], updates the state, then moves the frame into the history."""
        folded = self.folded
        tiers, dtype, offsets, table = folded.tiers, folded.dtype, folded.offsets, folded.table
        hidden, (w_out, b_out), bags = folded.hidden, folded.output, self._bag_offsets
        cut, top_k = (self.log_min_p, self.top_k) if self.truncating else (None, None)
        torch.clamp(self.temperature, min=MIN_TEMPERATURE, out=self.inv_temperature).reciprocal_()
        for tier_steps, window, conditioning, inv_t, temperature, uniform, out in self._plan:
            for i, frame, above in tier_steps:
                tier = tiers[i]
                x = F.linear(frame.to(dtype), tier.expand_w, tier.expand_b)
                if above is not None:
                    x = x + above
                x = self._rnn_step(tier, self.state[i], x)
                torch.addmm(tier.up_b, x, self._up_t[i], out=self._conditioning[i])
            x = F.embedding_bag((window + offsets).view(-1), table, bags, mode="sum").add_(conditioning).relu_()
            for (w, b), h in zip(hidden, self._hidden_out):
                x = torch.addmm(b, x, w, out=h).relu_()
            logits = torch.addmm(b_out, x, w_out, out=self._logits)
            drawn = draw(logits, inv_t, uniform, cut, top_k)  # float32 whatever the weights' precision
            if self.greedy_rows:
                drawn = torch.where(temperature > MIN_TEMPERATURE, drawn, logits.argmax(dim=-1, keepdim=True))
            out.copy_(drawn)
        self.codes[:, : self.lookback].copy_(self.codes[:, self.lookback :])

    @staticmethod
    def _rnn_step(tier: _Tier, buffers: list[Tensor], x: Tensor) -> Tensor:
        n = len(tier.layers)
        for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(tier.layers):
            if tier.lstm:
                h, c = torch.lstm_cell(x, (buffers[k], buffers[n + k]), w_ih, w_hh, b_ih, b_hh)
                buffers[n + k].copy_(c)
            else:
                h = torch.gru_cell(x, buffers[k], w_ih, w_hh, b_ih, b_hh)
            buffers[k].copy_(h)
            x = h
        return x
