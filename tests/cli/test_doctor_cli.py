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
