"""Errors and warnings the user can act on; their messages are shown as they are."""


class InspirationError(Exception):
    """A problem caused by input or environment, with a message written for the user."""


class LimitError(InspirationError, ValueError):
    """A number, text, file or document outside what Inspiration accepts: wrong type, not finite, out of range,
    not a regular file, too large or nested too deeply (see `inspiration.engine.limits`)."""


class AudioReadError(InspirationError):
    """An audio file could not be decoded."""


class NoUsableAudioError(InspirationError):
    """None of the given inputs held audio that can be trained on."""


class OutputNotWritableError(InspirationError):
    """A file could not be written where it was asked for."""


class CheckpointError(InspirationError):
    """A model folder or checkpoint is missing, corrupt, unsafe or does not fit the model."""


class TrainingDivergedError(InspirationError):
    """Training produced non-finite losses too many times in a row."""


class Cancelled(InspirationError):
    """A long job (render, export, denoise) was stopped on request; nothing half-done was left behind."""


class ProjectFileError(InspirationError):
    """A project file is missing, not valid JSON, or does not describe a project."""


class ProjectVersionError(ProjectFileError):
    """A project file was written in a format version this Inspiration cannot read."""


class EditError(InspirationError):
    """An edit does not apply to the project as it is (unknown clip or track, time out of range)."""


class ExportFormatError(InspirationError):
    """The asked-for export format, bit depth, rate or codec is not available."""


class InvalidCurveError(InspirationError):
    """A temperature curve (text, JSON or values) is malformed or out of range."""


class LibraryError(InspirationError):
    """A clip library operation was given a clip, value or file it cannot use."""


class LineageError(InspirationError):
    """A lineage index cannot be built, read or queried (no training audio, a damaged index, an unusable clip)."""


class InspirationWarning(UserWarning):
    """Something was skipped or adjusted; work goes on."""
