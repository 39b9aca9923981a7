"""The Train tab offers only the devices torch can use here, found by a child process (the app never loads torch)."""

from __future__ import annotations

import pytest

from inspiration.engine.errors import InspirationError
from inspiration.ui.instrument.device_probe import parse_devices
from inspiration.ui.instrument.train_panel import TrainPanel
from inspiration.ui.instrument.train_setup import TrainSetup


def offered(setup: TrainSetup) -> list[str]:
    return [setup.device_combo.itemData(i) for i in range(setup.device_combo.count())]


def test_a_cpu_only_torch_offers_no_gpu(qtbot):
    setup = TrainSetup()
    qtbot.addWidget(setup)
    assert offered(setup) == ["auto", "cpu"]  # before torch has answered: nothing it might not have
    setup.set_devices([("cpu", "CPU")])
    assert offered(setup) == ["auto", "cpu"]
    assert "no GPU" in setup.device_combo.itemText(0)


def test_gpus_torch_can_use_are_offered_and_the_choice_is_kept(qtbot):
    setup = TrainSetup()
    qtbot.addWidget(setup)
    setup.device_combo.setCurrentIndex(setup.device_combo.findData("cpu"))
    setup.set_devices([("cpu", "CPU"), ("cuda:0", "GPU 0: NVIDIA H200 (140 GB)"), ("cuda:1", "GPU 1: B (8 GB)")])
    assert offered(setup) == ["auto", "cpu", "cuda:0", "cuda:1"]
    assert setup.device() == "cpu" and setup.device_combo.itemText(0) == "Automatic (GPU 0)"
    assert "H200" in setup.device_combo.itemText(2)


def test_showing_the_tab_asks_a_child_process_what_torch_can_use(qtbot, jobs, tmp_path):
    import torch  # the test may load torch; the app does not (the answer comes from `inspiration doctor --devices`)

    panel = TrainPanel(tmp_path / "models", jobs=jobs)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(jobs.busyChanged, timeout=5000):
        panel.tab_shown()
    qtbot.waitUntil(lambda: "checking" not in panel.setup.device_combo.itemText(0), timeout=60_000)
    expected = ["auto", "cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    assert [d for d in offered(panel.setup) if d != "mps"] == expected
    panel.tab_shown()  # asked once
    qtbot.wait(20)
    assert not jobs.running()
    panel.shutdown()


def test_the_window_asks_only_once_the_train_tab_is_in_view(make_window, qtbot):
    window = make_window()
    qtbot.wait(50)
    assert not window.train_panel._devices_asked  # a start-up costs no torch import, not even in a child
    with qtbot.waitSignal(window.jobs.busyChanged, timeout=5000):
        window.train_dock.raise_()
    assert any(job.name == "Finding the devices torch can use" for job in window.jobs.running())
    qtbot.waitUntil(lambda: not window.jobs.running(), timeout=60_000)
    assert window.train_panel.setup.device_combo.itemText(0) != "Automatic (checking for a GPU…)"


@pytest.mark.parametrize(
    ("out", "err", "code", "message"),
    [
        ("", "ModuleNotFoundError: No module named 'torch'", 1, "No module named 'torch'"),
        ("not json", "", 0, "no answer"),
        ("[]", "", 0, "no answer"),
    ],
)
def test_a_child_that_cannot_answer_is_said_in_one_line(out, err, code, message):
    with pytest.raises(InspirationError, match=message):
        parse_devices(out, err, code)
    assert parse_devices('[["cpu", "CPU"]]', "", 0) == [("cpu", "CPU")]
