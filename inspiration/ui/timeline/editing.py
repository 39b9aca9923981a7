"""The timeline's editing operations as lists of engine commands (applied by the view as one undo step each).

Qt-free: each function reads the project and returns the commands plus the ids of the clips it makes.
"""

from __future__ import annotations

from dataclasses import replace

from inspiration.engine.composition.edits import AddClip, AddTrack, Command, DeleteClip, DuplicateClip, SplitClip
from inspiration.engine.composition.project import Clip, Project, Track, new_id


def split_at(project: Project, at: int, clip_ids: set[str]) -> list[Command]:
    """Split the given (selected) clips that lie under frame `at`; with none given, every clip under it."""
    under = [c for _, c in project.clips() if c.start < at < c.end]
    chosen = [c for c in under if c.id in clip_ids] if clip_ids else under
    return [SplitClip(c.id, at) for c in chosen]


def delete_clips(project: Project, clip_ids: set[str]) -> list[Command]:
    return [DeleteClip(c.id) for _, c in project.clips() if c.id in clip_ids]


def duplicate_clips(project: Project, clip_ids: set[str]) -> tuple[list[Command], list[str]]:
    """Copies of the clips placed right after the group (a single clip: right after itself), on the same tracks."""
    chosen = [c for _, c in project.clips() if c.id in clip_ids]
    if not chosen:
        return [], []
    shift = max(c.end for c in chosen) - min(c.start for c in chosen)
    commands = [DuplicateClip(c.id, start=c.start + shift) for c in chosen]
    return list(commands), [c.copy_id for c in commands]


def paste_clips(clips: list[Clip], track_id: str, at: int) -> tuple[list[Command], list[str]]:
    """Copies of `clips` (as copied: their relative positions kept) on one track, the first starting at `at`."""
    if not clips:
        return [], []
    first = min(c.start for c in clips)
    copies = [replace(c, id=new_id(), start=at + c.start - first) for c in clips]
    return [AddClip(track_id, c) for c in copies], [c.id for c in copies]


def place_in_row(project: Project, clips: list[Clip], track_id: str | None) -> tuple[list[Command], str]:
    """Clips added one after the other (already positioned) on a track; a new track when `track_id` is None or
    unknown. Returns the commands and the id of the track they land on."""
    commands: list[Command] = []
    if track_id is None or all(t.id != track_id for t in project.tracks):
        track = Track(name=next_track_name(project))
        commands.append(AddTrack(track))
        track_id = track.id
    commands.extend(AddClip(track_id, c) for c in clips)
    return commands, track_id


def next_track_name(project: Project) -> str:
    """'Track N' with the first N not taken."""
    names = {t.name for t in project.tracks}
    n = len(project.tracks) + 1
    while f"Track {n}" in names:
        n += 1
    return f"Track {n}"
