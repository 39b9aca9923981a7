"""What the library list shows: the filter and sort settings, and the listing read with them (off the GUI thread)."""

from __future__ import annotations

from dataclasses import dataclass

from inspiration.engine.library.clip_library import ClipLibrary, SortKey
from inspiration.engine.library.clip_record import ClipRecord

#: The flag filter: "any" (no filter), "none" (clips without flags) or the name of one flag.
ANY_FLAGS = "any"
NO_FLAGS = "none"


@dataclass(frozen=True)
class LibraryQuery:
    """Filter and sort settings of the list. `text` matches name, tags and notes (case-insensitive, every word)."""

    text: str = ""
    min_rating: int = 0
    flag: str = ANY_FLAGS
    model: str | None = None
    show_discarded: bool = False
    sort: SortKey = "created"
    descending: bool = True

    def matches(self, record: ClipRecord) -> bool:
        if record.discarded and not self.show_discarded:
            return False
        if record.rating < self.min_rating or (self.model is not None and record.model != self.model):
            return False
        if self.flag == NO_FLAGS and record.flags:
            return False
        if self.flag not in (ANY_FLAGS, NO_FLAGS) and self.flag not in record.flags:
            return False
        haystack = " ".join((clip_name(record), *record.tags, record.notes)).lower()
        return all(word in haystack for word in self.text.lower().split())


@dataclass(frozen=True)
class Listing:
    """The records the list shows (in order), the models any record names, and how many records there are in all."""

    records: tuple[ClipRecord, ...]
    models: tuple[str, ...]
    total: int


def read_listing(library: ClipLibrary, query: LibraryQuery, rescan: bool = False) -> Listing:
    """Read and filter the library's records (slow: call it in a job). `rescan` first adopts audio files that appeared
    in clips/ without a record (see `ClipLibrary.refresh`)."""
    if rescan:
        library.refresh()
    everything = library.list(include_discarded=True, sort=query.sort, descending=query.descending)
    models = tuple(sorted({r.model for r in everything if r.model}))
    return Listing(tuple(r for r in everything if query.matches(r)), models, len(everything))


def clip_name(record: ClipRecord) -> str:
    """The name a musician sees (see ClipRecord.name)."""
    return record.name
