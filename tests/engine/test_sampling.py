import numpy as np
import torch

from inspiration.engine.model.counter_rng import fold_seed, uniforms
from inspiration.engine.model.sampling import sample_codes


def test_uniforms_are_uniform_and_depend_only_on_seed_and_index():
    seeds = torch.tensor([fold_seed(s) for s in (0, 1, 2**40 + 7)])
    u = uniforms(seeds, 0, 100_000)
    assert u.dtype == torch.float32 and float(u.min()) > 0 and float(u.max()) < 1
    assert abs(float(u.mean()) - 0.5) < 0.005 and abs(float(u.var()) - 1 / 12) < 0.002
    lagged = np.corrcoef(u[0, :-1].numpy(), u[0, 1:].numpy())[0, 1]
    assert abs(lagged) < 0.01 and abs(np.corrcoef(u[0].numpy(), u[1].numpy())[0, 1]) < 0.01
    pieces = torch.cat([uniforms(seeds, a, 333) for a in range(0, 999, 333)], dim=1)
    assert torch.equal(pieces, u[:, :999])  # blocks change nothing
    assert torch.equal(uniforms(seeds[1:2], 50, 10), u[1:2, 50:60])  # nor does the batch
    assert fold_seed(5) != fold_seed(5 + 2**32)


def test_inverse_cdf_draws_follow_the_tempered_distribution():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]]).repeat(50_000, 1)
    u = uniforms(torch.tensor([fold_seed(3)]), 0, 50_000)[0]
    for temperature in (0.5, 1.0, 2.0):
        codes = sample_codes(logits, torch.full((50_000,), temperature), u)
        observed = np.bincount(codes.numpy(), minlength=4) / 50_000
        expected = torch.softmax(logits[0] / temperature, dim=0).numpy()
        assert np.abs(observed - expected).max() < 0.01, (temperature, observed, expected)


def test_zero_temperature_is_argmax_without_division_by_zero():
    logits = torch.tensor([[0.0, 3.0, 1.0], [5.0, 0.0, 0.0]])
    codes = sample_codes(logits, torch.tensor([0.0, 0.0]), torch.tensor([0.999, 0.001]))
    assert codes.tolist() == [1, 0]
    mixed = sample_codes(logits, torch.tensor([0.0, 1e9]), torch.tensor([0.5, 0.999]))
    assert mixed[0] == 1 and 0 <= mixed[1] <= 2


def test_a_code_of_probability_zero_is_never_drawn():
    logits = torch.randn(20_000, 256) * 3
    logits[:, 255] = -1e9  # the full-scale code is impossible
    u = torch.full((20_000,), 1 - 2**-24)  # the largest uniform the noise can produce, and more
    codes = sample_codes(logits, torch.ones(20_000), u)
    assert int(codes.max()) < 255
