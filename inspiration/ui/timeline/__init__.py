"""The multitrack timeline widget and its parts."""

from inspiration.ui.timeline.view import TimelineView

__all__ = ["TimelineView"]
