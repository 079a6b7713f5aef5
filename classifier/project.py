"""A project's questions (survey-coder.toml) and making a new project (`init`).

survey-coder.toml names the open questions of the project's surveys: for each a key
(the prefix of its output columns), the column that holds its answers in the survey
file, its code frame and optionally its model and its training data. Either form works:

    [[questions]]                              [questions.tjenester]
    key = "tjenester"                          column = "Hvilke tjenester …?"
    column = "Hvilke tjenester …?"             codeframe = "labels/imdi_kvalifisering.toml"
    codeframe = "labels/imdi_kvalifisering.toml"

Paths are relative to the project folder. A question's model is the one named by
`model`, else the project's default model when it was trained on the question's code
frame, else the newest model trained on it, else none yet (`predict` trains it).
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .codeframe import CodeFrame, load_codeframe
from .errors import Errors, UserError
from .i18n import LANGUAGES
from .paths import DEFAULT_FRAME_NAME, PROJECT_FILE, shipped
from .registry import default_model_dir, list_models, resolve_model_dir

KEY_MAX = 30
_KEY = re.compile(rf"^[A-Za-z][A-Za-z0-9_]{{0,{KEY_MAX - 1}}}$")
FIELDS = {"key": "text", "column": "text", "codeframe": "text", "frame": "text", "model": "text",
          "training_data": "text or a list of texts"}
_TWICE = re.compile(r"Cannot declare \('questions', '([^']*)'\) twice")


@dataclass(frozen=True)
class Question:
    key: str
    column: str
    codeframe: Path
    model: str | None = None
    training_data: tuple[Path, ...] = field(default_factory=tuple)

    def frame(self) -> CodeFrame:
        return load_codeframe(self.codeframe)

    @property
    def prefix(self) -> str:
        return f"{self.key}_"


def read_questions(project: Path) -> list[Question]:
    """The questions configured in `project`/survey-coder.toml, checked (no file: none)."""
    path = Path(project) / PROJECT_FILE
    if not path.is_file():
        return []
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as e:
        twice = _TWICE.search(str(e))
        if twice:
            raise UserError(Errors.QUESTION_TWICE.format(path=path, key=twice.group(1))) from None
        raise UserError(Errors.PROJECT_FILE_INVALID.format(path=path, reason=e)) from None
    except UnicodeDecodeError:
        raise UserError(Errors.PROJECT_FILE_INVALID.format(path=path, reason=Errors.NOT_UTF8)) from None
    raw = config.get("questions", [])
    if isinstance(raw, dict):  # [questions.KEY] tables
        entries = []
        for key, table in raw.items():
            if not isinstance(table, dict):
                raise UserError(Errors.QUESTIONS_INVALID.format(path=path, reason=Errors.QUESTIONS_NOT_TABLES))
            entries.append({**table, "key": key} if "key" not in table else table)
    elif isinstance(raw, list) and all(isinstance(t, dict) for t in raw):
        entries = raw
    else:
        raise UserError(Errors.QUESTIONS_INVALID.format(path=path, reason=Errors.QUESTIONS_NOT_TABLES))
    questions: list[Question] = []
    for n, entry in enumerate(entries, start=1):
        q = _question(entry, n, Path(project), path)
        if any(q.key == other.key for other in questions):
            raise UserError(Errors.QUESTION_TWICE.format(path=path, key=q.key))
        for other in questions:
            if other.column.strip() == q.column.strip() and other.codeframe.resolve() == q.codeframe.resolve():
                raise UserError(Errors.QUESTION_SAME_COLUMN.format(path=path, first=other.key, second=q.key,
                                                                   column=q.column))
        questions.append(q)
    return questions


def read_language(project: Path | None) -> str | None:
    """`language = "nb"` in `project`/survey-coder.toml: the language of the messages, reports and
    screens (None: not set, no project, or a file that does not parse, which the commands that
    read the questions report in their turn). A language this tool does not speak is an error."""
    path = Path(project) / PROJECT_FILE if project is not None else None
    if path is None or not path.is_file():
        return None
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("language")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise UserError(Errors.BAD_LANGUAGE.format(path=path, value=value, languages=", ".join(LANGUAGES)))
    return value.strip().lower()


def _question(entry: dict, n: int, project: Path, path: Path) -> Question:
    """One question from its TOML table: every setting checked, paths made absolute."""
    key = entry.get("key")
    if key is None:
        raise UserError(Errors.QUESTIONS_INVALID.format(path=path, reason=Errors.QUESTION_NO_KEY.format(n=n)))
    if not isinstance(key, str) or not _KEY.match(key):
        raise UserError(Errors.QUESTIONS_INVALID.format(path=path, reason=Errors.QUESTION_BAD_KEY.format(
            key=key, max=KEY_MAX)))

    def bad(reason: str, **kw) -> UserError:
        return UserError(Errors.QUESTIONS_INVALID.format(path=path, reason=reason.format(key=key, **kw)))

    for name, value in entry.items():
        if name not in FIELDS:
            raise bad(Errors.QUESTION_FIELD_UNKNOWN, field=name, known=", ".join(k for k in FIELDS if k != "frame"))
        if name != "training_data" and not isinstance(value, str):
            raise bad(Errors.QUESTION_FIELD_TYPE, field=name, kind=FIELDS[name])
    frame = entry.get("codeframe", entry.get("frame"))
    for name, value in (("column", entry.get("column")), ("codeframe", frame)):
        if value is None or not str(value).strip():
            raise bad(Errors.QUESTION_FIELD_MISSING, field=name)
    data = entry.get("training_data", [])
    data = [data] if isinstance(data, str) else data
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        raise bad(Errors.QUESTION_FIELD_TYPE, field="training_data", kind=FIELDS["training_data"])
    frame_path = project / frame
    if not frame_path.is_file():
        raise UserError(Errors.QUESTION_FRAME_MISSING.format(frame=frame, key=key, path=path))
    for d in data:
        if not (project / d).exists():
            raise UserError(Errors.QUESTION_DATA_MISSING.format(data=d, key=key, path=path))
    model = entry.get("model") or None
    if model is not None and (project / model).is_dir():
        model = str(project / model)
    return Question(key, entry["column"], frame_path, model, tuple(project / d for d in data))


def find_question(questions: list[Question], key: str, path: Path) -> Question:
    """The question with `key`; an unknown key is an error naming the keys there are."""
    if not questions:
        raise UserError(Errors.NO_QUESTIONS.format(path=path, key=key))
    for q in questions:
        if q.key == key:
            return q
    raise UserError(Errors.UNKNOWN_QUESTION.format(key=key, path=path, keys=", ".join(q.key for q in questions)))


def question_model_dir(question: Question, frame: CodeFrame | None = None, root: Path | None = None) -> Path | None:
    """The model that codes `question`: its `model`, else the default model if it was trained
    on the question's code frame, else the newest trained on it; None if there is none yet."""
    if question.model:
        return resolve_model_dir(question.model, root)
    frame = frame or question.frame()
    default = default_model_dir(root)
    models = list_models(root) if root is None or Path(root).is_dir() else []
    hashes = {path: meta.get("codeframe", {}).get("hash") for path, meta in models}
    if default is not None and hashes.get(default) == frame.hash:
        return default
    same = [path for path, h in hashes.items() if h == frame.hash]
    return same[-1] if same else None


