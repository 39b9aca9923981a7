"""The clip library's manifest: one SQLite table with a row per clip.

Why SQLite rather than JSON lines: every update (add, rate, discard, tag) is one transaction, atomic and durable
across crashes and power cuts; the app and the CLI can write the same library at once (SQLite's locking
serialises writers, WAL lets readers go on meanwhile); and listing hundreds of clips is one query, with no
replaying or compaction of an append log. A row whose values cannot be read is skipped by the reader with a
warning (see `inspiration.engine.library.clip_library`); a file SQLite cannot open at all, or a database without
the clips table, is set aside and a new manifest is rebuilt from the audio files (`open_manifest` reports it); an
empty manifest beside audio files (a 0-byte or deleted file) is rebuilt from them too.

Connections are opened per operation and closed after it, so any thread or process may use a library; a writer
waits up to BUSY_TIMEOUT seconds for another writer to finish.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from inspiration.engine.errors import LibraryError, OutputNotWritableError

MANIFEST_NAME = "manifest.sqlite"
FORMAT_VERSION = 1
BUSY_TIMEOUT = 30.0

COLUMNS = (
    "id", "path", "created", "duration", "sample_rate", "channels", "model", "checkpoint_step", "seed", "curve",
    "prime", "source", "peak", "rms", "rating", "discarded", "tags", "notes", "flags", "score", "measures", "overview",
    "novelty", "lineage", "min_p", "top_k",
)  # fmt: skip

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clips (
    id TEXT PRIMARY KEY,                 -- also the audio file's name without suffix, unless adopted
    path TEXT NOT NULL UNIQUE,           -- relative to the library folder, '/'-separated
    created TEXT NOT NULL,               -- ISO 8601 UTC
    duration REAL NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    model TEXT,
    checkpoint_step INTEGER,
    seed INTEGER,
    curve TEXT,                          -- JSON: TemperatureCurve.to_dict()
    prime TEXT,
    source TEXT,                         -- the file an imported clip was copied from
    peak REAL NOT NULL,
    rms REAL NOT NULL,
    rating INTEGER NOT NULL DEFAULT 0,
    discarded INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',     -- JSON list of strings
    notes TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '[]',    -- JSON list of quality flags
    score REAL NOT NULL DEFAULT 1.0,
    measures TEXT NOT NULL DEFAULT '{}', -- JSON: quality measurements
    overview BLOB NOT NULL DEFAULT x'',  -- int8 (points, 2) min/max pairs, scaled by 127
    novelty REAL,                        -- 0..1, share of the clip not found in its model's training audio
    lineage TEXT,                        -- JSON: the best match (see inspiration.engine.lineage.query.Match)
    min_p REAL,                          -- the min-p truncation a generated clip was made with (NULL: 0, as before)
    top_k INTEGER                        -- the top-k truncation a generated clip was made with (NULL: 0, as before)
);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
#: Columns added since the first manifests, with their declarations: `_create` adds those an old manifest lacks.
_ADDED_COLUMNS = {"novelty": "REAL", "lineage": "TEXT", "min_p": "REAL", "top_k": "INTEGER"}


def open_manifest(folder: Path) -> Path | None:
    """Create or check the manifest in `folder`; returns where a damaged manifest was set aside, else None."""
    path = folder / MANIFEST_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritableError(f"cannot create the clip library at {folder}: {exc.strerror or exc}") from exc
    damaged = None
    if path.exists() and not _ours_or_empty(path):  # another program's database, or ours with its table gone
        damaged = _set_aside(path)
    try:
        _create(path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            raise _busy(folder) from exc
        if path.exists() and not _readable_by_sqlite(path):
            damaged = _set_aside(path)
            _create(path)
        else:
            raise LibraryError(f"cannot open the clip library at {folder}: {exc}") from exc
    return damaged


@contextmanager
def session(folder: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection for one operation; with `write`, one IMMEDIATE transaction committed at the end."""
    try:
        db = sqlite3.connect(folder / MANIFEST_NAME, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot open the clip library at {folder}: {exc}") from exc
    try:
        if write:
            db.execute("BEGIN IMMEDIATE")
        yield db
        if write:
            db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(db)
        raise (_busy(folder) if _is_busy(exc) else LibraryError(f"the clip library at {folder}: {exc}")) from exc
    except BaseException:
        _rollback(db)
        raise
    finally:
        db.close()


def _create(path: Path) -> None:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # stays the default rollback journal where WAL is unsupported
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed")
        db.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, _SCHEMA.split(";")):  # not executescript: it would commit early
            db.execute(statement)
        present = {str(row[1]) for row in db.execute("PRAGMA table_info(clips)")}
        for column, declaration in _ADDED_COLUMNS.items():
            if column not in present:
                db.execute(f"ALTER TABLE clips ADD COLUMN {column} {declaration}")
        row = db.execute("SELECT value FROM info WHERE key = 'format'").fetchone()
        if row is None:
            db.execute("INSERT INTO info VALUES ('format', ?)", (str(FORMAT_VERSION),))
        db.execute("COMMIT")
        if row is not None and int(row[0]) > FORMAT_VERSION:
            raise LibraryError(
                f"the clip library at {path.parent} was made by a newer version of Inspiration (format {row[0]})"
            )
    except BaseException:
        _rollback(db)
        raise
    finally:
        db.close()


def _ours_or_empty(path: Path) -> bool:
    """True for an empty file or a database holding the clips table; False for anything else (a schema-less or
    foreign database, or a file SQLite cannot read: those are set aside and rebuilt)."""
    try:
        if path.stat().st_size == 0:
            return True
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.OperationalError as exc:
        return _is_busy(exc)  # busy: a writer is at work, so the file is ours
    except (sqlite3.DatabaseError, OSError):
        return False
    return "clips" in tables


def _readable_by_sqlite(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        try:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return False


def _set_aside(path: Path) -> Path:
    """Rename a damaged manifest (and its WAL files) to manifest.sqlite.damaged-<UTC time>; nothing is deleted."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        try:
            source.rename(target.with_name(target.name + suffix))
        except FileNotFoundError:  # not there, or another process set it aside first
            pass
        except OSError as exc:
            raise OutputNotWritableError(f"cannot set aside the damaged manifest {source}: {exc}") from exc
    return target


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _busy(folder: Path) -> LibraryError:
    return LibraryError(f"the clip library at {folder} is busy: another program is writing to it; try again")
