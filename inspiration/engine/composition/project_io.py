"""Project files: versioned JSON with times in seconds and media paths relative to the project folder.

    {"format": "inspiration-project", "version": 1, "sample_rate": 48000, "channels": 2, "master_gain_db": 0,
     "tracks": [{"name": "Lead", "gain_db": -3, "pan": -0.2, "mute": false, "solo": false,
                 "clips": [{"source": {"path": "clips/take1.wav"}, "start": 2.5, "in": 0, "out": 8,
                            "gain_db": 0, "fade_in": {"seconds": 0.05, "shape": "linear"},
                            "fade_out": {"seconds": 1, "shape": "equal_power"}}]}],
     "markers": [{"time": 30, "name": "Chorus"}],
     "tempo": {"bpm": 120, "beats_per_bar": 4, "beat_unit": 4}, "grid": "bars",
     "library": "/home/ana/Music/Inspiration library"}

Written by hand, most keys may be left out: ids are made up, gains 0, pan centred, "in" 0 and "out" the end of the
media; a source may be a plain path string and a fade a number of seconds (linear); without "tempo" and "grid" (as
in files from before they existed) the project is in 4/4 at 120 BPM on a bars-and-beats grid. "library" (optional,
absolute) names the clip library the clips' `library_id`s belong to, so `inspiration render` finds them as the app
does; "generate" (optional object) keeps the app's generate settings (the curve, clip length, count, seed, model).
Saving writes every key. Files are written atomically; the autosave goes to a recovery file beside the project that
a normal save removes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inspiration.engine.atomic import write_json_atomic
from inspiration.engine.audio.files import probe
from inspiration.engine.composition.project import (
    Clip,
    ClipSource,
    Fade,
    LibraryResolver,
    Marker,
    Project,
    Track,
    check_media,
    media_path,
    new_id,
    to_frames,
    to_seconds,
)
from inspiration.engine.composition.tempo import GRID_MODES, Tempo
from inspiration.engine.errors import AudioReadError, EditError, LimitError, ProjectFileError, ProjectVersionError
from inspiration.engine.limits import (
    MAX_GAIN_DB,
    MAX_RATE,
    MAX_SECONDS,
    MIN_GAIN_DB,
    MIN_RATE,
    checked_float,
    checked_int,
    load_json_limited,
)

FORMAT = "inspiration-project"
#: The project format version this code writes; it reads every version up to this one.
VERSION = 1
_REQUIRED = object()


def project_to_dict(project: Project) -> dict[str, Any]:
    """The JSON-ready form of a project (times in seconds)."""
    rate = project.sample_rate

    def fade(f: Fade) -> dict[str, Any]:
        return {"seconds": to_seconds(f.frames, rate), "shape": f.shape}

    def clip(c: Clip) -> dict[str, Any]:
        source: dict[str, Any] = {"path": c.source.path}
        if c.source.library_id is not None:
            source["library_id"] = c.source.library_id
        return {
            "id": c.id,
            "name": c.name,
            "source": source,
            "start": to_seconds(c.start, rate),
            "in": to_seconds(c.source_in, rate),
            "out": to_seconds(c.source_out, rate),
            "gain_db": c.gain_db,
            "fade_in": fade(c.fade_in),
            "fade_out": fade(c.fade_out),
        }

    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "sample_rate": rate,
        "channels": project.channels,
        "master_gain_db": project.master_gain_db,
        "tracks": [
            {
                "id": t.id,
                "name": t.name,
                "gain_db": t.gain_db,
                "pan": t.pan,
                "mute": t.mute,
                "solo": t.solo,
                "clips": [clip(c) for c in t.clips],
            }
            for t in project.tracks
        ],
        "markers": [{"id": m.id, "time": to_seconds(m.time, rate), "name": m.name} for m in project.markers],
        **_tempo_to_dict(project),
    }
    if project.library is not None:
        data["library"] = str(Path(project.library).absolute())
    if project.generate is not None:
        data["generate"] = project.generate
    return data


def project_from_dict(
    data: Any, folder: Path | None = None, library: LibraryResolver | None = None, file: str = "project"
) -> Project:
    """Build a Project from its JSON form; ProjectFileError/ProjectVersionError say what is wrong and where.

    Clips whose media is missing (or outside `folder`) are kept and listed in `project.offline`.
    """
    top = _Obj(data, file, "")
    fmt = top.get("format", str, FORMAT)
    if fmt != FORMAT:
        raise ProjectFileError(f"{file} is not an Inspiration project (its format is {fmt!r})")
    version = top.get("version", int)
    version = top.checked(lambda: checked_int(version, "version", 0, 10**9), "version")
    if version > VERSION:
        raise ProjectVersionError(
            f"{file} was saved by a newer Inspiration (project format {version}; this version reads up to "
            f"{VERSION}). Update Inspiration to open it."
        )
    if version < 1:
        raise ProjectFileError(f"{file}: version {version} is not a project format version")
    rate = top.get("sample_rate", int, 48000)
    rate = top.checked(lambda: checked_int(rate, "sample_rate", MIN_RATE, MAX_RATE), "")
    channels = top.get("channels", int, 2)
    channels = top.checked(lambda: checked_int(channels, "channels", 1, 2), "")
    master_gain_db = top.gain("master_gain_db")
    library_folder = top.get("library", str, "")
    if library_folder and not Path(library_folder).is_absolute():
        raise top.error(f"should be an absolute folder path, not {library_folder!r}", "library")
    try:
        project = Project(
            sample_rate=rate,
            channels=channels,
            master_gain_db=master_gain_db,
            folder=folder,
            library=Path(library_folder) if library_folder else None,
            generate=top.get("generate", dict, None),
        )
    except (ValueError, EditError) as exc:
        raise ProjectFileError(f"{file}: {exc}") from exc
    media = _MediaLengths(project, library)
    tracks = [_track(t, media) for t in top.items("tracks")]
    markers = [_marker(m, rate) for m in top.items("markers")]
    project.tracks, project.markers = [], []
    for track in tracks:
        project.put_track(track)
    for marker in markers:
        project.put_marker(marker)
    _read_tempo(top, project)
    project.revision = 0
    offline = check_media(project, library)
    for clip_id in media.unknown:
        why = offline.get(clip_id, "its media cannot be read")
        offline[clip_id] = why + " (its length is unknown, so the clip is empty until the file is back)"
    return project


def load_project(path: str | os.PathLike[str], library: LibraryResolver | None = None) -> Project:
    """Read a project file; its folder anchors the relative media paths."""
    path = Path(path)
    try:
        data = load_json_limited(path, "the project file")
    except FileNotFoundError as exc:
        raise ProjectFileError(f"{path} does not exist") from exc
    except LimitError as exc:
        raise ProjectFileError(str(exc)) from exc
    except OSError as exc:
        raise ProjectFileError(f"{path} cannot be read as a project file ({exc.strerror or exc})") from exc
    return project_from_dict(data, folder=path.parent.resolve(), library=library, file=str(path))


def save_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write the project atomically and remove its recovery file. The project's media paths are relative to its
    folder, so a project with clips can only be saved in that folder (collect the media to save it elsewhere)."""
    path = Path(path)
    folder = path.parent.resolve()
    moved = project.folder is not None and project.folder.resolve() != folder
    if moved and any(c.source.path for _, c in project.clips()):
        raise ProjectFileError(
            f"this project's clip paths are relative to {project.folder}; save it there, or copy the media "
            f"into {folder} first"
        )
    project.folder = folder
    write_json_atomic(path, project_to_dict(project))
    discard_recovery(path)
    return path


