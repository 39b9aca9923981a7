"""Composition: the project (tracks of clips), edit commands, project files and autosave, the mixer, export and
the first-launch demo project.

Imports: `audio` and the shared plumbing. No torch.
"""
