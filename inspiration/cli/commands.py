"""The list of subcommands, in the order `inspiration --help` shows them."""

from inspiration.cli import denoise, render

REGISTRARS: tuple = (render.register, denoise.register)
