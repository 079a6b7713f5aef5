"""The command line: `python cli.py COMMAND ...` or `survey-coder COMMAND ...`.

Each command lives in its own module with a `register(subparsers)` function and a
`run(args)` function whose docstring is its --help. Commands parse options, call the
library, and show the result with rich; errors the user can fix become one red line
and exit code 1 (see `_util.run_command`).
"""

from __future__ import annotations

import argparse
import sys

from .. import i18n, paths
from ..i18n import LANGUAGES
from . import (
    adjudicate,
    agreement,
    audit,
    curve,
    evaluate,
    explain,
    export,
    import_,
    info,
    init,
    models,
    predict,
    report,
    review,
    themes,
    train,
    verify,
)
from ._util import run_command

COMMANDS = [init, train, predict, evaluate, curve, info, models, report, review, export, import_, agreement, adjudicate,
            audit, explain, verify, themes]
LANG_HELP = ("language of the messages, reports and review screens: nb (Norwegian bokmål) or en "
             "(default: language in survey-coder.toml, else en)")
PROJECT_HELP = ("the project folder (default: $SURVEY_CODER_HOME, else the nearest folder from here upwards "
                "that holds survey-coder.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="survey-coder",
        description="Code Norwegian open-ended survey answers into the categories of a code frame.",
    )
    parser.add_argument("--project", metavar="DIR", help=PROJECT_HELP)
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help=LANG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    for name, command in sub.choices.items():  # also after the command: survey-coder predict ... --project DIR
        if name != "init":
            command.add_argument("--project", metavar="DIR", default=argparse.SUPPRESS, help=PROJECT_HELP)
        command.add_argument("--lang", choices=sorted(LANGUAGES), default=argparse.SUPPRESS, help=LANG_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    paths.use_project(args.project)
    try:
        return run_command(args.func, args)
    finally:
        paths.use_project(None)
        i18n.use_language(None)


if __name__ == "__main__":
    sys.exit(main())
