"""The generate panel makes clips into the library in a job, announces each, and keeps finished ones on cancel."""

import threading

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThread
from PySide6.QtWidgets import QFileDialog

from inspiration.engine.curves.curve import parse_curve
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.ui.instrument.generate_panel import GeneratePanel
from inspiration.ui.instrument.live_knob import TAIL_CUT_MAXIMUM, TOP_LEVELS_MAXIMUM

CURVE = parse_curve("0:0.8,1:1.2")


@pytest.fixture(scope="module")
def models_folder(tiny_model_root):
    """models/tiny: a debug model trained for 3 steps on a tone (beside it: tone.wav)."""
    return tiny_model_root / "models"


@pytest.fixture
def make_panel(qtbot, jobs, models_folder, tmp_path):
    def make(models=models_folder, prime_provider=None, library=None):
        panel = GeneratePanel(
            library or ClipLibrary(tmp_path / "generated"), jobs, models, lambda: CURVE, prime_provider
        )
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: not jobs.running())  # the model listing
        panel.seconds_box.setValue(0.5)
        panel.seconds_box.setMinimum(0.1)  # shorter than a musician may ask, to keep the tests fast
        panel.seconds_box.setValue(0.2)
        return panel

    return make


def run(qtbot, panel, timeout=15000):
    with qtbot.waitSignal(panel.clipsGenerated, timeout=timeout) as done:
        qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running())
    return done.args[0]


def test_generates_clips_into_the_library_with_how_they_were_made(qtbot, make_panel):
    panel = make_panel()
    assert panel.picker.current().name == "tiny"
    panel.count_box.setValue(2)
    assert panel.generate_button.text() == "Generate 2 clips"
    landed, threads = [], []
    panel.clipGenerated.connect(lambda clip_id: (landed.append(clip_id), threads.append(QThread.currentThread())))
    ids = run(qtbot, panel)
    assert ids == landed and len(ids) == 2
    assert all(t is QCoreApplication.instance().thread() for t in threads)  # announced on the GUI thread
    records = [panel._library.get(i) for i in ids]
    assert records[1].seed == records[0].seed + 1
    assert panel.seed.seed_box.value() == records[0].seed  # the random first seed is shown, ready to fix
    for record in records:
        assert record.model == "tiny" and record.checkpoint_step == 3 and record.prime is None
        assert record.temperature_curve() == CURVE and record.duration == pytest.approx(0.2)
    assert "Added 2 clips" in panel.message.text() and not panel.progress.isVisible()


def test_a_fixed_seed_gives_the_same_audio_again(qtbot, make_panel):
    panel = make_panel()
    panel.count_box.setValue(1)
    panel.seed.set_fixed(1234)
    first, second = run(qtbot, panel), run(qtbot, panel)
    library = panel._library
    assert library.get(first[0]).seed == library.get(second[0]).seed == 1234
    audio = [sf.read(library.path_of(ids[0]))[0] for ids in (first, second)]
    assert np.array_equal(audio[0], audio[1]) and np.abs(audio[0]).max() > 0
    qtbot.mouseClick(panel.seed.dice_button, Qt.MouseButton.LeftButton)
    assert panel.seed.seed() is not None and panel.seed.seed_box.isEnabled()


def test_cancel_keeps_the_finished_clips_and_says_how_many(qtbot, make_panel, tmp_path):
    library = ClipLibrary(tmp_path / "generated")
    cancelled = threading.Event()
    add = library.add

    def add_then_wait_for_the_cancel(*args, **kwargs):
        record = add(*args, **kwargs)
        assert cancelled.wait(10), "the panel never cancelled"  # the worker goes on only once Cancel was pressed
        return record

    library.add = add_then_wait_for_the_cancel
    panel = make_panel(library=library)
    panel.count_box.setValue(4)
    panel.batch_size = 1

    def cancel_at_the_first_clip(clip_id):
        qtbot.mouseClick(panel.progress.cancel_button, Qt.MouseButton.LeftButton)
        cancelled.set()

    panel.clipGenerated.connect(cancel_at_the_first_clip)
    ids = run(qtbot, panel)
    assert len(ids) == 1 and len(library) == 1 and len(list(library.clips_folder.iterdir())) == 1
    assert library.get(ids[0]).duration == pytest.approx(0.2)
    assert "Stopped: kept 1 of 4 clips" in panel.message.text()
    assert panel.generate_button.isEnabled() and panel.progress.cancel_button.text() == "Cancel"


