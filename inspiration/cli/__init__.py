"""The `inspiration` command. Each subcommand lives in its own module with a `register(subparsers)` function."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from inspiration import __version__
from inspiration.engine.errors import InspirationError


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line (with where to read more) instead of a usage block; exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from inspiration.cli import commands

    parser = _Parser(
        prog="inspiration",
        description="Train SampleRNN on your music, generate clips with expressive temperature, splice and export.",
    )
    parser.add_argument("--version", action="version", version=f"inspiration {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in commands.REGISTRARS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):  # plain `inspiration` opens the app
        from inspiration.cli import gui

        return gui.run(args)
    try:
        return int(args.run(args) or 0)
    except InspirationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
