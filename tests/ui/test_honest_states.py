"""The app never claims to play without an output device, and says how to get sound back until dismissed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from inspiration.ui.audio_notice import audio_fix
from inspiration.ui.playback.output import unavailable_output
from tests.conftest import tone
from tests.ui.conftest import idle


@pytest.fixture
def silent_window(make_window):
    return make_window(output_factory=unavailable_output("this computer has no audio output device"))


def test_without_audio_the_notice_stays_until_dismissed_and_says_how_to_fix_it(silent_window, qtbot):
    window = silent_window
    notice = window.audio_notice
    assert notice.isVisible()
    text = notice.widgetForAction(notice.actions()[0]).label.text()
    assert "this computer has no audio output device" in text and "restart Inspiration" in text
    window.show_status("something else happened")  # other messages come and go; the notice stays
    qtbot.wait(50)
    assert notice.isVisible()
    qtbot.mouseClick(notice.widgetForAction(notice.actions()[0]).dismiss_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    idle(qtbot, window)


def test_without_audio_the_welcome_does_not_say_press_space(silent_window, qtbot):
    messages = []
    silent_window.statusBar().messageChanged.connect(messages.append)
    silent_window._recover_or_welcome()
    welcome = next(m for m in messages if m.startswith("Welcome"))
    assert "Space" not in welcome and "playback is off" in welcome
    idle(qtbot, silent_window)


def test_with_audio_the_welcome_says_press_space_and_there_is_no_notice(make_window, qtbot):
    window = make_window()
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    window._recover_or_welcome()
    assert any("press Space to play it" in m for m in messages)
    assert not hasattr(window, "audio_notice")
    idle(qtbot, window)


def test_without_audio_a_clicked_library_clip_shows_no_playing_badge(silent_window, qtbot):
    window = silent_window
    record = window.library.add(tone(0.5, 16000), 16000)
    panel = window.library_panel
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.row_of(record.id) is not None, timeout=10000)
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(record.id), 0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.model.playing is None
    assert any(m.startswith("No audio output") for m in messages)
    idle(qtbot, window)


@pytest.mark.parametrize(
    ("reason", "platform", "wanted"),
    [
        ("the PortAudio library could not be loaded (x)", "linux", "sudo apt-get install libportaudio2"),
        ("this computer has no audio output device", "linux", "pactl info"),
        ("this computer has no audio output device", "darwin", "System Settings ▸ Sound ▸ Output"),
        ("this computer has no audio output device", "win32", "Settings ▸ System ▸ Sound"),
    ],
)
def test_the_fix_is_written_for_each_system(reason, platform, wanted):
    assert wanted in audio_fix(reason, platform)
