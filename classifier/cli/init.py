"""`init`: make a project folder for your own survey."""

from __future__ import annotations

from pathlib import Path

from ..errors import Notes
from ..project import EXAMPLE_SURVEY, init_project
from ._util import add_command, command, console


def run(args) -> int:
    """Make a project folder for your own survey (add --example for the IMDi example).

    The folder gets survey-coder.toml (your survey's open questions), labels/ (code
    frames), training_data/ (coded answers) and models/ (trained models), each with a
    note on what goes there.

    With --example the folder holds the IMDi example: its code frame, 926 coded training
    answers and the 2020 example survey, with the question configured, so 'predict'
    works at once (it trains the model first, about 10 seconds). The folder must be new
    or empty.

    Examples:
      survey-coder init my_survey
      survey-coder init imdi --example
      cd imdi && survey-coder predict kommuneundersokelsen_2020.csv --out coded.xlsx
    """
    target = Path(args.folder)
    made = init_project(target, example=args.example)
    console.print(Notes.INIT_DONE.format(path=target))
    for path in made:
        console.print(f"  {path.as_posix()}")
    if args.example:
        step = f"cd {target} && {command('predict', EXAMPLE_SURVEY, '--out', 'coded.xlsx')}"
    else:
        step = f"write your questions into {target / 'survey-coder.toml'}, put the code frames in labels/ " \
               f"and coded answers in training_data/, then {command('predict', 'SURVEY.xlsx')}"
    console.print(Notes.INIT_NEXT.format(command=step), soft_wrap=True)
    return 0


def register(sub) -> None:
    p = add_command(sub, "init", run)
    p.add_argument("folder", metavar="DIR", help="the new project folder (new or empty)")
    p.add_argument("--example", action="store_true",
                   help="fill it with the IMDi example: code frame, coded answers, example survey")
