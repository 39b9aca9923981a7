"""Mixed precision: bfloat16 matrix products where asked for and the hardware has them, float32 otherwise."""

import pytest
import torch

from inspiration.engine.model import devices
from inspiration.engine.model.devices import autocast, uses_bf16

CPU = torch.device("cpu")


@pytest.fixture
def native_bf16(monkeypatch):
    """native_bf16(flag): pretend this CPU has (or lacks) bfloat16 arithmetic in hardware."""
    return lambda flag: monkeypatch.setattr(devices, "cpu_has_native_bf16", lambda: flag)


def product_dtype(bf16):
    layer = torch.nn.Linear(4, 4)
    with autocast(CPU, bf16):
        return layer(torch.randn(2, 4)).dtype


def test_a_cpu_multiplies_in_bf16_only_when_asked_and_its_hardware_has_it(native_bf16):
    native_bf16(True)
    assert uses_bf16(CPU, True) and product_dtype(True) == torch.bfloat16
    assert not uses_bf16(CPU, False) and product_dtype(False) == torch.float32
    native_bf16(False)
    assert not uses_bf16(CPU, True) and product_dtype(True) == torch.float32
    assert uses_bf16(torch.device("cuda"), True) and not uses_bf16(torch.device("cuda"), False)
    assert not uses_bf16(torch.device("mps"), True)


def test_the_recurrent_cell_and_the_loss_stay_float32_under_autocast(native_bf16):
    native_bf16(True)
    cell, head = torch.nn.GRU(8, 8, batch_first=True), torch.nn.Linear(8, 4)
    with autocast(CPU, True):
        out, hidden = cell(torch.randn(2, 3, 8))
        logits = head(out)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 4), torch.zeros(6, dtype=torch.long))
    assert (out.dtype, hidden.dtype, logits.dtype, loss.dtype) == (
        torch.float32,
        torch.float32,
        torch.bfloat16,
        torch.float32,
    )


def test_the_hardware_probe_answers_true_or_false():
    assert devices.cpu_has_native_bf16() in (True, False)
