"""Library clips placed on the timeline: a Clip that refers to its library record, full length at the project rate."""

from __future__ import annotations

from inspiration.engine.composition.project import Clip, ClipSource
from inspiration.engine.library.clip_record import ClipRecord


def record_frames(record: ClipRecord, sample_rate: int) -> int:
    """The record's length in frames at `sample_rate` (as the resampler produces it, like the engine's loader)."""
    native = round(record.duration * record.sample_rate)
    return round(native * sample_rate / record.sample_rate)


def clip_from_record(record: ClipRecord, start: int, sample_rate: int) -> Clip:
    """A clip of the whole library clip `record` at timeline frame `start` of a `sample_rate` project, named as the
    library names it (`ClipRecord.name`)."""
    return Clip(
        source=ClipSource(path="", library_id=record.id),
        start=start,
        source_in=0,
        source_out=record_frames(record, sample_rate),
        name=record.name,
    )