def test_a_prime_file_is_used_and_recorded(qtbot, make_panel, models_folder, monkeypatch):
    panel = make_panel()
    panel.count_box.setValue(1)
    prime = models_folder.parent / "tone.wav"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(prime), ""))
    assert not panel.prime.file_row.isVisibleTo(panel)  # the file row shows once "Audio file" is chosen
    qtbot.mouseClick(panel.prime.file_button, Qt.MouseButton.LeftButton)
    assert panel.prime.file_row.isVisibleTo(panel)
    qtbot.mouseClick(panel.prime.browse_button, Qt.MouseButton.LeftButton)
    assert panel.prime.mode() == "file" and panel.prime.file() == prime
    panel.prime.seconds_box.setValue(0.2)
    panel.prime.include_box.setChecked(True)
    (clip_id,) = run(qtbot, panel)
    record = panel._library.get(clip_id)
    assert record.prime == str(prime) and record.duration == pytest.approx(0.4, abs=0.002)


def test_the_loop_region_primes_when_there_is_one(qtbot, make_panel):
    region = {"audio": None}
    panel = make_panel(prime_provider=lambda: region["audio"])
    assert not panel.prime.loop_button.isEnabled() and "loop region" in panel.prime.loop_button.toolTip()
    t = np.arange(24000) / 48000
    region["audio"] = (np.stack([np.sin(2 * np.pi * 330 * t)] * 2) * 0.4).astype(np.float32), 48000
    panel.update_prime_sources()
    assert panel.prime.loop_button.isEnabled()
    panel.prime.set_mode("loop")
    panel.count_box.setValue(1)
    (clip_id,) = run(qtbot, panel)
    assert panel._library.get(clip_id).prime == "timeline loop region"


def test_bad_input_gives_a_clear_message(qtbot, make_panel, tmp_path):
    messages = []
    empty = make_panel(models=tmp_path / "no-models")
    empty.statusMessage.connect(messages.append)
    qtbot.mouseClick(empty.generate_button, Qt.MouseButton.LeftButton)
    assert not empty.is_running() and "Choose a model first" in messages[-1]
    assert empty.message.text() == messages[-1]

    panel = make_panel()
    panel.statusMessage.connect(messages.append)
    panel.prime.set_file(tmp_path / "gone.wav")
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    assert not panel.is_running() and "gone.wav does not exist" in messages[-1]

    (tmp_path / "notes.wav").write_text("these are not samples")
    panel.prime.set_file(tmp_path / "notes.wav")
    with qtbot.waitSignal(panel.statusMessage, timeout=15000) as failed:
        qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running())
    assert "notes.wav: not a readable audio file" in failed.args[0] and "Traceback" not in failed.args[0]
    assert "notes.wav" in panel.message.text() and len(panel._library) == 0


def test_settings_are_remembered_and_the_length_is_announced(qtbot, make_panel):
    panel = make_panel()
    with qtbot.waitSignal(panel.durationChanged) as changed:
        panel.seconds_box.setValue(12.5)
    assert changed.args == [12.5]
    panel.count_box.setValue(30)
    panel.seed.set_fixed(77)
    panel.prime.set_mode("file")
    panel.prime.seconds_box.setValue(3.0)
    panel.checkpoint_box.setCurrentIndex(1)
    panel.tail_cut_box.setValue(12.5)
    panel.top_levels_box.setValue(32)
    again = make_panel()
    assert again.count_box.value() == 30 and again.seed.seed() == 77 and again.prime.mode() == "file"
    assert again.prime.seconds() == 3.0 and again.checkpoint_box.currentData() == "last"
    assert again.min_p() == 0.125 and again.top_k() == 32


