"""Painting the track lanes: grid, loop shading, clips (the later of two overlapping clips see-through over the
overlap, with the crossfade the mixer applies drawn on top), the time selection with its readout, the rubber band,
the drop ghost and the playhead."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPen

from inspiration.engine.composition.mix import effective_fades
from inspiration.engine.composition.project import Clip, Track
from inspiration.ui.theme import COLORS, qcolor
from inspiration.ui.timeline.geometry import LANE_HEIGHT
from inspiration.ui.timeline.painting import TITLE_HEIGHT, ClipStyle, paint_clip, paint_crossfade

if TYPE_CHECKING:
    from inspiration.ui.timeline.lanes import Lanes

#: Clips keep this far inside their track row, above and below.
CLIP_MARGIN = 3
#: The part of a clip lying over an earlier one on its track is drawn this opaque, so both stay visible.
OVERLAP_OPACITY = 0.55


def paint_lanes(lanes: Lanes, painter: QPainter, visible: QRectF) -> None:
    """Paint the part `visible` of the lanes."""
    view, axis = lanes.timeline, lanes.timeline.axis
    project = view.document.project
    painter.fillRect(visible, qcolor(COLORS.base))
    for row, _track in enumerate(project.tracks):
        top = view.rows.top(row)
        if top + LANE_HEIGHT >= visible.top() and top <= visible.bottom():
            painter.fillRect(
                QRectF(0, top, lanes.width(), LANE_HEIGHT), qcolor(COLORS.lane_alt if row % 2 else COLORS.base)
            )
    grid = view.grid()
    for step, color in ((grid.minor, COLORS.grid), (grid.major, COLORS.grid_strong)):
        painter.setPen(QPen(qcolor(color), 1))
        for frame in grid.lines(axis, step):
            x = round(axis.x(frame)) + 0.5
            painter.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()))
    painter.setPen(QPen(qcolor(COLORS.border), 1))
    for row in range(len(project.tracks)):
        y = view.rows.top(row) + LANE_HEIGHT - 0.5
        painter.drawLine(QPointF(0, y), QPointF(lanes.width(), y))
    region = view.loop_region()
    if region is not None and view.is_loop_enabled():
        x0, x1 = axis.x(region[0]), axis.x(region[1])
        painter.fillRect(QRectF(x0, 0, x1 - x0, lanes.height()), qcolor(COLORS.loop, 45))
        painter.setPen(QPen(qcolor(COLORS.loop), 1))
        painter.drawLine(QPointF(x0, 0), QPointF(x0, lanes.height()))
        painter.drawLine(QPointF(x1, 0), QPointF(x1, lanes.height()))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _paint_clips(lanes, painter, visible)
    _paint_time_selection(lanes, painter)
    _paint_band(lanes, painter)
    _paint_ghost(lanes, painter)
    if not project.tracks and lanes.ghost is None:
        font = QFont(lanes.font())
        font.setPointSizeF(13)
        painter.setFont(font)
        painter.setPen(qcolor(COLORS.text_dim))
        painter.drawText(lanes.rect(), Qt.AlignmentFlag.AlignCenter, "Drag clips here from the library")
    x = axis.x(view.playhead())
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(qcolor(COLORS.accent), 1))
    painter.drawLine(QPointF(round(x) + 0.5, 0), QPointF(round(x) + 0.5, lanes.height()))


def _paint_clips(lanes: Lanes, painter: QPainter, visible: QRectF) -> None:
    view, axis = lanes.timeline, lanes.timeline.axis
    project = view.document.project
    first, last = axis.origin + visible.left() * axis.fpp, axis.origin + visible.right() * axis.fpp
    preview = lanes.preview()
    rows: list[list[Clip]] = [[c for c in t.clips if c.id not in preview] for t in project.tracks]
    for row, clip in preview.values():
        if 0 <= row < len(rows):
            rows[row].append(clip)
    for row, clips in enumerate(rows):
        top = view.rows.top(row)
        if top + LANE_HEIGHT < visible.top() or top > visible.bottom():
            continue
        clips.sort(key=lambda c: (c.start, c.id))
        painter.setOpacity(0.45 if project.tracks[row].mute else 1.0)
        reach = 0  # the end of the clips drawn so far on this row
        drawn: tuple[float, float] | None = None  # where the last clip drawn on this row starts and ends (px)
        for clip in clips:
            span = (axis.x(clip.start), axis.x(clip.end))
            if (
                clip.end < first
                or clip.start > last
                or (clip.id not in view.selection and drawn is not None and _same_pixels(span, drawn))
            ):  # off screen, or at this zoom no more than a repaint of the clip just drawn
                reach = max(reach, clip.end)
                continue
            drawn = span
            if clip.start < reach:
                _paint_overlapping(lanes, painter, row, clip, min(reach, clip.end), visible)
            else:
                paint_clip(
                    painter,
                    lanes.clip_rect(row, clip),
                    clip,
                    _style(lanes, clip),
                    project.sample_rate,
                    axis.fpp,
                    visible,
                )
            reach = max(reach, clip.end)
        _paint_crossfades(lanes, painter, row, clips)
    painter.setOpacity(1.0)


def _style(lanes: Lanes, clip: Clip) -> ClipStyle:
    view = lanes.timeline
    return ClipStyle(
        selected=clip.id in view.selection,
        offline=view.document.project.offline.get(clip.id),
        pyramid=view.pyramid_for(clip),
    )


def _paint_overlapping(
    lanes: Lanes, painter: QPainter, row: int, clip: Clip, overlap_end: int, visible: QRectF
) -> None:
    """A clip whose start lies over earlier clips: the overlapping part see-through, the rest as usual."""
    axis = lanes.timeline.axis
    rect = lanes.clip_rect(row, clip)
    split = axis.x(overlap_end)
    opacity = painter.opacity()
    name_from = max(4.0, split + 4) if rect.right() - split > 40 else 4.0  # the name where it reads clearly
    for part, alpha in (
        (QRectF(rect.left(), rect.top(), split - rect.left(), rect.height()), OVERLAP_OPACITY),
        (QRectF(split, rect.top(), rect.right() - split, rect.height()), 1.0),
    ):
        if part.width() <= 0:
            continue
        painter.save()
        painter.setClipRect(part.adjusted(0, -1, 0, 1))
        painter.setOpacity(opacity * alpha)
        rate = lanes.timeline.document.project.sample_rate
        paint_clip(painter, rect, clip, _style(lanes, clip), rate, axis.fpp, visible, name_from)
        painter.restore()


def _paint_crossfades(lanes: Lanes, painter: QPainter, row: int, clips: list[Clip]) -> None:
    """Over each overlap the mixer crossfades, its fade-out and fade-in as the mixer applies them."""
    axis = lanes.timeline.axis
    fades = effective_fades(Track(clips=tuple(clips)))
    top = lanes.timeline.rows.top(row) + CLIP_MARGIN + TITLE_HEIGHT  # below the names
    lane = QRectF(0, top + 2, lanes.width(), LANE_HEIGHT - 2 * CLIP_MARGIN - TITLE_HEIGHT - 5)
    drawn: tuple[float, float] | None = None  # the overlap of the last crossfade drawn (px)
    for a, b in pairwise(clips):
        if a.end <= b.start or b.end < a.end:
            continue  # no overlap, or b lies inside a (layered: the mixer plays both as they are)
        overlap = (axis.x(b.start), axis.x(a.end))
        if overlap[1] < 0 or overlap[0] > lanes.width() or (drawn is not None and _same_pixels(overlap, drawn)):
            continue  # off screen, or the same pixels as the crossfade just drawn
        drawn = overlap
        out, into = fades[a.id][1], fades[b.id][0]
        paint_crossfade(
            painter,
            lane,
            (axis.x(a.end - out.frames), axis.x(a.end)),
            (axis.x(b.start), axis.x(b.start + into.frames)),
            (out.shape, into.shape),
        )


def _same_pixels(span: tuple[float, float], other: tuple[float, float]) -> bool:
    """Whether two horizontal spans start and end within a pixel of each other: drawing the second adds nothing
    visible (thousands of clips a few frames apart, zoomed out, cost one clip's drawing per pixel, not each)."""
    return abs(span[0] - other[0]) < 1.0 and abs(span[1] - other[1]) < 1.0


def _paint_time_selection(lanes: Lanes, painter: QPainter) -> None:
    view, axis = lanes.timeline, lanes.timeline.axis
    region = view.shown_time_selection()
    if region is None:
        return
    x0, x1 = axis.x(region[0]), axis.x(region[1])
    bottom = min(lanes.height(), view.rows.top(len(view.document.project.tracks)))
    painter.setOpacity(1.0)
    painter.fillRect(QRectF(x0, 0, x1 - x0, max(bottom, 0)), qcolor(COLORS.text, 34))
    painter.setPen(QPen(qcolor(COLORS.text, 170), 1))
    for x in (x0, x1):
        painter.drawLine(QPointF(round(x) + 0.5, 0), QPointF(round(x) + 0.5, max(bottom, 0)))
    text = view.time_selection_text()
    font = QFont(lanes.font())
    font.setPointSizeF(8.5)
    painter.setFont(font)
    width = painter.fontMetrics().horizontalAdvance(text) + 12
    y = min(max(bottom, 0) + 4, lanes.height() - 22)  # below the last track, so it covers no clip name
    box = QRectF(min(max(x0, 0), max(lanes.width() - width, 0)), y, width, 18)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor(COLORS.panel, 225))
    painter.drawRoundedRect(box, 3, 3)
    painter.setPen(qcolor(COLORS.text))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _paint_band(lanes: Lanes, painter: QPainter) -> None:
    if lanes.band is None:
        return
    painter.setPen(QPen(qcolor(COLORS.accent), 1, Qt.PenStyle.DashLine))
    painter.setBrush(qcolor(COLORS.accent, 40))
    painter.drawRect(lanes.band)


def _paint_ghost(lanes: Lanes, painter: QPainter) -> None:
    ghost = lanes.ghost
    if ghost is None:
        return
    axis, rows = lanes.timeline.axis, lanes.timeline.rows
    top = rows.top(ghost.row)
    start = ghost.start
    painter.setPen(QPen(qcolor(COLORS.accent), 1.5, Qt.PenStyle.DashLine))
    painter.setBrush(qcolor(COLORS.accent, 50))
    for length in ghost.lengths:
        x0, x1 = axis.x(start), axis.x(start + length)
        rect = QRectF(x0, top + CLIP_MARGIN, max(x1 - x0, 4), LANE_HEIGHT - 2 * CLIP_MARGIN)
        painter.drawRoundedRect(rect, 3, 3)
        start += length
    painter.setPen(qcolor(COLORS.text))
    label = QRectF(axis.x(ghost.start) + 6, top + CLIP_MARGIN, 400, 18)
    painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, ghost.label)
