"""The clip library: a folder of generated and imported clips with their metadata, ratings and quality flags.

    my-library/
      manifest.sqlite      one row per clip (see `inspiration.engine.library.manifest` for the format and why SQLite)
      clips/<id>.wav       the audio, written atomically; the id is the file name unless a file was adopted

Each record carries what a clip list needs without decoding audio: duration, rate, peak, RMS, quality flags and
score, the temperature curve and a 256-point min/max waveform overview. Nothing here deletes audio except
`remove(..., delete_audio=True)`. A clip file deleted by hand leaves its record marked `missing` (checked on every
read) until `prune_missing()`; audio files found in clips/ without a record are adopted by `refresh()`; a record
that cannot be read is skipped with an InspirationWarning.

A new clip's record is inserted before its audio is written (that is how two writers never pick the same file name),
so a crash in between leaves a record marked missing, never audio without a record. Every method may be called from
any thread or process; each is one short transaction, but `add` and `import_file` also analyse and write audio (tens
of milliseconds for a 45 s clip), so call them off the GUI thread.
"""

from __future__ import annotations

import builtins
import json
import os
import secrets
import shutil
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np

from inspiration.engine.atomic import atomic_path, remove_stale_temporaries
from inspiration.engine.audio.files import is_audio_path, read_audio, write_audio
from inspiration.engine.curves.curve import TemperatureCurve, parse_curve
from inspiration.engine.errors import (
    AudioReadError,
    InspirationError,
    InspirationWarning,
    LibraryError,
    OutputNotWritableError,
)
from inspiration.engine.library.clip_record import (
    CLIP_FLAGS,
    MAX_RATING,
    ClipRecord,
    checked_text,
    clean_tags,
    optional_int,
    optional_min_p,
    optional_text,
    optional_top_k,
    overview_bytes,
    record_from_row,
    safe_relative,
)
from inspiration.engine.library.manifest import COLUMNS, open_manifest, session
from inspiration.engine.library.quality import analyse_clip

CLIPS_FOLDER = "clips"
FORMATS = ("wav", "flac", "ogg")
SortKey = Literal["created", "rating", "quality", "duration", "novelty"]
SORT_KEYS: tuple[SortKey, ...] = ("created", "rating", "quality", "duration", "novelty")


@dataclass(frozen=True)
class RefreshResult:
    """What `refresh` found: records whose audio is gone, and audio files in clips/ it adopted as new records."""

    missing: tuple[ClipRecord, ...]
    adopted: tuple[ClipRecord, ...]


