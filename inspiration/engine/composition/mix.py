"""Mixdown: render a Project (or any range of it) to float32 (channels, frames), block by block.

Threads: the app's playback worker calls `Mixer.render(start, frames)` for blocks of a few thousand frames and may
seek anywhere; the GUI thread calls `Mixer.update(project)` after edits. The mixer renders from an immutable plan
that `update` swaps in one assignment, so a block is always rendered from one consistent state. Media is decoded on
first use into a MediaCache (pass one in to share it; `Mixer.preload` decodes ahead of playback). The offline
`render` runs the same per-block code over the whole range, so streamed blocks concatenate exactly to it.

Rules: a clip's frame at source position p plays at timeline frame start + (p - source_in); gains are in dB;
pan is constant power with unity at centre (gains sqrt(2)·cos θ, sqrt(2)·sin θ, θ = (pan + 1)·π/4), applied to a
mono clip's one channel or to a stereo clip's left and right. Clips that overlap on a track crossfade over the
overlap (equal power, unless the clips' own fades are longer); a clip lying wholly inside another is layered.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspiration.engine.audio.files import peak, read_audio
from inspiration.engine.composition.project import Clip, Fade, FadeShape, LibraryResolver, Project, Track, media_path
from inspiration.engine.errors import AudioReadError, Cancelled

#: Frames per block of the offline render (progress and cancel are checked between blocks).
OFFLINE_BLOCK = 1 << 16
ProgressFn = Callable[[float], None]
StopFn = Callable[[], bool]


def fade_gain(shape: FadeShape, x: np.ndarray) -> np.ndarray:
    """A rising fade curve over x in [0, 1] (float64): linear x; equal_power sin(πx/2); exponential x² (slow start);
    logarithmic 1-(1-x)² (fast start); s_curve (1-cos πx)/2. A fade-out plays the same curve backwards."""
    x = np.asarray(x, dtype=np.float64)
    if shape == "linear":
        return x
    if shape == "equal_power":
        return np.asarray(np.sin(x * (math.pi / 2)))
    if shape == "exponential":
        return np.asarray(x * x)
    if shape == "logarithmic":
        return np.asarray(1.0 - (1.0 - x) ** 2)
    if shape == "s_curve":
        return np.asarray(0.5 - 0.5 * np.cos(x * math.pi))
    raise ValueError(f"unknown fade shape {shape!r}")


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power (left, right) gains for pan in [-1, 1], unity at centre, +3 dB on the hard side."""
    theta = (pan + 1.0) * math.pi / 4
    return math.cos(theta) / math.cos(math.pi / 4), math.sin(theta) / math.cos(math.pi / 4)


def db_to_gain(db: float) -> float:
    """Decibels to a linear gain factor."""
    return float(10.0 ** (db / 20.0))


def soft_limit(audio: np.ndarray, threshold_db: float = -1.0) -> np.ndarray:
    """A memoryless soft-knee limiter: samples below the threshold pass unchanged, louder ones bend smoothly
    towards ±1 and never pass it. Being per-sample, it gives the same result however the audio is split in blocks."""
    t = db_to_gain(threshold_db)
    mag = np.abs(audio)
    over = mag > t
    if not over.any():
        return audio
    out = audio.copy()
    knee = 1.0 - t
    out[over] = np.sign(audio[over]) * (t + knee * np.tanh((mag[over] - t) / knee))
    return out


