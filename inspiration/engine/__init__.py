"""The engine: audio, models, training, generation and composition. No Qt here."""
