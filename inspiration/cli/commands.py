"""The list of subcommands, in the order `inspiration --help` shows them."""

from collections.abc import Callable
from typing import Any

from inspiration.cli import denoise, evaluate, info, render, train

REGISTRARS: tuple[Callable[[Any], None], ...] = (
    train.register,
    info.register,
    evaluate.register,
    render.register,
    denoise.register,
)
