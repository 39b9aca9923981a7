"""Inspiration: an audio editor that is also an instrument."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("inspiration")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
