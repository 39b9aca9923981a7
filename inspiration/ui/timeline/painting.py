"""Drawing one clip: body, name, waveform from its pyramid (min/max per pixel column), fades, gain, selection and
the offline hatch; and the crossfade the mixer applies where two clips overlap. Only the part of a clip inside the
visible columns is computed. The name sits in a band of its own (the fade handles hang below it, so they never cover
it) and stays at the lanes' left edge while the clip's start is scrolled out of view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from shiboken6 import VoidPtr

from inspiration.engine.audio.waveform import WaveformPyramid
from inspiration.engine.composition.mix import db_to_gain, fade_gain
from inspiration.engine.composition.project import Clip, Fade, FadeShape
from inspiration.ui.theme import COLORS, qcolor

TITLE_HEIGHT = 16
HANDLE = 8
#: Clips narrower than this (pixels) show no handles, title or fades: just their body and waveform.
DETAIL_WIDTH = 28
FADE_POINTS = 24


@dataclass(frozen=True)
class ClipStyle:
    """How a clip should look this time: selected, offline (with the reason) and its media's pyramid."""

    selected: bool = False
    offline: str | None = None
    pyramid: WaveformPyramid | None = None


def title_height(rect: QRectF) -> int:
    """The height of the name band of a clip drawn in `rect` (0 when it is too small to carry one)."""
    return TITLE_HEIGHT if rect.width() >= DETAIL_WIDTH and rect.height() > 2.5 * TITLE_HEIGHT else 0


def handle_rects(rect: QRectF, clip: Clip, fpp: float) -> tuple[QRectF, QRectF]:
    """The fade-in and fade-out handles: small squares at the top corners just below the name band, moved inward by
    the fade lengths."""
    top = rect.top() + title_height(rect) + 1
    x_in = min(rect.left() + clip.fade_in.frames / fpp, rect.right() - HANDLE)
    x_out = max(rect.right() - clip.fade_out.frames / fpp - HANDLE, rect.left())
    return (
        QRectF(x_in, top, HANDLE, HANDLE),
        QRectF(x_out, top, HANDLE, HANDLE),
    )


def paint_clip(
    painter: QPainter,
    rect: QRectF,
    clip: Clip,
    style: ClipStyle,
    sample_rate: int,
    fpp: float,
    visible: QRectF,
    name_from: float = 4.0,
) -> None:
    """Draw `clip` into `rect` (lane pixels, x = 0 at the lanes' left edge); `visible` is the part being painted.
    The name starts no further left than `name_from` (the lanes' edge, or the end of an overlap)."""
    body = rect.adjusted(0.5, 0.5, -0.5, -0.5)
    painter.setPen(Qt.PenStyle.NoPen)
    if style.offline is not None:
        painter.setBrush(qcolor(COLORS.offline))
        painter.drawRoundedRect(body, 3, 3)
        painter.setBrush(QBrush(qcolor(COLORS.bad, 110), Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(body, 3, 3)
    else:
        painter.setBrush(qcolor(COLORS.clip_body_selected if style.selected else COLORS.clip_body))
        painter.drawRoundedRect(body, 3, 3)
    detailed = rect.width() >= DETAIL_WIDTH
    title = title_height(rect)
    wave = rect.adjusted(0, title + 2, 0, -3)
    if style.offline is None:
        _paint_waveform(painter, wave, clip, style, sample_rate, fpp, visible)
    if detailed:
        _paint_fade(painter, wave, clip.fade_in, clip.fade_in.frames / fpp, rising=True)
        _paint_fade(painter, wave, clip.fade_out, clip.fade_out.frames / fpp, rising=False)
    if title:
        _paint_title(painter, rect, clip, style, name_from)
    if detailed:
        for handle in handle_rects(rect, clip, fpp):
            painter.setPen(QPen(qcolor(COLORS.base), 1))
            painter.setBrush(qcolor(COLORS.accent if style.selected else COLORS.text_dim))
            painter.drawRect(handle.adjusted(0.5, 0.5, -0.5, -0.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if style.selected:
        painter.setPen(QPen(qcolor(COLORS.accent), 2))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
    else:
        painter.setPen(QPen(qcolor(COLORS.border), 1))
        painter.drawRoundedRect(body, 3, 3)


def _paint_title(painter: QPainter, rect: QRectF, clip: Clip, style: ClipStyle, name_from: float) -> None:
    band = QRectF(rect.left(), rect.top(), rect.width(), TITLE_HEIGHT)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor("#000000", 70))
    painter.drawRect(band.adjusted(1, 1, -1, 0))
    font = QFont(painter.font())
    font.setPointSizeF(8.5)
    painter.setFont(font)
    metrics = QFontMetrics(font)
    text_rect = band.adjusted(4, 0, -4, 0)
    text_rect.setLeft(max(text_rect.left(), name_from))  # the start scrolled away: the name waits at the edge
    gain = ""
    if clip.gain_db != 0:
        gain = f"{clip.gain_db:+.1f} dB"
        painter.setPen(qcolor(COLORS.warn))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, gain)
        text_rect.setRight(text_rect.right() - metrics.horizontalAdvance(gain) - 6)
    name = clip.name or "clip"
    if style.offline is not None and metrics.horizontalAdvance(f"{name} — offline") <= text_rect.width():
        name = f"{name} — offline"  # only when it fits: the name matters more, the hatch already says it
    painter.setPen(qcolor(COLORS.text, 230))
    elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(0, int(text_rect.width())))
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)


