import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from inspiration.engine.model.counter_rng import fold_seed, uniforms
from inspiration.engine.model.sampling import inverse_temperature, log_min_p, sample_codes, top_k_floor, truncate


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


def old_draw(logits, temperature, uniform):
    """The draw as it was before min-p existed (sampling.draw's plain inverse CDF)."""
    cdf = torch.softmax(logits * (1 / temperature.clamp_min(1e-6)).unsqueeze(1), dim=-1).cumsum(dim=-1)
    codes = torch.searchsorted(cdf, uniform.unsqueeze(1) * cdf[:, -1:], right=True).clamp_max(logits.shape[-1] - 1)
    return torch.where(temperature > 1e-6, codes.squeeze(1), logits.argmax(dim=-1))


def test_min_p_zero_gives_exactly_the_old_draw():
    generator = torch.Generator().manual_seed(5)
    logits = torch.randn(4000, 256, generator=generator) * 4
    temperature = torch.rand(4000, generator=generator) * 2
    temperature[::17] = 0.0
    u = uniforms(torch.tensor([fold_seed(9)]), 0, 4000)[0]
    cut = log_min_p(torch.zeros(4000))
    assert torch.isneginf(cut).all()
    old = old_draw(logits, temperature, u)
    assert torch.equal(sample_codes(logits, temperature, u, log_min_p=cut), old)
    assert torch.equal(sample_codes(logits, temperature, u), old)


def test_min_p_cuts_exactly_the_codes_below_the_threshold_scaled_with_the_logits():
    generator = torch.Generator().manual_seed(6)
    logits = torch.randn(300, 256, generator=generator) * 3
    inv = torch.rand(300, 1, generator=generator) + 0.5
    min_p = torch.tensor([0.0, 0.01, 0.05, 0.3, 0.9]).repeat(60)
    cut = log_min_p(min_p).unsqueeze(1)
    scaled = logits * inv
    kept = (scaled - scaled.max(dim=-1, keepdim=True).values) >= cut * inv
    truncated = truncate(scaled, cut, inv)
    assert torch.equal(torch.isfinite(truncated), kept)
    assert torch.equal(truncated[kept], scaled[kept])  # the kept codes keep their scaled logits exactly
    for value in (0.05, 0.3):  # in probabilities: the model's own p_i >= min_p * p_max, whatever the temperature
        rows = min_p == value
        p = torch.softmax(logits[rows], dim=-1)
        ratio = p / p.max(dim=-1, keepdim=True).values
        clear = (ratio - value).abs() > 1e-4
        assert torch.equal(kept[rows][clear], (ratio >= value)[clear])


def test_a_hotter_draw_keeps_the_same_levels():
    logits = torch.randn(50, 256, generator=torch.Generator().manual_seed(8)) * 3
    cut = log_min_p(torch.full((50, 1), 0.01))
    kept = [torch.isfinite(truncate(logits * inv, cut, torch.full((50, 1), inv))) for inv in (1 / 0.875, 1.0, 1 / 1.15)]
    assert torch.equal(kept[0], kept[1]) and torch.equal(kept[1], kept[2])
    assert 0 < int(kept[1].sum()) < kept[1].numel()  # something is cut, something kept


def test_min_p_draws_follow_the_truncated_tempered_distribution_and_never_land_in_the_cut_tail():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0, -3.0]]).repeat(50_000, 1)
    u = uniforms(torch.tensor([fold_seed(4)]), 0, 50_000)[0]
    for temperature, min_p in ((1.0, 0.1), (2.0, 0.2), (0.5, 0.01), (1.5, 0.1)):
        cut = log_min_p(torch.full((50_000,), min_p))
        codes = sample_codes(logits, torch.full((50_000,), temperature), u, log_min_p=cut)
        observed = np.bincount(codes.numpy(), minlength=5) / 50_000
        model = torch.softmax(logits[0], dim=0)
        p = torch.where(model >= min_p * model.max(), torch.softmax(logits[0] / temperature, dim=0), 0.0)
        expected = (p / p.sum()).numpy()
        assert np.all(observed[expected == 0] == 0), (temperature, min_p, observed)
        assert np.abs(observed - expected).max() < 0.01, (temperature, min_p, observed, expected)