def recovery_path(path: str | os.PathLike[str]) -> Path:
    """Where the autosave of the project file `path` goes (a hidden file beside it)."""
    path = Path(path)
    return path.with_name(f".{path.name}.autosave")


def autosave(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write the project to its recovery file (atomically); the project file itself is left alone."""
    target = recovery_path(path)
    write_json_atomic(target, project_to_dict(project))
    return target


def find_recovery(path: str | os.PathLike[str]) -> Path | None:
    """The recovery file of `path` when it holds newer work than the project file (offer it to the user)."""
    path, recovery = Path(path), recovery_path(path)
    if not recovery.is_file():
        return None
    if path.is_file() and path.stat().st_mtime_ns > recovery.stat().st_mtime_ns:
        return None
    return recovery


def discard_recovery(path: str | os.PathLike[str]) -> None:
    recovery_path(path).unlink(missing_ok=True)


class Autosaver:
    """Call it from a timer: writes the recovery file only when the project changed since the last call."""

    def __init__(self, project: Project, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._revision = project.revision

    def __call__(self, project: Project) -> bool:
        if project.revision == self._revision:
            return False
        autosave(project, self.path)
        self._revision = project.revision
        return True


# -- reading with clear messages --------------------------------------------------------------------------------------


class _Obj:
    """A JSON object with typed access; errors name the file and the place in it (e.g. tracks[0].clips[2].start)."""

    def __init__(self, data: Any, file: str, where: str) -> None:
        self.file, self.where = file, where
        if not isinstance(data, dict):
            raise self.error(f"should be an object, not {_kind(data)}")
        self.data = data

    def error(self, message: str, key: str = "") -> ProjectFileError:
        place = ".".join(p for p in (self.where, key) if p) or "the top level"
        return ProjectFileError(f"{self.file}: {place} {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = _REQUIRED) -> Any:
        if key not in self.data or self.data[key] is None:
            if default is _REQUIRED:
                raise self.error("is missing", key)
            return default
        value = self.data[key]
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.checked(lambda: checked_float(value, "it"), key)
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            raise self.error(f"should be {' or '.join(_KIND_NAMES[k] for k in kinds)}, not {_kind(value)}", key)
        return value

    def checked(self, check: Any, key: str) -> Any:
        """`check()`, its LimitError turned into this file's error at `key` ('it must be ...' → 'key must be ...')."""
        try:
            return check()
        except LimitError as exc:
            message = str(exc)
            raise self.error(message[3:] if message.startswith("it ") else message, key) from None

    def gain(self, key: str) -> float:
        """A gain in dB (0 when absent), within the range a project may hold."""
        value = self.get(key, float, 0.0)
        return float(self.checked(lambda: checked_float(value, "it", MIN_GAIN_DB, MAX_GAIN_DB), key))

    def items(self, key: str) -> list[_Obj]:
        values = self.get(key, list, [])
        return [_Obj(v, self.file, f"{self.where + '.' if self.where else ''}{key}[{i}]") for i, v in enumerate(values)]

    def seconds(self, key: str, rate: int, default: int | None | object = _REQUIRED) -> Any:
        """A time in seconds, returned as frames at `rate` (or `default` when absent)."""
        if self.data.get(key) is None and default is not _REQUIRED:
            return default
        value = self.get(key, float)
        if not value >= 0:
            raise self.error(f"cannot be negative ({value})", key)
        if value > MAX_SECONDS:
            raise self.error(f"is {value:g} s; times in a project go up to {MAX_SECONDS:g} s (24 hours)", key)
        return to_frames(value, rate)


class _MediaLengths:
    """Media lengths at the project rate, probed once per source while a project loads; `unknown` collects the clips
    whose length could not be found."""

    def __init__(self, project: Project, library: LibraryResolver | None) -> None:
        self.project, self.library = project, library
        self.unknown: set[str] = set()
        self._frames: dict[ClipSource, int | None] = {}

    def frames(self, source: ClipSource) -> int | None:
        if source not in self._frames:
            self._frames[source] = _media_frames(self.project, source, self.library)
        return self._frames[source]


def _track(obj: _Obj, media: _MediaLengths) -> Track:
    clips = tuple(_clip(c, media) for c in obj.items("clips"))
    try:
        return Track(
            name=obj.get("name", str, "Track"),
            gain_db=obj.gain("gain_db"),
            pan=obj.get("pan", float, 0.0),
            mute=obj.get("mute", bool, False),
            solo=obj.get("solo", bool, False),
            clips=clips,
            id=obj.get("id", str, None) or new_id(),
        )
    except ValueError as exc:
        raise obj.error(f"is invalid: {exc}") from exc


def _clip(obj: _Obj, media: _MediaLengths) -> Clip:
    rate = media.project.sample_rate
    raw = obj.get("source", (str, dict))
    if isinstance(raw, str):
        if not raw:
            raise obj.error("is empty; give the clip's file path", "source")
        source = ClipSource(path=raw)
    else:
        src = _Obj(raw, obj.file, f"{obj.where}.source")
        source = ClipSource(path=src.get("path", str, ""), library_id=src.get("library_id", str, None))
        if not source.path and source.library_id is None:
            raise src.error("needs a path or a library_id")
    clip_id = obj.get("id", str, None) or new_id()
    source_in = obj.seconds("in", rate, 0)
    source_out = obj.seconds("out", rate, None)
    if source_out is None:
        source_out = media.frames(source)
        if source_out is None:
            media.unknown.add(clip_id)
            source_out = source_in
    try:
        return Clip(
            source=source,
            start=obj.seconds("start", rate, 0),
            source_in=source_in,
            source_out=source_out,
            gain_db=obj.gain("gain_db"),
            fade_in=_fade(obj, "fade_in", rate),
            fade_out=_fade(obj, "fade_out", rate),
            name=obj.get("name", str, ""),
            id=clip_id,
        )
    except ValueError as exc:
        raise obj.error(f"is invalid: {exc}") from exc


def _fade(obj: _Obj, key: str, rate: int) -> Fade:
    raw = obj.data.get(key)
    if raw is None:
        return Fade()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        fade = _Obj({"seconds": raw}, obj.file, f"{obj.where}.{key}")
    else:
        fade = _Obj(raw, obj.file, f"{obj.where}.{key}")
    try:
        return Fade(frames=fade.seconds("seconds", rate, 0), shape=fade.get("shape", str, "linear"))
    except ValueError as exc:
        raise fade.error(f"is invalid: {exc}") from exc


def _marker(obj: _Obj, rate: int) -> Marker:
    return Marker(
        time=obj.seconds("time", rate), name=obj.get("name", str, ""), id=obj.get("id", str, None) or new_id()
    )


def _tempo_to_dict(project: Project) -> dict[str, Any]:
    tempo = project.tempo
    return {
        "tempo": {"bpm": tempo.bpm, "beats_per_bar": tempo.beats_per_bar, "beat_unit": tempo.beat_unit},
        "grid": project.grid,
    }


def _read_tempo(top: _Obj, project: Project) -> None:
    """The optional tempo and grid (defaults when absent)."""
    grid = top.get("grid", str, project.grid)
    if grid not in GRID_MODES:
        raise top.error(f"should be {' or '.join(GRID_MODES)}, not {grid!r}", "grid")
    tempo = project.tempo
    if top.data.get("tempo") is not None:
        obj = _Obj(top.data["tempo"], top.file, "tempo")
        try:
            tempo = Tempo(
                bpm=obj.get("bpm", float, tempo.bpm),
                beats_per_bar=obj.get("beats_per_bar", int, tempo.beats_per_bar),
                beat_unit=obj.get("beat_unit", int, tempo.beat_unit),
            )
        except ValueError as exc:
            raise obj.error(f"is invalid: {exc}") from exc
    project.set_tempo(tempo, grid)


def _media_frames(project: Project, source: ClipSource, library: LibraryResolver | None) -> int | None:
    """Length of a clip's media at the project rate (as the resampler will produce it), or None when unreadable."""
    path, _ = media_path(project, source, library)
    if path is None:
        return None
    try:
        info = probe(path)
    except AudioReadError:
        return None
    if info.sample_rate <= 0:
        return None
    return min(round(info.frames * project.sample_rate / info.sample_rate), round(MAX_SECONDS * project.sample_rate))


_KIND_NAMES = {
    int: "a whole number",
    float: "a number",
    str: "text",
    bool: "true or false",
    list: "a list",
    dict: "an object",
}


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
