"""`models`: list saved models and choose the default one."""

from __future__ import annotations

from ..errors import Errors, UserError
from ..paths import models_dir
from ..registry import convert_model, set_default
from ._models import models_table
from ._util import add_command, console, show_warnings


def run(args) -> int:
    """List the trained models (the default is marked *), set the default, or convert an old model.

    --model takes a folder name from this list, a path, or the short name after the
    date; the default is the one set here, else the newest.

    --convert rewrites a model saved by an older version (a pickle, model.joblib) in the
    safe format, whose opening never runs code. Opening the pickle to convert it does run
    its code, so only convert a model you made yourself, and say so with --trust-model.

    Examples:
      survey-coder models
      survey-coder models --set-default 20261125-120000-imdi_kvalifisering
      survey-coder models --convert 20261125-120000-imdi_kvalifisering --trust-model
    """
    if args.convert:
        if not args.trust_model:
            raise UserError(Errors.CONVERT_NEEDS_TRUST.format(name=args.convert))
        loaded = convert_model(args.convert, models_dir())
        show_warnings(loaded.warnings)
        console.print(f"Converted [bold]{loaded.path.name}[/] to the safe format (model.json + arrays.npz).")
    if args.set_default:
        path = set_default(args.set_default, models_dir())
        console.print(f"Default model: [bold]{path.name}[/]")
    console.print(models_table())
    return 0


def register(sub) -> None:
    p = add_command(sub, "models", run)
    p.add_argument("--set-default", metavar="NAME", help="make this model the default")
    p.add_argument("--convert", metavar="NAME", help="rewrite an old pickle model in the safe format (needs --trust-model)")
    p.add_argument("--trust-model", action="store_true",
                   help="with --convert: you made this model yourself, so opening its pickle is safe")
