"""Errors and warnings the user can act on; their messages are shown as they are."""


class InspirationError(Exception):
    """A problem caused by input or environment, with a message written for the user."""


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


class InvalidCurveError(InspirationError):
    """A temperature curve (text, JSON or values) is malformed or out of range."""


class LibraryError(InspirationError):
    """A clip library operation was given a clip, value or file it cannot use."""


class InspirationWarning(UserWarning):
    """Something was skipped or adjusted; work goes on."""
