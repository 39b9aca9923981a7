"""Clip manifests as earlier versions wrote them, for tests of what a newer library adds when it opens one."""

import sqlite3
from pathlib import Path

from inspiration.engine.library.manifest import MANIFEST_NAME

#: The clips table's columns as the first release wrote them.
FIRST_COLUMNS = """id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
    duration REAL NOT NULL, sample_rate INTEGER NOT NULL, channels INTEGER NOT NULL, model TEXT,
    checkpoint_step INTEGER, seed INTEGER, curve TEXT, prime TEXT, source TEXT, peak REAL NOT NULL,
    rms REAL NOT NULL, rating INTEGER NOT NULL DEFAULT 0, discarded INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]', notes TEXT NOT NULL DEFAULT '', flags TEXT NOT NULL DEFAULT '[]',
    score REAL NOT NULL DEFAULT 1.0, measures TEXT NOT NULL DEFAULT '{}', overview BLOB NOT NULL DEFAULT x''"""
#: The columns lineage added.
LINEAGE_COLUMNS = "novelty REAL, lineage TEXT"
#: The column min-p added.
MIN_P_COLUMNS = "min_p REAL"


def write_old_manifest(folder: Path, columns: list[str], rows: str) -> None:
    """A library folder whose manifest has the clips table with `columns` and the `rows` (SQL inserts)."""
    (folder / "clips").mkdir(parents=True)
    db = sqlite3.connect(folder / MANIFEST_NAME)
    db.executescript(
        f"""
        CREATE TABLE clips ({", ".join(columns)});
        CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO info VALUES ('format', '1');
        {rows}
        """
    )
    db.close()
