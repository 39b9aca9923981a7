"""Shared set-up for the timeline tests: a shown view at 100 px per second, and mouse drags through QTest."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from inspiration.engine.composition.tempo import GridMode, Tempo
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import JobRunner
from inspiration.ui.timeline import TimelineView
from inspiration.ui.timeline.geometry import LANE_HEIGHT
from inspiration.ui.timeline.lanes import CLIP_MARGIN
from inspiration.ui.timeline.painting import HANDLE, TITLE_HEIGHT

RATE = 48000
FPP = 480  # 100 px per second at 48 kHz


def make_view(
    qtbot, document: ProjectDocument, library: ClipLibrary | None, jobs: JobRunner, grid: GridMode = "seconds"
) -> TimelineView:
    """A shown timeline at 100 px per second, on a seconds grid unless `grid` says "bars" (120 BPM, 4/4)."""
    document.project.set_tempo(Tempo(), grid)
    view = TimelineView(document, library, jobs)
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    qtbot.waitExposed(view)
    view.axis.fpp = FPP
    view.axis.origin = 0.0
    view.update_scrollbars()
    return view


def row_y(row: int) -> int:
    """Somewhere in the middle of track row `row` (below a clip's title band)."""
    return row * LANE_HEIGHT + LANE_HEIGHT // 2 + 8


def handle_y(row: int) -> int:
    """Inside the fade handles at the top corners (below the name band) of the clips in `row`."""
    return row * LANE_HEIGHT + CLIP_MARGIN + TITLE_HEIGHT + 1 + HANDLE // 2


def px(frame: int) -> int:
    return round(frame / FPP)


def drag(widget: QWidget, start: QPoint, end: QPoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Press at `start`, move there in steps, release at `end` (with `modifiers` held on release)."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        QTest.mouseMove(widget, start + (end - start) * i / 4)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, modifiers, end)