def _paint_waveform(
    painter: QPainter, wave: QRectF, clip: Clip, style: ClipStyle, sample_rate: int, fpp: float, visible: QRectF
) -> None:
    left, right = max(wave.left(), visible.left()), min(wave.right(), visible.right())
    columns = int(right - left)
    mid, half = wave.center().y(), wave.height() / 2
    color = qcolor(COLORS.waveform_selected if style.selected else COLORS.waveform)
    if columns <= 0:
        return
    if style.pyramid is None:  # not built yet: a flat line where the audio will be
        painter.setPen(QPen(qcolor(color.name(), 140), 1))
        painter.drawLine(QPointF(left, mid), QPointF(right, mid))
        return
    # timeline frames of each column's edges, then the matching source times (seconds at the project rate)
    x0 = left - wave.left()
    timeline = clip.start + (x0 + np.arange(columns + 1)) * fpp
    source = clip.source_in + (timeline - clip.start)
    t0, t1 = source[0] / sample_rate, source[-1] / sample_rate
    pyramid = style.pyramid
    zoomed = pyramid.bin_frames(0) / pyramid.sample_rate > fpp / sample_rate  # a finest bin is wider than a pixel
    frames: np.ndarray
    minmax: np.ndarray
    xs: np.ndarray
    if zoomed:
        centres, minmax = pyramid.finest(t0, t1)
        frames = clip.start + centres * sample_rate - clip.source_in
        xs = wave.left() + (frames - clip.start) / fpp
    else:
        minmax = pyramid.span(t0, t1, columns)
        frames = (timeline[:-1] + timeline[1:]) / 2
        xs = left + np.arange(columns) + 0.5
    if len(xs) == 0:
        return
    minmax = minmax * (db_to_gain(clip.gain_db) * _envelope(clip, frames))[:, None]
    np.clip(minmax, -1.0, 1.0, out=minmax)
    top = mid - minmax[:, 1] * half
    bottom = mid - minmax[:, 0] * half
    thin = bottom - top < 1.0
    top[thin] -= 0.5
    bottom[thin] += 0.5
    painter.save()
    if zoomed:  # the outline runs through bin centres, a little past the visible part
        clip_rect = QRectF(left, wave.top() - 1, right - left, wave.height() + 2)
        painter.setClipRect(clip_rect, Qt.ClipOperation.IntersectClip)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    # whole-pixel columns need no antialiasing (much faster); the outline through bin centres does
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, zoomed)
    painter.drawPolygon(polygon(np.concatenate([xs, xs[::-1]]), np.concatenate([top, bottom[::-1]])))
    painter.restore()


def polygon(xs: np.ndarray, ys: np.ndarray) -> QPolygonF:
    """A QPolygonF of the points (xs[i], ys[i]), filled in place through numpy (far faster than QPointF objects)."""
    shape = QPolygonF()
    shape.resize(len(xs))
    memory = VoidPtr(shape.data(), len(xs) * 16, True)  # type: ignore[call-arg, arg-type]  # (pointer, size, writable)
    view = np.frombuffer(memory, dtype=np.float64).reshape(-1, 2)  # type: ignore[call-overload]
    view[:, 0] = xs
    view[:, 1] = ys
    return shape


def _envelope(clip: Clip, frames: np.ndarray) -> np.ndarray:
    """The fades' gain at timeline frames inside the clip."""
    gain = np.ones(len(frames))
    if clip.fade_in.frames:
        x = (frames - clip.start) / clip.fade_in.frames
        inside = x < 1
        gain[inside] *= fade_gain(clip.fade_in.shape, np.clip(x[inside], 0, 1))
    if clip.fade_out.frames:
        x = (clip.end - frames) / clip.fade_out.frames
        inside = x < 1
        gain[inside] *= fade_gain(clip.fade_out.shape, np.clip(x[inside], 0, 1))
    return gain


def _paint_fade(painter: QPainter, wave: QRectF, fade: Fade, width: float, rising: bool) -> None:
    """Shade the part above the fade's gain curve and draw the curve."""
    if fade.frames <= 0 or width < 2:
        return
    width = min(width, wave.width())
    x = np.linspace(0.0, 1.0, FADE_POINTS)
    gain = fade_gain(fade.shape, x)
    xs = wave.left() + x * width if rising else wave.right() - x * width
    ys = wave.bottom() - gain * wave.height()
    corner_x, corner_y = wave.left() if rising else wave.right(), wave.top()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor("#000000", 110))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.drawPolygon(polygon(np.append(corner_x, xs), np.append(corner_y, ys)))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(qcolor(COLORS.text, 170), 1))  # a 1 px pen takes Qt's fast path
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline(polygon(xs, ys))


def paint_crossfade(
    painter: QPainter,
    lane: QRectF,
    fade_out: tuple[float, float],
    fade_in: tuple[float, float],
    shapes: tuple[FadeShape, FadeShape],
) -> None:
    """Draw a crossfade over an overlap in `lane` (pixels): the outgoing clip's fade-out over x in `fade_out` and the
    incoming clip's fade-in over `fade_in`, each as its gain curve from the lane's bottom (silent) to top (full)."""
    x0, x1 = min(fade_out[0], fade_in[0]), max(fade_out[1], fade_in[1])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor(COLORS.accent, 28))
    painter.drawRect(QRectF(x0, lane.top(), x1 - x0, lane.height()))
    x = np.linspace(0.0, 1.0, FADE_POINTS)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for (a, b), shape, rising in ((fade_out, shapes[0], False), (fade_in, shapes[1], True)):
        gain = fade_gain(shape, x)
        xs = a + x * (b - a) if rising else b - x * (b - a)
        painter.setPen(QPen(qcolor(COLORS.accent, 230), 1.5))
        painter.drawPolyline(polygon(xs, lane.bottom() - gain * lane.height()))
