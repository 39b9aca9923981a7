"""Small drawings of a clip for the library list and its drag pixmap: waveform thumbnail, temperature sparkline,
rating stars and flag badges. Each takes a QPainter and the rectangle to fill; none decodes audio."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF

from inspiration.engine.library.clip_record import ClipRecord
from inspiration.ui.theme import COLORS, qcolor

#: Temperatures drawn within at least this range, so sparklines of different clips can be compared at a glance.
SPARK_RANGE = (0.6, 1.4)
STAR_SIZE = 13

#: What each quality flag means, for badge tooltips; {measures} fill in the numbers.
FLAG_HELP = {
    "silent": "Silent: the clip is mostly silence ({silent_fraction:.0%} of it is below -60 dBFS).",
    "clipped": "Clipped: samples sit at full scale ({clipped_fraction:.2%} of them), so it will sound distorted.",
    "loop": "Loop: it keeps repeating one short pattern (every {loop_period:.2f} s) instead of developing.",
    "noise": "Noise: it sounds like hiss or static rather than notes (spectral flatness {flatness:.2f}).",
    "echo": "Echo: mostly a copy of the model's training audio (only {novelty:.0%} of it is new); its lineage shows "
    "from where.",
}
FLAG_COLORS = {
    "silent": COLORS.text_dim,
    "clipped": COLORS.bad,
    "loop": COLORS.warn,
    "noise": COLORS.warn,
    "echo": COLORS.solo,
}


def flag_help(flag: str, record: ClipRecord) -> str:
    """The tooltip of a flag badge, with the clip's own measurement where it has one."""
    text = FLAG_HELP.get(flag, flag)
    try:
        values = {**record.measures, "novelty": record.novelty}
        return text.format(**{k: (v if v is not None else math.nan) for k, v in values.items()})
    except (KeyError, ValueError, TypeError):
        return text.split(" (")[0] + "."


def draw_waveform(painter: QPainter, rect: QRect, minmax: np.ndarray, color: QColor) -> None:
    """Min/max pairs (points, 2) in [-1, 1] as one vertical line per pixel column of `rect`."""
    width = rect.width()
    if width <= 0 or len(minmax) == 0:
        return
    edges = np.linspace(0, len(minmax), width + 1).astype(int)
    starts = np.minimum(edges[:-1], len(minmax) - 1)
    low = np.minimum.reduceat(minmax[:, 0], starts)
    high = np.maximum.reduceat(minmax[:, 1], starts)
    middle = rect.top() + rect.height() / 2
    half = rect.height() / 2 - 1
    painter.setPen(QPen(color, 1))
    painter.drawLine(QLineF(rect.left(), middle, rect.right(), middle))
    lines = [
        QLineF(rect.left() + x + 0.5, middle - hi * half, rect.left() + x + 0.5, middle - lo * half)
        for x, (lo, hi) in enumerate(zip(low.tolist(), high.tolist()))
    ]
    painter.drawLines(lines)


def draw_sparkline(painter: QPainter, rect: QRect, values: list[float], color: QColor) -> None:
    """Temperatures over the clip as a line in `rect`, on a common scale (SPARK_RANGE or wider), with a faint
    reference line at T = 1."""
    if not values or rect.width() < 2:
        return
    low, high = min(SPARK_RANGE[0], *values), max(SPARK_RANGE[1], *values)

    def y(value: float) -> float:
        return rect.bottom() - (value - low) / (high - low) * (rect.height() - 1)

    painter.setPen(QPen(qcolor(COLORS.grid_strong), 1, Qt.PenStyle.DotLine))
    painter.drawLine(QLineF(rect.left(), y(1.0), rect.right(), y(1.0)))
    step = (rect.width() - 1) / max(len(values) - 1, 1)
    points = QPolygonF([QPointF(rect.left() + i * step, y(v)) for i, v in enumerate(values)])
    if len(values) == 1:
        points.append(QPointF(rect.right(), y(values[0])))
    painter.setPen(QPen(color, 1.5))
    painter.drawPolyline(points)


def star_polygon(center: QPointF, radius: float) -> QPolygonF:
    points = QPolygonF()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(center.x() + r * math.cos(angle), center.y() + r * math.sin(angle)))
    return points


def draw_stars(painter: QPainter, rect: QRect, rating: int, empty: str = COLORS.border, count: int = 5) -> None:
    """`count` stars of STAR_SIZE from the left of `rect`, the first `rating` filled, the others outlined in
    `empty`."""
    for i in range(count):
        center = QPointF(rect.left() + (i + 0.5) * STAR_SIZE, rect.top() + rect.height() / 2)
        polygon = star_polygon(center, STAR_SIZE / 2 - 1)
        if i < rating:
            painter.setPen(QPen(qcolor(COLORS.star), 1))
            painter.setBrush(qcolor(COLORS.star))
        else:
            painter.setPen(QPen(qcolor(empty), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolygon(polygon)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def badge_width(painter: QPainter, text: str) -> int:
    return painter.fontMetrics().horizontalAdvance(text) + 10


def draw_badge(painter: QPainter, rect: QRect, text: str, color: str) -> None:
    """A small rounded label in `color` (outline and text on a faint fill of the same colour)."""
    painter.setPen(QPen(qcolor(color, 200), 1))
    painter.setBrush(qcolor(color, 40))
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
    painter.setPen(qcolor(color))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def draw_missing(painter: QPainter, rect: QRect) -> None:
    """Hatching over a thumbnail whose audio file is gone."""
    painter.fillRect(rect, qcolor(COLORS.offline, 160))
    painter.fillRect(rect, QBrush(qcolor(COLORS.bad, 90), Qt.BrushStyle.BDiagPattern))


def small_font(base: QFont, delta: float = -1.5) -> QFont:
    font = QFont(base)
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(max(6.5, size + delta))
    return font