# -- init ---------------------------------------------------------------------------------------
EXAMPLE_SURVEY = "kommuneundersokelsen_2020.csv"
EXAMPLE_TRAINING = "kommuneundersokelsen_2016-2019.csv"
EXAMPLE_QUESTION = """\
[[questions]]
key = "tjenester"                    # starts the names of this question's output columns
column = "svar"                      # the header of its column in the survey file
codeframe = "labels/imdi_kvalifisering.toml"
# model = "imdi"                     # optional: a model in models/; default: the newest trained on this frame
# training_data = "training_data"    # optional: coded answers for this frame; default: training_data/
"""
PROJECT_TEMPLATE = """\
# A survey-coder project (see the README's "Your own survey").
#
# What goes where in this folder:
#   survey-coder.toml  this file: the open questions of your survey and how to code them
#   labels/            code frames (.toml): the codes of a question, their names and definitions
#   training_data/     coded answers (.csv/.xlsx with a text column and a labels column, codes
#                      joined by ';') that the models learn from; review decisions are kept here
#                      too (annotations.sqlite)
#   models/            trained models, one folder each (made by 'survey-coder train' or 'predict')
#   your survey files  anywhere you like, such as this folder: 'survey-coder predict survey.xlsx'
#
# Each [[questions]] table is one open question. 'predict SURVEY' codes every question whose
# column is in the file and adds, per question, the columns <key>_labels, <key>_confidence,
# <key>_needs_review and <key>_p_<code>. 'review' and 'report' take --question KEY.
#
#   key        short name, letters a-z, digits and '_': starts the names of the output columns
#   column     the header of the question's column in the survey file, as it is written there
#   codeframe  the code frame file, from this folder (such as labels/my_question.toml)
#   model      optional: a model in models/ (its folder name, or the short name after the date);
#              without it: the newest model trained on this code frame, trained first if none
#   training_data  optional: the coded answers for this code frame (a file or folder, or a list);
#              without it: training_data/
#
# language = "nb"    # messages, reports and review screens in Norwegian (bokmål); default: English ("en")
#
{questions}"""
README = {
    "labels": "# labels/\n\nCode frames, one .toml file per open question: its codes, their Norwegian names,\n"
              "definitions and examples. Point a question's `codeframe` in survey-coder.toml at one.\n",
    "training_data": "# training_data/\n\nCoded answers the models learn from: .csv or .xlsx files with a `text` column and\n"
                     "a `labels` column (codes joined by `;`). Review decisions are kept here too, in\n"
                     "annotations.sqlite (it may hold answers: keep it where the survey data may be kept).\n",
    "models": "# models/\n\nTrained models, one folder each. `survey-coder predict` trains a question's model here\n"
              "when there is none; `survey-coder models` lists them.\n",
}
EXAMPLE_NOTE = ("\nThe example's answers in {file} were **written for the survey-coder project** as a realistic\n"
                "stand-in for IMDi's municipal survey: they are not real survey answers.\n")


