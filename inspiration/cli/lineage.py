"""`inspiration lineage`: which passages of a model's training audio each clip echoes, and how new each clip is."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "lineage",
        help="find the passages of the training audio a clip echoes",
        description="Compare clips with the audio MODEL was trained on. For each clip, print its novelty (the share "
        "of it that matches no training passage, 0 to 1) and one line per match: SOURCE_FILE "
        "SOURCE_START-SOURCE_END CLIP_START-CLIP_END SIMILARITY (seconds; similarity 0 to 1), the most telling first. "
        "The model's lineage index is built on first use (training builds it too); --build builds it again.",
    )
    p.add_argument("model", type=Path, help="model folder, e.g. models/album")
    p.add_argument("clips", nargs="*", type=Path, metavar="CLIP", help="audio files to compare")
    p.add_argument("--top", type=int, default=5, help="matches shown per clip (default 5)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--build", action="store_true", help="(re)build the model's lineage index first")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.engine.errors import InspirationError
    from inspiration.engine.lineage.clips import file_lineage, model_folder_of
    from inspiration.engine.lineage.index import build_index, load_index

    if args.top < 1:
        raise InspirationError(f"--top must be at least 1, not {args.top}")
    if not args.clips and not args.build:
        raise InspirationError("give the clips to compare (or --build to index the model's training audio)")
    for clip in args.clips:
        if not clip.expanduser().exists():
            raise InspirationError(f"{clip}: there is no such file")
        if not clip.expanduser().is_file():
            raise InspirationError(f"{clip}: not an audio file (a folder, device or pipe)")
    folder = model_folder_of(args.model)
    folder.read_config()  # a clear message for a path that is not a model folder
    progress = _Progress(folder.path)
    index = build_index(folder, progress) if args.build else load_index(folder, on_progress=progress)
    progress.done(index.seconds, len(index.files))
    results = [(clip, file_lineage(index, clip)) for clip in args.clips]
    if args.json:
        print(json.dumps({"model": str(folder.path), "clips": [_as_json(c, lin, args.top) for c, lin in results]}))
    else:
        for clip, lineage in results:
            print(f"{clip}  novelty {lineage.novelty:.2f}")
            for match in lineage.matches[: args.top]:
                print(
                    f"  {match.source}  {match.source_start:.2f}-{match.source_end:.2f}  "
                    f"{match.clip_start:.2f}-{match.clip_end:.2f}  {match.similarity:.2f}"
                )
    return 0


def _as_json(clip: Path, lineage: Any, top: int) -> dict[str, Any]:
    return {
        "clip": str(clip),
        "seconds": round(lineage.seconds, 3),
        "novelty": round(lineage.novelty, 3),
        "matches": [m.to_dict() for m in lineage.matches[:top]],
    }


class _Progress:
    """Says on stderr when the index is being built (it can take a minute for hours of audio)."""

    def __init__(self, model: Path) -> None:
        self._model = model
        self._started = False

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self._started:
            print(f"Indexing the training audio of {self._model} for lineage ...", file=sys.stderr)
            self._started = True
        if sys.stderr.isatty():
            print(f"\r\033[K  {done + 1}/{total}: {Path(path).name}", end="", file=sys.stderr, flush=True)

    def done(self, seconds: float, files: int) -> None:
        if self._started:
            if sys.stderr.isatty():
                print("\r\033[K", end="", file=sys.stderr)
            print(f"Indexed {seconds / 60:.1f} min of audio in {files} file(s)", file=sys.stderr)
