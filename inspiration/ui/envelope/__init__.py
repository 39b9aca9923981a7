"""The temperature envelope editor: draw how a clip's sampling temperature changes over its length."""

from inspiration.ui.envelope.editor import EnvelopeEditor

__all__ = ["EnvelopeEditor"]
