"""The streaming player core (no Qt): a feeder thread renders ahead, the audio callback plays from a queue.

Threads:
- GUI thread: `play`, `stop`, `seek`, `set_loop`, `set_variant`, `position`, `close`. These return at once; they
  only swap the cursor under a short lock and drain the queue.
- Feeder thread (a plain Python thread, one per Streamer, alive until `close`): renders fixed blocks of `block`
  frames from the source into a bounded queue about `ahead_s` seconds deep. It may take its time (mixing, decoding
  media on first use); it blocks on the full queue and sleeps on an event while idle.
- Audio callback (the output's thread): takes pre-rendered blocks with `get_nowait` and copies them into `outdata`.
  It never renders, waits, does I/O or creates arrays. An empty queue plays zeros and counts an underrun. The
  frames it copies advance the clock, so `position()` is where the listener is, not where the feeder is.

Every play, seek and stop starts a new generation: blocks of an older generation are dropped wherever they are met,
so a seek never plays stale audio. Edits of the source (`Mixer.update`) start no generation: the queued audio plays
out and the change is heard after it, with no dropout. A loop region makes the feeder wrap at the loop end.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from dataclasses import dataclass

import numpy as np

from inspiration.ui.playback.output import AudioOutput, OutputFactory
from inspiration.ui.playback.sources import Source

log = logging.getLogger(__name__)
#: Frames rendered per block.
BLOCK = 2048
#: How far ahead of the listener the feeder renders (seconds).
AHEAD_S = 0.4
_PUT_POLL_S = 0.05  # how often a feeder waiting on a full queue looks for a seek or stop


@dataclass(frozen=True)
class _Block:
    """Rendered frames [start, start + len) of one generation: each variant float32 (frames, channels). No
    variants marks the end of the source."""

    generation: int
    start: int
    variants: tuple[np.ndarray, ...]


class Streamer:
    """Plays a Source through an output opened from `output_factory` (which may raise AudioUnavailable)."""

    def __init__(
        self,
        sample_rate: int,
        output_factory: OutputFactory,
        channels: int = 2,
        block: int = BLOCK,
        ahead_s: float = AHEAD_S,
    ) -> None:
        self.sample_rate = sample_rate
        self.block = block
        self.output: AudioOutput = output_factory(sample_rate, channels, block, self._callback)
        self.channels = self.output.channels
        self._queue: queue.Queue[_Block] = queue.Queue(maxsize=max(2, math.ceil(ahead_s * sample_rate / block)))
        # Cursor, shared by the GUI and feeder threads under `_lock`.
        self._lock = threading.Lock()
        self._generation = 0
        self._source: Source | None = None
        self._next = 0
        self._fed_to_end = True
        self._seek_frame = 0
        self._loop: tuple[int, int] | None = None
        self._variant = 0
        self._running = False
        self._closing = False
        self._wake = threading.Event()
        #: Why the source stopped rendering (an unexpected error), for the GUI to report; "" when all is well.
        self.failure = ""
        # Written only by the audio callback.
        self._current: _Block | None = None
        self._offset = 0
        self._clock = (0, 0)  # (generation, source frame of the next frame the listener hears)
        self._ended = -1  # the generation whose end marker was reached
        self._heard = -1  # the generation that has played at least one frame
        self.underruns = 0
        self.frames_played = 0
        self._thread = threading.Thread(target=self._feed, name="playback-feeder", daemon=True)
        self._thread.start()

    # -- GUI thread -----------------------------------------------------------------------------------------------

    def play(self, source: Source, frame: int = 0) -> None:
        """Play `source` from `frame` (replacing whatever played); raises AudioUnavailable if the output fails."""
        self._restart(source, frame)
        if not self._running:
            try:
                self.output.start()
            except Exception:
                self._restart(None, frame)
                raise
            self._running = True

    def stop(self) -> int:
        """Stop the output and forget the queued audio; returns the position the listener had reached."""
        frame = self.position()
        if self._running:
            self.output.stop()
            self._running = False
        self._restart(None, frame)
        return frame

    def seek(self, frame: int) -> None:
        """Continue from `frame`: the queue is flushed and rendering restarts there."""
        with self._lock:
            source = self._source
        self._restart(source, frame)

    def set_loop(self, region: tuple[int, int] | None) -> None:
        """Wrap from region's end to its start (frames), or play straight on (None). Queued audio is kept."""
        if region is not None and not 0 <= region[0] < region[1]:
            raise ValueError(f"a loop region needs 0 <= start < end, not {region}")
        self._loop = region

    def set_variant(self, index: int) -> None:
        """Which variant of a multi-variant source to hear (0: A, 1: B); takes effect within one callback."""
        self._variant = index

    def position(self) -> int:
        """The source frame the listener hears now (the last seek target until the first new frame plays)."""
        generation, frame = self._clock
        return frame if generation == self._generation else self._seek_frame

    @property
    def playing(self) -> bool:
        return self._running

    @property
    def finished(self) -> bool:
        """True once everything up to the source's end has been played (never while looping)."""
        return self._ended == self._generation

    def primed(self) -> bool:
        """True when the queue is full or the feeder has rendered up to the end: pulling now cannot underrun."""
        with self._lock:
            done = self._fed_to_end
        return done or self._queue.full()

    def fill(self) -> float:
        """How full the queue is, 0..1 (a buffer-health meter)."""
        return self._queue.qsize() / self._queue.maxsize

    def close(self) -> None:
        """Stop playing, end the feeder thread and close the output."""
        self.stop()
        with self._lock:
            self._closing = True
        self._wake.set()
        self._thread.join(timeout=5)
        self.output.close()

    def _restart(self, source: Source | None, frame: int) -> None:
        with self._lock:
            self._generation += 1
            self._source = source
            self._next = frame
            self._seek_frame = frame
            self._fed_to_end = source is None
            self.failure = ""
        self._drain()
        self._wake.set()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    # -- feeder thread --------------------------------------------------------------------------------------------

    def _feed(self) -> None:
        while True:
            self._wake.clear()
            with self._lock:
                if self._closing:
                    return
                generation, source, frame, idle = self._generation, self._source, self._next, self._fed_to_end
            if source is None or idle:
                self._wake.wait()
                continue
            try:
                item, after = self._render(generation, source, frame)
            except Exception as exc:  # a bug in a source: end this playback, keep the app alive
                log.exception("playback rendering failed")
                item, after = _Block(generation, frame, ()), frame
                with self._lock:
                    if generation == self._generation:
                        self.failure = f"playback stopped: {type(exc).__name__}: {exc}"
            with self._lock:
                if generation != self._generation:
                    continue
                self._next = after
            self._put(item)
            if not item.variants:  # the end is queued: nothing more to render for this generation
                with self._lock:
                    self._fed_to_end = self._fed_to_end or generation == self._generation

    def _render(self, generation: int, source: Source, frame: int) -> tuple[_Block, int]:
        """The block at `frame` and the frame after it (wrapped at the loop end)."""
        loop = self._loop
        looping = loop is not None and frame < loop[1]
        stop = loop[1] if looping and loop is not None else source.length
        if frame >= stop:
            return _Block(generation, frame, ()), frame
        frames = min(self.block, stop - frame)
        variants = tuple(self._interleave(v) for v in source.render(frame, frames))
        after = frame + frames
        if looping and loop is not None and after >= stop:
            after = loop[0]
        return _Block(generation, frame, variants), after

    def _interleave(self, audio: np.ndarray) -> np.ndarray:
        """(channels, frames) → (frames, output channels): mono is copied to every output, stereo to a mono one is
        averaged."""
        audio = np.atleast_2d(audio)
        out = np.empty((audio.shape[1], self.channels), dtype=np.float32)
        if audio.shape[0] == 1:
            out[:] = audio[0][:, None]
        elif self.channels == 1:
            out[:, 0] = audio.mean(axis=0)
        else:
            out[:] = audio[: self.channels].T
        return out

    def _put(self, item: _Block) -> None:
        while not self._closing and item.generation == self._generation:
            try:
                self._queue.put(item, timeout=_PUT_POLL_S)
                return
            except queue.Full:
                continue

    # -- audio callback -------------------------------------------------------------------------------------------

    def _callback(self, outdata: np.ndarray) -> None:
        frames = outdata.shape[0]
        generation = self._generation
        variant = self._variant
        done = 0
        while done < frames:
            block = self._current
            if block is None or block.generation != generation:
                block = self._take(generation)
                if block is None or not block.variants:
                    outdata[done:] = 0.0
                    if block is not None:
                        self._ended = generation
                    elif self._heard == generation and self._ended != generation:
                        self.underruns += 1
                    self._current = None
                    return
                self._current = block
                self._offset = 0
            data = block.variants[variant if variant < len(block.variants) else 0]
            take = min(frames - done, data.shape[0] - self._offset)
            outdata[done : done + take] = data[self._offset : self._offset + take]
            self._offset += take
            done += take
            self.frames_played += take
            self._heard = generation
            self._clock = (generation, block.start + self._offset)
            if self._offset >= data.shape[0]:
                self._current = None

    def _take(self, generation: int) -> _Block | None:
        """The next queued block of this generation (older ones are dropped), or None when the queue is empty."""
        while True:
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                return None
            if block.generation == generation:
                return block
