"""CUDA paths: skipped without a GPU. On a GPU machine: `python -m pytest tests/engine/test_cuda.py`.

Kept free of the audio-file libraries so it runs where only torch and numpy are installed.
"""

from dataclasses import replace

import numpy as np
import pytest
import torch

from inspiration.engine.audio.dataset import AudioDataset, SourceFile, save_dataset
from inspiration.engine.audio.quantize import quantize
from inspiration.engine.curves.curve import constant, parse_curve
from inspiration.engine.generation.stream import ClipSpec, ClipStream
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.folder import ModelFolder, RunConfig
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.steppers import GraphStepper, make_stepper
from inspiration.engine.training.evaluate import mean_bits, sequence_bits
from inspiration.engine.training.trainer import Trainer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(autouse=True)
def full_float32():
    """cuDNN convolutions and RNNs default to TF32, which would make the eager reference less exact than fp32."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


CONFIGS = [
    ModelConfig(frame_sizes=(16,), dim=64, embedding_dim=16),
    ModelConfig(frame_sizes=(8, 2), rnn_type="lstm", rnn_layers=2, dim=64, embedding_dim=16),
]


def model_on_gpu(config):
    torch.manual_seed(0)
    return SampleRNN(config).cuda().eval()


def audio(model, specs, frames, **kwargs):
    return np.concatenate([b.audio for b in ClipStream(model, specs, frames, **kwargs)], axis=1)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.tiers}tier-{c.rnn_type}")
def test_graph_path_equals_the_eager_loop_in_fp32(config):
    model = model_on_gpu(config)
    with torch.no_grad():  # a long-tailed output distribution, so that min-p cuts something
        model.sample_tier.output.bias.copy_(torch.randn(config.q_levels, device="cuda") * 3)
    assert isinstance(make_stepper(model, 4), GraphStepper)
    specs = [
        ClipSpec(1, parse_curve("0:0.9,1:1.2"), min_p=0.0, top_k=0),
        ClipSpec(2, parse_curve("0:0,0.5:0,0.51:1"), min_p=0.05, top_k=0),
        ClipSpec(3, parse_curve("0:1.5"), min_p=0.2, top_k=5),
        ClipSpec(4, parse_curve("0:1.2"), min_p=0.0, top_k=3),
    ]
    fast = audio(model, specs, 2000, precision="fp32")
    eager = audio(model, specs, 2000, mode="eager")
    assert np.array_equal(fast, eager)
    plain = [replace(spec, min_p=0.0, top_k=0) for spec in specs]  # the graph captured without the cuts
    assert np.array_equal(audio(model, plain, 2000, precision="fp32"), audio(model, plain, 2000, mode="eager"))


def test_bf16_graph_keeps_the_model_likelihood():
    model = model_on_gpu(CONFIGS[0])
    specs = [ClipSpec(s, constant(1.0)) for s in range(16)]
    bits = {}
    for precision in ("fp32", "bf16"):
        out = audio(model, specs, 4000, precision=precision, dc_block=False)
        assert np.isfinite(out).all()
        bits[precision] = mean_bits(sequence_bits(model, [quantize(a) for a in out]))
    assert abs(bits["bf16"] - bits["fp32"]) < 0.1 * bits["fp32"], bits


def test_training_on_the_gpu_with_bf16_autocast(tmp_path):
    rate = 16000
    t = np.arange(3 * rate) / rate
    codes = quantize(0.8 * np.sin(2 * np.pi * 220 * t))
    dataset = AudioDataset(codes, [SourceFile("tone", 0, len(codes), len(codes) - 2400)], rate, 256, "linear", 0.05)
    folder = ModelFolder(tmp_path / "m")
    folder.create()
    save_dataset(dataset, folder.dataset_path)
    preset = get_preset("debug")
    train = replace(preset.train, steps=60, val_every=60, learning_rate=3e-3)
    folder.write_config(RunConfig("m", "debug", preset.model, train, [], dataset.summary()))
    result = Trainer(folder, device="cuda").run()
    assert result.step == 60 and result.best_val_bits is not None and result.best_val_bits < 6.0