def test_temperature_zero_stays_argmax_whatever_the_min_p():
    logits = torch.tensor([[0.0, 3.0, 1.0], [5.0, 0.0, 0.0]])
    cut = log_min_p(torch.tensor([0.5, 0.99]))
    assert sample_codes(logits, torch.zeros(2), torch.tensor([0.999, 0.001]), log_min_p=cut).tolist() == [1, 0]


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(0.1, 30.0),
    temperature=st.floats(0.01, 5.0),
    min_p=st.floats(0.0, 0.999),
    u=st.floats(1e-7, 1 - 2**-24),
)
def test_a_draw_never_lands_on_a_code_below_the_cut(seed, scale, temperature, min_p, u):
    logits = torch.randn(1, 256, generator=torch.Generator().manual_seed(seed)) * scale
    cut = log_min_p(torch.tensor([min_p]))
    code = int(sample_codes(logits, torch.tensor([temperature]), torch.tensor([u], dtype=torch.float32), log_min_p=cut))
    inv = inverse_temperature(torch.tensor(temperature, dtype=torch.float32))
    scaled = logits[0] * inv
    assert float(scaled[code] - scaled.max()) >= float(cut * inv)


def test_top_k_keeps_exactly_the_k_most_probable_codes_whatever_the_temperature():
    generator = torch.Generator().manual_seed(11)
    logits = torch.randn(400, 256, generator=generator) * 3
    top_k = torch.tensor([0, 1, 2, 32, 255, 256, 1000, 64]).repeat(50)
    floor = top_k_floor(logits, top_k.unsqueeze(1))
    kept = logits >= floor
    expected = torch.where(top_k == 0, 256, top_k.clamp(max=256))
    assert torch.equal(kept.sum(dim=-1), expected)
    ranks = logits.argsort(dim=-1, descending=True).argsort(dim=-1)  # 0 for the most probable
    assert torch.equal(kept, ranks < expected.unsqueeze(1))
    u = uniforms(torch.tensor([fold_seed(12)]), 0, 400)[0]
    for temperature in (0.5, 1.0, 1.15, 3.0):
        codes = sample_codes(logits, torch.full((400,), temperature), u, top_k=top_k)
        assert bool(kept.gather(1, codes.unsqueeze(1)).all())


def test_top_k_zero_gives_exactly_the_old_draw():
    generator = torch.Generator().manual_seed(13)
    logits = torch.randn(4000, 256, generator=generator) * 4
    temperature = torch.rand(4000, generator=generator) * 2
    temperature[::17] = 0.0
    u = uniforms(torch.tensor([fold_seed(14)]), 0, 4000)[0]
    old = old_draw(logits, temperature, u)
    assert torch.equal(sample_codes(logits, temperature, u, top_k=torch.zeros(4000, dtype=torch.long)), old)
    assert torch.equal(sample_codes(logits, temperature, u, top_k=torch.full((4000,), 256)), old)


def test_top_k_draws_follow_the_truncated_tempered_distribution_and_combine_with_min_p():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0, -3.0]]).repeat(50_000, 1)
    u = uniforms(torch.tensor([fold_seed(15)]), 0, 50_000)[0]
    for temperature, k, min_p in ((1.0, 2, 0.0), (2.0, 3, 0.0), (1.5, 4, 0.1), (1.0, 4, 0.5)):
        codes = sample_codes(
            logits,
            torch.full((50_000,), temperature),
            u,
            log_min_p=log_min_p(torch.full((50_000,), min_p)),
            top_k=torch.full((50_000,), k),
        )
        observed = np.bincount(codes.numpy(), minlength=5) / 50_000
        model = torch.softmax(logits[0], dim=0)
        keep = (torch.arange(5) < k) & (model >= min_p * model.max())
        p = torch.where(keep, torch.softmax(logits[0] / temperature, dim=0), 0.0)
        expected = (p / p.sum()).numpy()
        assert np.all(observed[expected == 0] == 0), (temperature, k, observed)
        assert np.abs(observed - expected).max() < 0.01, (temperature, k, observed, expected)


def test_top_k_keeps_tied_codes_together():
    logits = torch.tensor([[3.0, 1.0, 1.0, 1.0, 0.0]])
    assert float(top_k_floor(logits, torch.tensor([[2]]))) == 1.0  # codes 1, 2 and 3 tie for second: all kept
    codes = {
        int(sample_codes(logits, torch.ones(1), torch.tensor([u]), top_k=torch.tensor([2])))
        for u in np.linspace(0.01, 0.99, 99)
    }
    assert codes == {0, 1, 2, 3}
