"""A/B previews of noise reduction: a short stretch of the mix, as it is (A) and cleaned (B). Runs in a job."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inspiration.engine.audio.denoise import DenoiseSettings, denoise
from inspiration.engine.composition.mix import MediaCache, Mixer
from inspiration.engine.composition.project import LibraryResolver, Project

#: How long a preview is (seconds).
PREVIEW_SECONDS = 10.0


def preview_range(length: int, sample_rate: int, start: int, seconds: float = PREVIEW_SECONDS) -> tuple[int, int]:
    """[start, end) of a preview beginning at `start`, moved earlier when the project ends before it is over."""
    frames = round(seconds * sample_rate)
    start = max(0, min(start, length - frames))
    return start, min(length, start + frames) if length > 0 else start


def render_preview(
    project: Project,
    start: int,
    end: int,
    strength: float,
    *,
    cache: MediaCache | None = None,
    library: LibraryResolver | None = None,
    on_progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The mix of [start, end) (A) and the same with noise reduction at `strength` 0..1 (B): float32
    (channels, frames) each. Raises Cancelled when `should_stop()` turns true."""
    mixer = Mixer(project, cache=cache, library=library)

    def part(low: float, high: float) -> Callable[[float], None] | None:
        return None if on_progress is None else (lambda f: on_progress(low + (high - low) * f))

    original = mixer.render_range(start, end, on_progress=part(0.0, 0.3), should_stop=should_stop)
    settings = DenoiseSettings.from_strength(strength)
    cleaned = denoise(original, mixer.sample_rate, settings, on_progress=part(0.3, 1.0), should_stop=should_stop)
    return original, np.atleast_2d(cleaned).astype(np.float32, copy=False)


def snapshot(project: Project) -> Project:
    """A copy of the project that a worker thread can read while the GUI edits the original (clips and tracks are
    immutable, so copying the lists is enough)."""
    copy = Project(
        sample_rate=project.sample_rate,
        channels=project.channels,
        master_gain_db=project.master_gain_db,
        tracks=list(project.tracks),
        markers=list(project.markers),
        folder=project.folder,
        library=project.library,
    )
    copy.offline = dict(project.offline)
    return copy
