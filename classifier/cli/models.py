"""`models`: list saved models and choose the default one."""

from __future__ import annotations

from ..paths import models_dir
from ..registry import set_default
from ._models import models_table
from ._util import add_command, console


def run(args) -> int:
    """List the trained models (the default is marked *), or set the default.

    --model takes a folder name from this list, a path, or the short name after the
    date; the default is the one set here, else the newest.

    Examples:
      python cli.py models
      python cli.py models --set-default 20261125-120000-imdi_kvalifisering
    """
    if args.set_default:
        path = set_default(args.set_default, models_dir())
        console.print(f"Default model: [bold]{path.name}[/]")
    console.print(models_table())
    return 0


def register(sub) -> None:
    p = add_command(sub, "models", run)
    p.add_argument("--set-default", metavar="NAME", help="make this model the default")
