"""Composition: the project (tracks of clips, tempo), edit commands (also across a time range), project files and
autosave, the mixer, export and the first-launch demo project.

Imports: `audio` and the shared plumbing. No torch.
"""
