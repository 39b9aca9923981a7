"""How long the timeline takes to paint 200 clips of 45 s at 48 kHz (8 tracks of 25), at several zooms.

Run: PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/timeline_paint.py
Prints the mean and max paint time of the lanes (and the ruler) per zoom level, and the pyramids' memory.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspiration.engine.audio.waveform import build_pyramid  # noqa: E402
from inspiration.engine.composition.edits import AddClip, AddTrack  # noqa: E402
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track  # noqa: E402
from inspiration.ui.document import ProjectDocument  # noqa: E402
from inspiration.ui.jobs import JobRunner  # noqa: E402
from inspiration.ui.theme import apply_dark_theme  # noqa: E402
from inspiration.ui.timeline import TimelineView  # noqa: E402

RATE = 48000
TRACKS, PER_TRACK, SECONDS = 8, 25, 45.0
DISTINCT = 12  # distinct waveforms (building 200 would only make the set-up slower)
REPEATS = 20


def main() -> None:
    app = QApplication.instance() or QApplication([])
    apply_dark_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="timeline-bench-"))
    rng = np.random.default_rng(0)
    t = np.arange(int(SECONDS * RATE)) / RATE
    pyramids = []
    for i in range(DISTINCT):
        envelope = np.exp(-3.0 * ((t * (1 + i % 4)) % 1.0))
        audio = 0.6 * envelope * np.sin(2 * np.pi * (110 + 20 * i) * t) + 0.05 * rng.standard_normal(len(t))
        pyramids.append(build_pyramid(audio.astype(np.float32), RATE))

    document = ProjectDocument()
    document.project.folder = folder
    jobs = JobRunner()
    view = TimelineView(document, None, jobs)
    view.resize(1600, 900)
    view.show()
    app.processEvents()
    commands = []
    length = int(SECONDS * RATE)
    for ti in range(TRACKS):
        track = Track(name=f"Track {ti + 1}")
        commands.append(AddTrack(track))
        for ci in range(PER_TRACK):
            name = f"t{ti}c{ci}.wav"
            sf.write(str(folder / name), np.zeros(16, dtype=np.float32), RATE)  # media must exist (not offline)
            view.pyramids.put(folder / name, pyramids[(ti * PER_TRACK + ci) % DISTINCT])
            start = ci * (length + RATE) + ti * RATE // 3
            clip = Clip(ClipSource(name), start=start, source_in=0, source_out=length, name=name, fade_in=Fade(RATE))
            commands.append(AddClip(track.id, clip))
    document.apply_all("Benchmark", commands)
    print(
        f"{TRACKS * PER_TRACK} clips of {SECONDS:.0f} s; pyramids {view.pyramids.nbytes / 1e6:.1f} MB "
        f"for {len(view.pyramids)} files (one 45 s pyramid: {pyramids[0].nbytes / 1e3:.0f} kB)"
    )

    def measure(label: str, setup) -> list[float]:
        times = []
        for i in range(REPEATS):
            setup(i)
            begin = time.perf_counter()
            view.lanes.repaint()
            view.ruler.repaint()
            times.append((time.perf_counter() - begin) * 1000)
        print(f"{label:<34} mean {statistics.mean(times):6.2f} ms   max {max(times):6.2f} ms")
        return times

    everything: list[float] = []
    view.zoom_fit()
    everything += measure("fit (all 200 clips visible)", lambda i: None)
    for seconds_visible in (600.0, 120.0, 20.0, 1.0):
        fpp = seconds_visible * RATE / view.axis.width

        def setup(i: int, fpp: float = fpp) -> None:
            view.axis.fpp = fpp
            view.axis.origin = i * 37.3 * RATE  # scroll across the project

        everything += measure(f"{seconds_visible:>5.0f} s visible, scrolling", setup)
    print(f"{'all':<34} mean {statistics.mean(everything):6.2f} ms   max {max(everything):6.2f} ms")
    jobs.shutdown()


if __name__ == "__main__":
    main()
