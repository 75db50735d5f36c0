"""The `gjj` command. Each sub-command lives in its own module with a `register(subparsers)`
function; this file only wires them together and turns expected failures into one line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pipelines.commands import CliError

__all__ = ["CliError", "build_parser", "main"]

# Modules that provide sub-commands, in the order `gjj --help` lists them.
COMMAND_MODULES = (
    "pipelines.commands.run",
    "pipelines.commands.crawl",
    "pipelines.commands.archive",
    "pipelines.commands.parse",
    "pipelines.commands.compare",
    "pipelines.commands.export",
    "pipelines.commands.coverage",
    "pipelines.commands.check",
    "pipelines.commands.publish",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the usage block
        self.exit(2, f"gjj: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gjj", description="Housing provident fund annual report warehouse")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"gjj {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"gjj {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (head, less) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
