"""The instrument side of the app: temperature curves, generation, live playing and training."""