class ClipLibrary:
    """A folder of clips and their manifest; created when absent."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser().absolute()  # stored by callers: never relative to a working folder
        self.clips_folder = self.folder / CLIPS_FOLDER
        damaged = open_manifest(self.folder)
        try:
            self.clips_folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputNotWritableError(f"cannot create {self.clips_folder}: {exc.strerror or exc}") from exc
        remove_stale_temporaries(self.clips_folder)
        if damaged is None and len(self) == 0 and any(self._orphan_audio()):
            adopted = self.refresh().adopted  # an emptied manifest (0 bytes, deleted): its clips stay visible
            _warn(
                f"the clip library's manifest was empty; {len(adopted)} audio file(s) in {self.clips_folder} were "
                "listed again (their ratings, tags and notes are lost)"
            )
        elif damaged is not None:
            adopted = self.refresh().adopted
            _warn(
                f"the clip library's manifest was damaged; it was kept as {damaged.name} and a new one was made from "
                f"the {len(adopted)} audio file(s) in {self.clips_folder} (their ratings, tags and notes are lost)"
            )

    def _orphan_audio(self) -> Iterable[Path]:
        return (p for p in self.clips_folder.rglob("*") if is_audio_path(p) and not p.name.startswith("."))

    def __len__(self) -> int:
        with session(self.folder) as db:
            return int(db.execute("SELECT COUNT(*) FROM clips").fetchone()[0])

    def add(
        self,
        audio: np.ndarray,
        sample_rate: int,
        *,
        model: str | None = None,
        checkpoint_step: int | None = None,
        seed: int | None = None,
        curve: TemperatureCurve | Mapping[str, Any] | str | None = None,
        min_p: float | None = None,
        top_k: int | None = None,
        prime: str | None = None,
        tags: Iterable[str] = (),
        notes: str = "",
        format: str = "wav",
        name: str | None = None,
    ) -> ClipRecord:
        """Analyse float32 audio ((frames,) or (channels, frames)), write it to clips/ atomically and record it.

        `name` chooses the file name (made safe and unique); by default it is "clip-<UTC time>-<random>".
        """
        data = _checked_audio(audio, sample_rate)
        if format not in FORMATS:
            raise LibraryError(f"cannot store clips as {format!r}; choose one of {', '.join(FORMATS)}")
        fields = {
            "model": optional_text(model, "model"),
            "checkpoint_step": optional_int(checkpoint_step, "checkpoint step"),
            "seed": optional_int(seed, "seed"),
            "curve": None if curve is None else json.dumps(_curve(curve).to_dict()),
            "min_p": optional_min_p(min_p),
            "top_k": optional_top_k(top_k),
            "prime": optional_text(prime, "prime"),
            "tags": json.dumps(clean_tags(tags)),
            "notes": checked_text(notes, "notes"),
        }
        record = self._reserve(name or _default_name(), data, sample_rate, fields, suffix=f".{format}")
        try:
            write_audio(self.folder / record.path, data, sample_rate)
        except BaseException:
            self._delete_row(record.id)
            raise
        return self.get(record.id)

    def import_file(self, path: str | os.PathLike[str]) -> ClipRecord:
        """Copy an audio file into the library (keeping its format) and record it; a file already in clips/ is
        adopted without copying. Raises AudioReadError for a file that is not readable audio."""
        source = Path(path).expanduser()
        if not source.is_file():
            raise LibraryError(f"cannot import {source}: there is no such file")
        if self._relative(source) is not None:
            return self._adopt(source)
        data, rate = read_audio(source)
        if data.shape[-1] == 0:
            raise AudioReadError(f"{source}: holds no audio (0 samples)")
        record = self._reserve(source.stem, data, rate, {"source": str(source)}, suffix=source.suffix.lower())
        try:
            with atomic_path(self.folder / record.path) as tmp:
                shutil.copyfile(source, tmp)
        except OSError as exc:
            self._delete_row(record.id)
            raise OutputNotWritableError(f"cannot copy {source} into the library: {exc.strerror or exc}") from exc
        except BaseException:
            self._delete_row(record.id)
            raise
        return self.get(record.id)

    def get(self, clip_id: str) -> ClipRecord:
        """The record of one clip; LibraryError if there is none or it cannot be read."""
        with session(self.folder) as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM clips WHERE id = ?", (clip_id,)).fetchone()
        if row is None:
            raise LibraryError(f"there is no clip '{clip_id}' in the library at {self.folder}")
        return record_from_row(row, self.folder)

    def get_many(self, clip_ids: Iterable[str]) -> dict[str, ClipRecord]:
        """The records of these clips, read at once; ids the library does not hold are left out."""
        wanted = list(dict.fromkeys(clip_ids))
        rows = []
        with session(self.folder) as db:
            for start in range(0, len(wanted), 500):  # SQLite limits the parameters of one statement
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                rows += db.execute(f"SELECT {', '.join(COLUMNS)} FROM clips WHERE id IN ({marks})", chunk).fetchall()
        records = {str(row[0]): record_from_row(row, self.folder) for row in rows}
        return {i: records[i] for i in wanted if i in records}

    def paths(self) -> dict[str, Path]:
        """Every clip's audio file by id, read at once (a file may be missing: see ClipRecord.missing)."""
        with session(self.folder) as db:
            rows = db.execute("SELECT id, path FROM clips").fetchall()
        return {str(i): self.folder / str(p) for i, p in rows if safe_relative(p) is not None}

    def path_of(self, clip_id: str) -> Path:
        """Where the clip's audio file is (it may be missing: see ClipRecord.missing)."""
        return self.folder / self.get(clip_id).path

    def list(
        self,
        *,
        include_discarded: bool = False,
        min_rating: int | None = None,
        flags: Collection[str] | None = None,
        exclude_flags: Collection[str] = (),
        model: str | None = None,
        tag: str | None = None,
        sort: SortKey = "created",
        descending: bool = True,
    ) -> list[ClipRecord]:
        """Records matching every filter given, sorted (newest, best-rated, best-quality or longest first).

        `flags`: clips with at least one of these quality flags; `exclude_flags`: clips with none of them.
        Sorting by "quality" puts flagged (dreary), quiet and missing clips last; by "novelty", clips never compared
        with their training audio come last either way. Ties keep newest first.
        """
        if sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
        unknown = (set(flags or ()) | set(exclude_flags)) - set(CLIP_FLAGS)
        if unknown:
            raise ValueError(f"unknown quality flag(s) {sorted(unknown)}; the flags are {', '.join(CLIP_FLAGS)}")
        records = [
            r
            for r in self._all()
            if (include_discarded or not r.discarded)
            and (min_rating is None or r.rating >= min_rating)
            and (flags is None or any(f in r.flags for f in flags))
            and not any(f in r.flags for f in exclude_flags)
            and (model is None or r.model == model)
            and (tag is None or tag in r.tags)
        ]
        keys = {
            "created": lambda r: r.created,
            "rating": lambda r: r.rating,
            "quality": lambda r: (not r.missing, r.score, r.rating),
            "duration": lambda r: r.duration,
            "novelty": lambda r: ((r.novelty is not None) == descending, r.novelty or 0.0),
        }
        return sorted(records, key=keys[sort], reverse=descending)

    def rate(self, clip_id: str, stars: int) -> ClipRecord:
        """Give a clip 0 (unrated) to 5 stars."""
        if isinstance(stars, bool) or not isinstance(stars, (int, np.integer)) or not 0 <= stars <= MAX_RATING:
            raise LibraryError(f"a rating is 0 to {MAX_RATING} stars, not {stars!r}")
        return self._update(clip_id, rating=int(stars))

    def discard(self, clip_id: str) -> ClipRecord:
        """Hide a clip from the default listing; its audio stays (see `restore`, `remove`)."""
        return self._update(clip_id, discarded=1)

    def restore(self, clip_id: str) -> ClipRecord:
        """Bring a discarded clip back."""
        return self._update(clip_id, discarded=0)

    def set_tags(self, clip_id: str, tags: Iterable[str]) -> ClipRecord:
        """Replace a clip's tags (trimmed, empty ones dropped, duplicates removed, order kept)."""
        return self._update(clip_id, tags=json.dumps(clean_tags(tags)))

    def set_notes(self, clip_id: str, notes: str) -> ClipRecord:
        """Replace a clip's notes."""
        return self._update(clip_id, notes=checked_text(notes, "notes"))

    def set_lineage(self, clip_id: str, novelty: float, best_match: Mapping[str, Any] | None) -> ClipRecord:
        """Record how new a clip is (0..1) and its best match in its model's training audio (None: no match)."""
        if isinstance(novelty, bool) or not isinstance(novelty, (int, float)) or not 0.0 <= novelty <= 1.0:
            raise LibraryError(f"novelty is a number from 0 to 1, not {novelty!r}")
        match = None if best_match is None else json.dumps(dict(best_match))
        return self._update(clip_id, novelty=float(novelty), lineage=match)

    def refresh(self) -> RefreshResult:
        """Re-check the clips folder: report records whose audio is gone, adopt audio files that have no record."""
        records = self._all()
        known = {r.path for r in records}
        with session(self.folder) as db:  # damaged rows too: their files are not orphans
            known |= {str(p) for (p,) in db.execute("SELECT path FROM clips")}
        adopted: builtins.list[ClipRecord] = []
        for file in sorted(self.clips_folder.rglob("*")):
            relative = self._relative(file)
            if relative is None or relative in known or file.name.startswith(".") or not file.is_file():
                continue
            if is_audio_path(file):
                try:
                    adopted.append(self._adopt(file))
                except InspirationError as exc:  # unreadable audio: left alone
                    _warn(f"{file} was not added to the library: {exc}")
        return RefreshResult(missing=tuple(r for r in records if r.missing), adopted=tuple(adopted))

    def prune_missing(self) -> builtins.list[str]:
        """Forget the records whose audio files are gone; returns their ids. No audio is touched."""
        gone = [r.id for r in self._all() if r.missing]
        for clip_id in gone:
            self._delete_row(clip_id)
        return gone

    def remove(self, clip_id: str, *, delete_audio: bool = False) -> None:
        """Forget a clip; with `delete_audio`, also delete its audio file — the only call that deletes audio."""
        with session(self.folder, write=True) as db:
            row = db.execute("SELECT path FROM clips WHERE id = ?", (clip_id,)).fetchone()
            if row is None:
                raise LibraryError(f"there is no clip '{clip_id}' in the library at {self.folder}")
            db.execute("DELETE FROM clips WHERE id = ?", (clip_id,))
        relative = safe_relative(row[0])
        if delete_audio and relative is not None:
            (self.folder / relative).unlink(missing_ok=True)

    # -- internals ---------------------------------------------------------------------------------------------

    def _reserve(
        self,
        name: str,
        audio: np.ndarray,
        rate: int,
        fields: dict[str, Any],
        *,
        suffix: str = "",
        existing: str | None = None,
    ) -> ClipRecord:
        """Analyse the audio and insert its row under a free id: before its file is written (at clips/<id><suffix>),
        so concurrent writers never pick the same name; or for the `existing` file (relative path) being adopted.
        """
        analysis = analyse_clip(audio, rate)
        created = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        stem = _slug(name)
        frames = audio.shape[-1]
        row = {
            "created": created,
            "duration": frames / rate,
            "sample_rate": int(rate),
            "channels": 1 if audio.ndim == 1 else int(audio.shape[0]),
            "peak": analysis.peak,
            "rms": analysis.rms,
            "flags": json.dumps(list(analysis.flags)),
            "score": analysis.score,
            "measures": json.dumps(analysis.measures()),
            "overview": overview_bytes(audio),
            **fields,
        }
        with session(self.folder, write=True) as db:
            if existing is not None:
                known = db.execute("SELECT id FROM clips WHERE path = ?", (existing,)).fetchone()
                if known is not None:  # adopted meanwhile by another process
                    return self.get(known[0])
            for attempt in range(1, 10_000):
                clip_id = stem if attempt == 1 else f"{stem}-{attempt}"
                relative = existing or f"{CLIPS_FOLDER}/{clip_id}{suffix}"
                taken = db.execute(
                    "SELECT 1 FROM clips WHERE lower(id) = lower(?) OR lower(path) = lower(?)", (clip_id, relative)
                ).fetchone()
                if taken is None and (existing is not None or not (self.folder / relative).exists()):
                    break
            else:
                raise LibraryError(f"no free file name for '{stem}' in {self.clips_folder}")
            values = {"id": clip_id, "path": relative, **row}
            marks = ", ".join("?" * len(values))
            db.execute(f"INSERT INTO clips ({', '.join(values)}) VALUES ({marks})", list(values.values()))
        return self.get(clip_id)

    def _adopt(self, file: Path) -> ClipRecord:
        """The record of an audio file that lies in clips/, made (without copying) if there is none."""
        relative = self._relative(file)
        if relative is None:
            raise LibraryError(f"{file} is not in {self.clips_folder}")
        existing = self._find_path(relative)
        if existing is not None:
            return existing
        data, rate = read_audio(file)
        return self._reserve(file.stem, data, rate, {}, existing=relative)

    def _update(self, clip_id: str, **values: Any) -> ClipRecord:
        assignments = ", ".join(f"{column} = ?" for column in values)
        with session(self.folder, write=True) as db:
            cursor = db.execute(f"UPDATE clips SET {assignments} WHERE id = ?", [*values.values(), clip_id])
            if cursor.rowcount == 0:
                raise LibraryError(f"there is no clip '{clip_id}' in the library at {self.folder}")
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM clips WHERE id = ?", (clip_id,)).fetchone()
            return record_from_row(row, self.folder)  # a damaged record raises here, and the update is rolled back

    def _delete_row(self, clip_id: str) -> None:
        with session(self.folder, write=True) as db:
            db.execute("DELETE FROM clips WHERE id = ?", (clip_id,))

    def _find_path(self, relative: str) -> ClipRecord | None:
        with session(self.folder) as db:
            row = db.execute("SELECT id FROM clips WHERE path = ?", (relative,)).fetchone()
        return self.get(row[0]) if row is not None else None

    def _all(self) -> builtins.list[ClipRecord]:
        """Every readable record, newest first; unreadable ones are skipped with one warning."""
        with session(self.folder) as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM clips ORDER BY created DESC, rowid DESC").fetchall()
        records: builtins.list[ClipRecord] = []
        damaged: builtins.list[str] = []
        for row in rows:
            try:
                records.append(record_from_row(row, self.folder))
            except LibraryError:
                damaged.append(str(row[0]))
        if damaged:
            _warn(
                f"skipped {len(damaged)} damaged record(s) in the clip library at {self.folder}: {', '.join(damaged)}"
            )
        return records

    def _relative(self, file: Path) -> str | None:
        """`file` as a '/'-separated path relative to the library folder if it lies in clips/, else None."""
        try:
            inside = file.resolve().relative_to(self.clips_folder.resolve())
        except (ValueError, OSError):
            return None
        return f"{CLIPS_FOLDER}/{inside.as_posix()}"