def init_project(target: str | Path, example: bool = False) -> list[Path]:
    """Make a project folder at `target` (new, or an empty folder) and return the files
    made, relative to it. Everything is written into a temporary folder beside it first and
    moved into place at the end, so a failed init leaves nothing behind."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError(Errors.INIT_NOT_EMPTY.format(path=target, what=Errors.INIT_IS_FILE))
    if target.is_dir():
        found = sorted(p.name for p in target.iterdir())
        if found:
            shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
            raise UserError(Errors.INIT_NOT_EMPTY.format(path=target, what=Errors.INIT_HAS_FILES.format(files=shown)))
    parent = target.absolute().parent
    part = parent / f".{target.name}.{uuid.uuid4().hex[:12]}.part"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        part.mkdir()
        _fill(part, example)
        made = sorted(p.relative_to(part) for p in part.rglob("*") if p.is_file())
        os.replace(part, target)  # an empty folder is replaced as a whole (POSIX rename)
    except OSError as e:
        raise UserError(Errors.INIT_FAILED.format(path=target, reason=e.strerror or e)) from None
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return made


def _fill(folder: Path, example: bool) -> None:
    """The files of a new project: survey-coder.toml, the folders with a README each, and
    with `example` the IMDi frame, its coded answers and the 2020 example survey."""
    question = EXAMPLE_QUESTION if example else "".join(
        line if line.startswith("# ") else f"# {line}" for line in EXAMPLE_QUESTION.splitlines(keepends=True))
    (folder / PROJECT_FILE).write_text(PROJECT_TEMPLATE.format(questions=question), encoding="utf-8")
    for name, text in README.items():
        (folder / name).mkdir()
        if example and name == "training_data":
            text += EXAMPLE_NOTE.format(file=EXAMPLE_TRAINING)
        (folder / name / "README.md").write_text(text, encoding="utf-8")
    if example:
        shutil.copyfile(shipped("labels") / DEFAULT_FRAME_NAME, folder / "labels" / DEFAULT_FRAME_NAME)
        shutil.copyfile(shipped("training_data") / EXAMPLE_TRAINING, folder / "training_data" / EXAMPLE_TRAINING)
        shutil.copyfile(shipped("examples") / EXAMPLE_SURVEY, folder / EXAMPLE_SURVEY)
