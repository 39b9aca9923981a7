"""Edits of a stretch of time across every track: delete a time selection, optionally closing the gap (ripple).

Qt-free: `delete_range` reads the project and returns engine commands to apply as one undo step. Clips wholly inside
the range go, clips reaching into it are trimmed back to its edges (keeping their fades), and a clip spanning it is
split at the range's end and its left part trimmed. With `ripple`, everything after the range moves left by its
length; without it (the default) nothing else moves and a silent gap is left.
"""

from __future__ import annotations

from inspiration.engine.composition.edits import Command, DeleteClip, MoveClip, SplitClip, TrimClip
from inspiration.engine.composition.project import Project
from inspiration.engine.errors import EditError


def delete_range(project: Project, start: int, end: int, ripple: bool = False) -> list[Command]:
    """The commands that remove timeline frames [start, end) from every track (none when nothing lies there)."""
    if not 0 <= start < end:
        raise EditError(f"a time range runs forward from 0 or later, not [{start}, {end})")
    length = end - start
    commands: list[Command] = []
    moves: list[Command] = []
    for _, clip in project.clips():
        if clip.end <= start:
            continue
        if clip.start >= end:
            if ripple:
                moves.append(MoveClip(clip.id, clip.start - length, text="Close gap"))
            continue
        if start <= clip.start and clip.end <= end:
            commands.append(DeleteClip(clip.id, text="Delete time"))
        elif clip.start < start and clip.end > end:
            split = SplitClip(clip.id, end, text="Delete time")
            commands += [split, TrimClip(clip.id, end=start, text="Delete time")]
            if ripple:
                moves.append(MoveClip(split.right_id, start, text="Close gap"))
        elif clip.start < start:
            commands.append(TrimClip(clip.id, end=start, text="Delete time"))
        else:
            commands.append(TrimClip(clip.id, start=end, text="Delete time"))
            if ripple:
                moves.append(MoveClip(clip.id, start, text="Close gap"))
    return commands + moves
