"""The longest stall of the GUI thread while the app imports many clips, places them, and exports a mix.

A 1 ms timer ticks on the GUI thread while each job runs in the real main window (offscreen); the longest gap
between two ticks is the longest time the window could not repaint or answer a click. Target: ≤ 50 ms.

Run: python benchmarks/ui_stall.py [--clips 200] [--seconds 45] [--export-clips 12]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
WORK = Path(tempfile.mkdtemp(prefix="inspiration-stall-"))
for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[variable] = str(WORK / variable.lower())

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspiration.engine.places import user_places  # noqa: E402
from inspiration.ui.app import make_application  # noqa: E402
from inspiration.ui.export_dialog import ExportDialog  # noqa: E402
from inspiration.ui.main_window import MainWindow  # noqa: E402
from inspiration.ui.playback.output import FakeOutput  # noqa: E402

TARGET_MS = 50.0


class StallMeter:
    """Ticks every millisecond on the GUI thread and records the gaps between ticks."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []

    def start(self) -> None:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()

    def stop(self) -> np.ndarray:
        self.timer.stop()
        return np.array(self.gaps or [0.0])

    def _tick(self) -> None:
        self.gaps.append(self.clock.nsecsElapsed() / 1e6)
        self.clock.restart()


def write_clips(folder: Path, count: int, seconds: float, rate: int = 16000) -> None:
    """`count` distinct plucked-tone clips (what a generation run leaves behind), 16-bit WAV."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    for i in range(count):
        freq = 110 * 2 ** (rng.integers(0, 24) / 12)
        audio = 0.4 * np.exp(-3 * (t % 0.75)) * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)
        sf.write(folder / f"clip-{i:03d}.wav", audio.astype(np.float32), rate, subtype="PCM_16")


def measure(
    app: QApplication, meter: StallMeter, what: str, action: Callable[[], object], busy: Callable[[], bool]
) -> None:
    """Run `action` on the GUI thread (its own time counts as a stall), then process events until `busy()` ends."""
    meter.start()
    began = time.perf_counter()
    action()
    while busy():
        app.processEvents()
        time.sleep(0.0005)
    for _ in range(50):  # the repaints that follow
        app.processEvents()
    gaps = meter.stop()
    verdict = "ok" if gaps.max() <= TARGET_MS else f"over the {TARGET_MS:.0f} ms target"
    print(
        f"{what:<44} {time.perf_counter() - began:7.1f} s   longest stall {gaps.max():6.1f} ms   "
        f"p99 {np.percentile(gaps, 99):5.1f} ms   ({verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--export-clips", type=int, default=12, help="clips in the exported piece (on two tracks)")
    args = parser.parse_args()

    print(f"writing {args.clips} clips of {args.seconds:.0f} s ...")
    write_clips(WORK / "takes", args.clips, args.seconds)
    app = make_application()
    window = MainWindow(user_places(), library_folder=WORK / "library", output_factory=FakeOutput)
    window.resize(1600, 1000)
    window.show()
    meter = StallMeter()
    busy = lambda: bool(window.jobs.running())  # noqa: E731

    result = {}

    def start_import() -> None:
        job = window.library_panel.import_paths([WORK / "takes"])
        job.succeeded.connect(lambda r: result.setdefault("ids", list(r.clip_ids)))

    measure(app, meter, f"import {args.clips} clips into the library", start_import, busy)
    ids = result["ids"]
    rate = window.document.project.sample_rate
    measure(
        app,
        meter,
        f"place {len(ids)} clips on a track (one edit)",
        lambda: window.timeline.drop_library_clips(ids, None, 0),
        busy,
    )
    measure(app, meter, "zoom to fit and repaint all of them", window.timeline.zoom_fit, busy)

    window.document.new()
    half = args.export_clips // 2
    window.timeline.drop_library_clips(ids[:half], None, 0)
    window.timeline.drop_library_clips(ids[half : args.export_clips], None, rate)
    minutes = window.document.project.length / rate / 60
    dialog = ExportDialog(window.document, window.jobs, window.transport, None, window.document.library, window)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("flac"))
    dialog.denoise_box.setChecked(True)
    measure(
        app,
        meter,
        f"export {minutes:.1f} min to FLAC with noise reduction",
        lambda: dialog.start_export(WORK / "piece.flac"),
        busy,
    )
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