def test_damaged_settings_fall_back_to_the_defaults(qtbot, make_panel):
    for key, value in {
        "count": "lots",
        "seconds": "nan",
        "seedFixed": "maybe",
        "prime": "radio",
        "min_p": "inf",
        "top_k": "lots",
    }.items():
        QSettings().setValue(f"generate/{key}", value)
    panel = make_panel()
    assert panel.count_box.value() == 4 and panel.seed.seed() is None and panel.prime.mode() == "none"
    assert panel.min_p() == DEFAULT_MIN_P and panel.top_k() == DEFAULT_TOP_K
    QSettings().setValue("generate/min_p", 7)  # out of range: the control keeps to its own
    QSettings().setValue("generate/top_k", 7000)
    again = make_panel()
    assert 0 <= again.min_p() <= TAIL_CUT_MAXIMUM / 100 and again.top_k() == TOP_LEVELS_MAXIMUM
    QSettings().setValue("generate/top_k", 1)  # a single level loops or goes silent: the fewest offered is 2
    assert make_panel().top_k() == 2


def test_settings_from_before_top_levels_take_the_new_defaults_unless_the_tail_cut_was_chosen(qtbot, make_panel):
    QSettings().setValue("generate/min_p", 0.005)  # the old default, saved with every field
    QSettings().remove("generate/top_k")
    panel = make_panel()
    assert panel.min_p() == DEFAULT_MIN_P and panel.top_k() == DEFAULT_TOP_K
    QSettings().setValue("generate/min_p", 0.02)  # chosen by hand: kept
    QSettings().remove("generate/top_k")
    assert make_panel().min_p() == pytest.approx(0.02)
    QSettings().setValue("generate/min_p", 0.005)  # chosen since top levels exist: kept too
    QSettings().setValue("generate/top_k", 16)
    again = make_panel()
    assert again.min_p() == pytest.approx(0.005) and again.top_k() == 16


def test_untouched_cuts_follow_the_defaults_and_chosen_ones_are_kept(qtbot, make_panel):
    QSettings().setValue("generate/min_p", 0.0)  # top levels' first default, saved with every field
    QSettings().setValue("generate/top_k", 32)
    panel = make_panel()
    assert (panel.min_p(), panel.top_k()) == (DEFAULT_MIN_P, DEFAULT_TOP_K) and DEFAULT_TOP_K != 32
    panel.count_box.setValue(9)  # other fields no longer remember the cuts
    assert not QSettings().contains("generate/cutsChosen")
    assert make_panel().top_k() == DEFAULT_TOP_K
    panel.top_levels_box.setValue(32)  # chosen now: kept, even where it equals a former default
    again = make_panel()
    assert (again.min_p(), again.top_k()) == (DEFAULT_MIN_P, 32)
    again.top_levels_box.setValue(DEFAULT_TOP_K)
    again.tail_cut_box.setValue(0.5)
    assert (make_panel().min_p(), make_panel().top_k()) == (pytest.approx(0.005), DEFAULT_TOP_K)


def test_the_tail_cut_reaches_every_clip_and_says_what_it_does(qtbot, make_panel):
    panel = make_panel()
    assert panel.min_p() == DEFAULT_MIN_P  # the engine's default on first use
    assert "0 % cuts nothing" in panel.tail_cut_box.toolTip()
    panel.count_box.setValue(2)
    panel.tail_cut_box.setFocus()
    panel.tail_cut_box.selectAll()
    qtbot.keyClicks(panel.tail_cut_box, "10")
    qtbot.keyClick(panel.tail_cut_box, Qt.Key.Key_Tab)
    assert panel.min_p() == pytest.approx(0.1)
    ids = run(qtbot, panel)
    assert [panel._library.get(i).min_p for i in ids] == [pytest.approx(0.1)] * 2
    panel.tail_cut_box.setValue(0.0)
    assert [panel._library.get(i).min_p for i in run(qtbot, panel)] == [0.0, 0.0]


