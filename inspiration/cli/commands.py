"""The list of subcommands, in the order `inspiration --help` shows them."""

from collections.abc import Callable
from typing import Any

from inspiration.cli import denoise, desktop, doctor, evaluate, generate, gui, info, lineage, render, train

REGISTRARS: tuple[Callable[[Any], None], ...] = (
    gui.register,
    train.register,
    info.register,
    evaluate.register,
    generate.register,
    lineage.register,
    render.register,
    denoise.register,
    doctor.register,
    desktop.register,
)