def _checked_audio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    data = np.asarray(audio, dtype=np.float32)
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise LibraryError(f"a clip needs a positive whole-number sample rate, not {sample_rate!r}")
    if data.ndim not in (1, 2) or data.shape[-1] == 0 or (data.ndim == 2 and not 1 <= data.shape[0] <= 64):
        raise LibraryError(f"a clip must be non-empty audio shaped (frames,) or (channels, frames), not {data.shape}")
    if not np.all(np.isfinite(data)):
        raise LibraryError("the clip's audio contains NaN or infinite samples; it was not saved")
    return data


def _curve(curve: TemperatureCurve | Mapping[str, Any] | str) -> TemperatureCurve:
    if isinstance(curve, TemperatureCurve):
        return curve
    return parse_curve(curve) if isinstance(curve, str) else TemperatureCurve.from_dict(curve)


def _slug(name: str) -> str:
    """A safe, portable file name stem: letters, digits, '-', '_' and '.'; others become '-'."""
    name = Path(name).stem if is_audio_path(name) else str(name)  # "take.wav" is named "take"
    text = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    while "--" in text:
        text = text.replace("--", "-")
    text = text.strip("-_. ")[:80] or _default_name()
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
    return f"{text}-clip" if text.lower().split(".")[0] in reserved else text


def _default_name() -> str:
    return f"clip-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _warn(message: str) -> None:
    warnings.warn(InspirationWarning(message), stacklevel=3)
