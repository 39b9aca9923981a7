"""The clip library panel: a filterable list of the library's clips to audition, rate, discard, import and drag onto
the timeline."""

from inspiration.ui.library.panel import LibraryPanel

__all__ = ["LibraryPanel"]
