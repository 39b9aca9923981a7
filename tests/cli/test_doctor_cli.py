"""`inspiration doctor` explains the machine without failing, whatever is missing."""

from inspiration.cli import main
from inspiration.cli.doctor import writable


def test_doctor_prints_every_section(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for section in ("Inspiration", "Compute", "Audio files", "Audio output", "Desktop app", "Folders"):
        assert f"\n{section}\n" in f"\n{out}"
    assert "torch" in out and "mp3" in out and "sounddevice" in out
    assert str(tmp_path / "data" / "inspiration" / "library") in out


def test_doctor_says_when_portaudio_is_missing(capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    assert main(["doctor"]) == 0
    assert "libportaudio2" in capsys.readouterr().out


def test_writable_tells_existing_new_and_blocked_folders(tmp_path):
    assert writable(tmp_path) == "writable"
    assert writable(tmp_path / "a" / "b") == "will be created"
    (tmp_path / "file").write_text("x")
    assert writable(tmp_path / "file" / "inside").startswith("not writable")


def test_gui_without_a_display_says_so(capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2
    assert "no display" in capsys.readouterr().err


LDD_WITHOUT_CURSOR = """\
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x00007f)
\tlibxcb-cursor.so.0 => not found
"""


def test_a_missing_display_library_is_caught_before_qt_with_the_install_command(capsys, monkeypatch):
    import subprocess
    import sys

    from inspiration.ui import display_check

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    ran = []

    def fake_ldd(argv, **kwargs):
        ran.append(argv)
        return subprocess.CompletedProcess(argv, 0, stdout=LDD_WITHOUT_CURSOR, stderr="")

    monkeypatch.setattr(display_check.subprocess, "run", fake_ldd)
    assert main(["gui"]) == 2  # said before Qt is asked to open a window (it would abort the process)
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err and "sudo apt-get install libxcb-cursor0" in err
    assert "sudo dnf install xcb-util-cursor" in err and err.count("libxcb-cursor.so.0") == 1
    assert ran and ran[0][-1].endswith("libqxcb.so")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "x11 libraries" in out and "missing libxcb-cursor.so.0" in out and "libxcb-cursor0" in out


def test_the_display_check_asks_only_when_qt_will_use_x11():
    from inspiration.ui.display_check import missing_in_ldd_output, uses_xcb

    assert uses_xcb({"DISPLAY": ":0"}) and uses_xcb({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"})
    assert not uses_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"})
    assert missing_in_ldd_output(LDD_WITHOUT_CURSOR) == ["libxcb-cursor.so.0"]


def test_the_app_start_up_checks_the_display_itself(capsys, monkeypatch):
    from inspiration.ui import app

    monkeypatch.setattr(app, "display_problem", lambda: "Qt's X11 display plugin needs libxcb-cursor.so.0")
    monkeypatch.setattr(app, "make_application", lambda: (_ for _ in ()).throw(AssertionError("Qt was started")))
    assert app.run() == 2
    assert "libxcb-cursor.so.0" in capsys.readouterr().err


def test_doctor_devices_lists_what_torch_can_train_on_as_json(capsys):
    import json

    import torch

    assert main(["doctor", "--devices"]) == 0
    devices = json.loads(capsys.readouterr().out)
    assert devices[0] == ["cpu", "CPU"]
    assert sum(name.startswith("cuda") for name, _ in devices) == torch.cuda.device_count()


def test_doctor_devices_without_torch_says_so_in_one_line(capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "inspiration.engine.model.devices":
            raise ModuleNotFoundError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    assert main(["doctor", "--devices"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: torch cannot be imported (No module named 'torch')\n" and not captured.out
