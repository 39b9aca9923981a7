"""A live model as a playback source: the streamer's feeder thread pulls its blocks from a `LiveSession`.

Threads: `render` runs on the feeder thread and runs the model there (it may take a model block's time; the queue in
front of the audio callback absorbs that). Everything else is called from the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from inspiration.engine.generation.live import LiveSession

#: A live source has no end the player could reach.
ENDLESS = 2**62


class LiveSource:
    """Plays `session` from its start; frames are the session's output frames (its `output_rate`)."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session

    @property
    def sample_rate(self) -> int:
        return self.session.output_rate

    @property
    def length(self) -> int:
        return ENDLESS

    def render(self, start: int, frames: int) -> tuple[np.ndarray, ...]:
        """The next `frames` frames of the session (a live stream only goes forward, so `start` is not used)."""
        return (self.session.read(frames),)

    def stream_frame(self, output_frame: int) -> int:
        """The session's model-rate frame the listener hears at `output_frame` of this source."""
        return self.session.output_to_stream_frame(output_frame)