class MediaCache:
    """Decoded media held as float32 (channels, frames) at a project's rate and channel layout; each file is decoded
    once. Thread-safe: a worker may read while another thread adds. Call `forget` when a file changed on disk."""

    def __init__(self) -> None:
        self._items: dict[tuple[Path, int, bool], np.ndarray] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, sample_rate: int, mono: bool) -> np.ndarray:
        """The media at `path`: (1, frames) or, unless `mono`, (2, frames) when the file has several channels."""
        key = (Path(path), sample_rate, mono)
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        audio, _ = read_audio(path, sample_rate)
        if audio.shape[0] > 2 or (mono and audio.shape[0] > 1):
            audio = audio.mean(axis=0, keepdims=True, dtype=np.float32)
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        audio.setflags(write=False)
        with self._lock:
            return self._items.setdefault(key, audio)

    def forget(self, path: Path | None = None) -> None:
        """Drop one file's decoded audio (every rate), or everything."""
        with self._lock:
            for key in [k for k in self._items if path is None or k[0] == Path(path)]:
                del self._items[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass(frozen=True)
class MixOptions:
    """Master-bus processing applied to every block: an optional soft limiter above `limiter_threshold_db`."""

    limiter: bool = False
    limiter_threshold_db: float = -1.0


@dataclass(frozen=True)
class _Voice:
    """One clip as the mixer plays it: where, which media, the gain per output channel and the effective fades."""

    clip_id: str
    path: Path
    start: int
    end: int
    offset: int  # media frame = timeline frame + offset
    gains: tuple[float, ...]
    fade_in: Fade
    fade_out: Fade

    def envelope(self, a: int, b: int) -> np.ndarray | None:
        """Fade gains (float64) for timeline frames [a, b), or None when no fade touches that range."""
        fi, fo = self.fade_in.frames, self.fade_out.frames
        touches_in = fi > 0 and a < self.start + fi
        touches_out = fo > 0 and b > self.end - fo
        if not (touches_in or touches_out):
            return None
        t = np.arange(a, b, dtype=np.int64)
        env = np.ones(b - a)
        if touches_in:
            x = np.minimum((t - self.start) / fi, 1.0)
            env *= fade_gain(self.fade_in.shape, x)
        if touches_out:
            x = np.minimum((self.end - t) / fo, 1.0)
            env *= fade_gain(self.fade_out.shape, x)
        return env


@dataclass(frozen=True)
class _Plan:
    voices: tuple[_Voice, ...]
    starts: np.ndarray
    ends: np.ndarray
    offline: dict[str, str]
    length: int


class Mixer:
    """Renders any range of a project on demand. Build one per project; call `update` after edits."""

    def __init__(
        self,
        project: Project,
        cache: MediaCache | None = None,
        library: LibraryResolver | None = None,
        options: MixOptions = MixOptions(),
    ) -> None:
        self.cache = cache if cache is not None else MediaCache()
        self.library = library
        self.options = options
        self.update(project)

    def update(self, project: Project) -> None:
        """Take the project as it is now (safe while another thread renders)."""
        self.sample_rate = project.sample_rate
        self.channels = project.channels
        self._plan = _build_plan(project, self.library)
        self._undecodable: dict[Path, str] = {}  # files that failed to decode are not retried until the next update

    @property
    def length(self) -> int:
        """Frames up to the end of the last clip (muted ones too, so muting does not shorten an export)."""
        return self._plan.length

    @property
    def offline(self) -> dict[str, str]:
        """Clip id → why it is silent (missing media, outside the project folder, undecodable)."""
        failed = {v.clip_id: self._undecodable[v.path] for v in self._plan.voices if v.path in self._undecodable}
        return {**self._plan.offline, **failed}

    def preload(self, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None) -> None:
        """Decode every clip's media now, so that playback never waits for a file."""
        paths = sorted({v.path for v in self._plan.voices})
        for i, path in enumerate(paths):
            if should_stop is not None and should_stop():
                raise Cancelled("loading the clips was cancelled")
            self._media(path)
            if on_progress is not None:
                on_progress((i + 1) / len(paths))

    def render(self, start: int, frames: int) -> np.ndarray:
        """Mix timeline frames [start, start + frames) into float32 (channels, frames)."""
        out = np.zeros((self.channels, frames), dtype=np.float32)
        self._mix_into(out, start)
        return out

    def blocks(self, start: int = 0, end: int | None = None, block: int = 8192) -> Iterator[np.ndarray]:
        """Yield consecutive rendered blocks of [start, end) (end defaults to the project's length)."""
        end = self.length if end is None else end
        for s in range(start, end, block):
            yield self.render(s, min(block, end - s))

    def render_range(
        self,
        start: int = 0,
        end: int | None = None,
        *,
        normalize_peak_db: float | None = None,
        on_progress: ProgressFn | None = None,
        should_stop: StopFn | None = None,
        block: int = OFFLINE_BLOCK,
    ) -> np.ndarray:
        """Offline mixdown of [start, end) (default: the whole project) to float32 (channels, frames).

        The same per-block code as `render`, over the whole range. With `normalize_peak_db` the result is scaled so
        its peak sits at that level. Raises Cancelled when `should_stop()` turns true between blocks.
        """
        end = self.length if end is None else end
        frames = max(0, end - start)
        out = np.zeros((self.channels, frames), dtype=np.float32)
        for offset in range(0, frames, block):
            if should_stop is not None and should_stop():
                raise Cancelled("rendering was cancelled")
            self._mix_into(out[:, offset : offset + block], start + offset)
            if on_progress is not None:
                on_progress(min(1.0, (offset + block) / frames))
        top = peak(out)
        if normalize_peak_db is not None and top > 0:
            out *= np.float32(db_to_gain(normalize_peak_db) / top)
        return out

    def _mix_into(self, out: np.ndarray, start: int) -> None:
        plan = self._plan
        frames = out.shape[1]
        end = start + frames
        mono = self.channels == 1
        for index in np.flatnonzero((plan.starts < end) & (plan.ends > start)):
            voice = plan.voices[index]
            media = self._media(voice.path)
            if media is None:
                continue
            a = max(start, voice.start)
            b = min(end, voice.end, media.shape[1] - voice.offset)  # media shorter than the clip: silence after
            if b <= a:
                continue
            segment = media[:, a + voice.offset : b + voice.offset]
            env = voice.envelope(a, b)
            target = out[:, a - start : b - start]
            for channel in range(self.channels):
                source = segment[0 if mono or segment.shape[0] == 1 else channel]
                gain = voice.gains[channel]
                if env is None:
                    target[channel] += source * np.float32(gain)
                else:
                    target[channel] += source * (env * gain).astype(np.float32)
        if self.options.limiter:
            out[:] = soft_limit(out, self.options.limiter_threshold_db)

    def _media(self, path: Path) -> np.ndarray | None:
        if path in self._undecodable:
            return None
        try:
            return self.cache.get(path, self.sample_rate, self.channels == 1)
        except AudioReadError as exc:
            self._undecodable[path] = str(exc)
            return None


def render(
    project: Project,
    start: int = 0,
    end: int | None = None,
    *,
    cache: MediaCache | None = None,
    library: LibraryResolver | None = None,
    options: MixOptions = MixOptions(),
    normalize_peak_db: float | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """Offline mixdown of a project's [start, end) to float32 (channels, frames); see `Mixer.render_range`."""
    mixer = Mixer(project, cache=cache, library=library, options=options)
    return mixer.render_range(
        start, end, normalize_peak_db=normalize_peak_db, on_progress=on_progress, should_stop=should_stop
    )


def _build_plan(project: Project, library: LibraryResolver | None) -> _Plan:
    voices: list[_Voice] = []
    offline: dict[str, str] = {}
    master = db_to_gain(project.master_gain_db)
    for track in project.audible_tracks():
        fades = effective_fades(track)
        left, right = pan_gains(track.pan)
        for clip in track.clips:
            path, reason = media_path(project, clip.source, library)
            if path is None:
                offline[clip.id] = reason
                continue
            if clip.length == 0:
                continue
            gain = master * db_to_gain(track.gain_db) * db_to_gain(clip.gain_db)
            gains = (gain,) if project.channels == 1 else (gain * left, gain * right)
            fade_in, fade_out = fades[clip.id]
            voices.append(
                _Voice(clip.id, path, clip.start, clip.end, clip.source_in - clip.start, gains, fade_in, fade_out)
            )
    starts = np.array([v.start for v in voices], dtype=np.int64)
    ends = np.array([v.end for v in voices], dtype=np.int64)
    return _Plan(tuple(voices), starts, ends, offline, project.length)


def effective_fades(track: Track) -> dict[str, tuple[Fade, Fade]]:
    """Each clip's (fade-in, fade-out) as the mixer applies them: lengthened to an equal-power crossfade over the
    overlap where a clip overlaps the next one (unless its own fade is longer); the timeline draws these too."""
    fades = {c.id: (c.fade_in, c.fade_out) for c in track.clips}
    clips: list[Clip] = list(track.clips)  # sorted by start
    for a, b in itertools.pairwise(clips):
        overlap = a.end - b.start
        if overlap <= 0 or b.end < a.end:
            continue  # no overlap, or b lies inside a: layered, not crossfaded
        a_in, a_out = fades[a.id]
        b_in, b_out = fades[b.id]
        if a_out.frames < overlap:
            a_out = Fade(overlap, "equal_power")
        if b_in.frames < overlap:
            b_in = Fade(overlap, "equal_power")
        fades[a.id] = (a_in, a_out)
        fades[b.id] = (b_in, b_out)
    return fades