def test_the_top_levels_reach_every_clip_and_say_what_they_do(qtbot, make_panel):
    panel = make_panel()
    box = panel.top_levels_box
    assert panel.top_k() == DEFAULT_TOP_K  # the engine's default on first use
    assert "likeliest sample values" in box.toolTip()
    panel.count_box.setValue(2)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "16")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert panel.top_k() == 16
    ids = run(qtbot, panel)
    assert [panel._library.get(i).top_k for i in ids] == [16, 16]
    box.setValue(2)
    qtbot.keyClick(box, Qt.Key.Key_Down)  # one level would loop: the step goes on to all
    assert (panel.top_k(), box.text()) == (0, "all")
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert panel.top_k() == 2
    box.selectAll()
    qtbot.keyClicks(box, "1")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # a typed 1 becomes the fewest allowed
    assert (panel.top_k(), box.text()) == (2, "2")
    box.setValue(0)
    assert [panel._library.get(i).top_k for i in run(qtbot, panel)] == [0, 0]


def test_clips_are_counted_and_listed_as_each_one_lands(qtbot, make_panel, tmp_path):
    """k / n moves with every clip that reaches the library, before the run ends."""
    library = ClipLibrary(tmp_path / "generated")
    panel = make_panel(library=library)
    panel.count_box.setValue(3)
    panel.batch_size = 1
    seen = []
    panel.clipGenerated.connect(lambda clip_id: seen.append((panel.message.text(), len(library), panel.is_running())))
    ids = run(qtbot, panel)
    assert len(ids) == 3
    assert [text.split(" clips")[0] for text, _, _ in seen] == ["1 / 3", "2 / 3", "3 / 3"]
    assert [count for _, count, _ in seen] == [1, 2, 3]  # each was in the library (auditionable) when announced
    assert all(running for _, _, running in seen[:2])


def test_the_first_run_default_is_a_few_short_clips(qtbot, jobs, models_folder, tmp_path):
    from inspiration.ui.instrument.generate_panel import DEFAULT_COUNT, DEFAULT_SECONDS

    panel = GeneratePanel(ClipLibrary(tmp_path / "lib"), jobs, models_folder, lambda: CURVE)
    qtbot.addWidget(panel)
    assert (panel.count_box.value(), panel.seconds()) == (DEFAULT_COUNT, DEFAULT_SECONDS)
    assert DEFAULT_COUNT <= 4 and DEFAULT_SECONDS <= 5  # one CPU batch as fast per clip as one clip alone
    qtbot.waitUntil(lambda: not jobs.running())


def test_in_the_window_each_generated_clip_is_listed_and_playable_as_it_lands(make_window, qtbot, models_folder):
    """While the run is still going, the first clip is in the library list and a click plays it."""
    from tests.ui.conftest import idle

    window = make_window()
    panel, listing = window.generate_tab.panel, window.library_panel
    panel.picker.add_folder(models_folder)
    qtbot.waitUntil(lambda: panel.picker.current() is not None, timeout=20000)
    panel.seconds_box.setMinimum(0.1)
    panel.seconds_box.setValue(0.2)
    panel.count_box.setValue(2)
    panel.batch_size = 1
    listed = threading.Event()
    add = window.library.add

    def second_waits_until_the_first_is_listed(*args, **kwargs):
        if len(window.library) == 1:
            assert listed.wait(20), "the first clip was never listed"
        return add(*args, **kwargs)

    window.library.add = second_waits_until_the_first_is_listed
    first = []
    panel.clipGenerated.connect(first.append)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(first) and listing.model.row_of(first[0]) is not None, timeout=20000)
    assert panel.is_running() and panel.message.text().startswith("1 / 2 clips")
    rect = listing.view.visualRect(listing.model.index(listing.model.row_of(first[0]), 0))
    qtbot.mouseClick(listing.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert listing.model.playing == first[0]
    qtbot.waitUntil(lambda: window.transport.state == "auditioning", timeout=10000)
    assert listing.model.playing == first[0]  # the ▶ badge stays while it plays
    listed.set()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=20000)
    idle(qtbot, window)
