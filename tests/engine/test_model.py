import pytest
import torch

from inspiration.engine.generation.stream import generate_eager
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.samplernn import SampleRNN, parameter_count

CONFIGS = [
    ModelConfig(frame_sizes=(16,), rnn_type="gru", dim=24, embedding_dim=8),
    ModelConfig(frame_sizes=(16,), rnn_type="lstm", dim=24, embedding_dim=8, rnn_layers=2),
    ModelConfig(frame_sizes=(8, 2), rnn_type="gru", dim=24, embedding_dim=8),
    ModelConfig(frame_sizes=(16, 4), rnn_type="lstm", dim=24, embedding_dim=8, weight_norm=False),
    ModelConfig(frame_sizes=(16, 4, 2), rnn_type="gru", dim=16, embedding_dim=4, q_levels=64),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.tiers}tier-{c.rnn_type}")
def test_training_forward_shapes(config):
    torch.manual_seed(0)
    model = SampleRNN(config)
    codes = torch.randint(0, config.q_levels, (3, config.lookback + 4 * config.lookback))
    logits, state = model(codes)
    assert logits.shape == (3, 4 * config.lookback, config.q_levels)
    per_tier = 1 if config.rnn_type == "gru" else 2
    assert len(state) == len(config.frame_sizes)
    assert all(len(s) == per_tier and s[0].shape == (config.rnn_layers, 3, config.dim) for s in state)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.tiers}tier-{c.rnn_type}")
def test_step_api_matches_teacher_forcing(config):
    """Generating frame by frame with the true samples gives the training pass's logits: the model is causal."""
    torch.manual_seed(1)
    model = SampleRNN(config).eval()
    lookback = config.lookback
    codes = torch.randint(0, config.q_levels, (2, lookback + 3 * lookback))
    with torch.no_grad():
        expected, _ = model(codes)
    seen = []
    history, state = codes[:, :lookback], model.initial_state(2)
    for frame in range(3):

        def teacher(logits, t, frame=frame):
            seen.append(logits)
            return codes[:, lookback * (frame + 1) + t]

        history, state = model.generate_frame(history, state, teacher)
    assert torch.allclose(torch.stack(seen, dim=1), expected, atol=1e-5)


def test_state_carried_across_chunks_equals_one_long_pass():
    config = CONFIGS[2]
    model = SampleRNN(config).eval()
    codes = torch.randint(0, 256, (2, 8 + 64))
    with torch.no_grad():
        whole, _ = model(codes)
        first, state = model(codes[:, : 8 + 32])
        second, _ = model(codes[:, 32:], state)
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-5)


def test_generation_is_reproducible_and_in_range():
    model = SampleRNN(CONFIGS[0])
    a = generate_eager(model, 100, temperature=1.0, seed=5, batch_size=2)
    b = generate_eager(model, 100, temperature=1.0, seed=5, batch_size=2)
    c = generate_eager(model, 100, temperature=1.0, seed=6, batch_size=2)
    assert a.shape == (2, 100) and a.dtype.name == "float32"
    assert (a == b).all() and not (a == c).all()
    assert abs(a).max() <= 1.0
    greedy = generate_eager(model, 64, temperature=0.0, seed=1)
    assert (greedy == generate_eager(model, 64, temperature=0.0, seed=2)).all()  # T = 0 is argmax


@pytest.mark.parametrize(
    "settings,match",
    [
        (dict(frame_sizes=(8, 3)), "divide"),
        (dict(frame_sizes=()), "positive"),
        (dict(rnn_type="rnn"), "rnn_type"),
        (dict(dim=0), "dim"),
        (dict(q_levels=1), "levels"),
        (dict(quantization="alaw"), "quantisation"),
    ],
)
def test_invalid_configs_are_refused(settings, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**settings)


def test_config_round_trips_through_json_data():
    config = CONFIGS[3]
    assert ModelConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown model settings: colour"):
        ModelConfig.from_dict({**config.to_dict(), "colour": "red"})
    assert parameter_count(SampleRNN(config)) > 0


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.tiers}tier-{c.rnn_type}-q{c.q_levels}")
def test_the_first_layer_by_table_is_the_convolution_with_the_same_gradients(config):
    torch.manual_seed(3)
    tier = SampleRNN(config).sample_tier
    previous = torch.randint(0, config.q_levels, (4, tier.frame_size - 1 + 300))
    weights = torch.randn(4, 300, config.dim)
    results = []
    for layer in (tier.convolved, tier.looked_up):
        tier.zero_grad()
        out = layer(previous)
        (out * weights).sum().backward()
        results.append((out, {name: p.grad.clone() for name, p in tier.named_parameters() if p.grad is not None}))
    (conv, conv_grads), (table, table_grads) = results
    assert torch.allclose(table, conv, atol=1e-5, rtol=1e-5)
    assert conv_grads.keys() == table_grads.keys() and len(conv_grads) >= 3  # embedding, kernel (and its norm), bias
    for name, grad in conv_grads.items():
        assert torch.allclose(table_grads[name], grad, atol=1e-4, rtol=1e-4), name


def test_the_table_is_taken_only_on_a_cpu_with_many_samples_per_level(monkeypatch):
    tier = SampleRNN(CONFIGS[0]).sample_tier
    taken = []
    monkeypatch.setattr(tier, "looked_up", lambda previous: taken.append("table"))
    monkeypatch.setattr(tier, "convolved", lambda previous: taken.append("conv"))
    tier.first_layer(torch.zeros(8, 15 + 128, dtype=torch.long))  # 1,024 samples, 256 levels: a training batch
    tier.first_layer(torch.zeros(2, 15 + 16, dtype=torch.long))  # a frame of generation
    assert taken == ["table", "conv"]
