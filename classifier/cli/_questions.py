"""The project's questions as the commands use them: --question KEY and each question's model."""

from __future__ import annotations

from ..errors import Errors, Notes, UserError
from ..paths import PROJECT_FILE, annotations_path, locate_project, models_dir, project_dir, training_dir
from ..project import Question, find_question, question_model_dir, read_questions
from ..registry import check_frame, load_model
from ._training import train_and_show
from ._util import console, show_warnings


def project_questions():
    """(survey-coder.toml of the project, its questions); outside a project (None, [])."""
    folder, _ = locate_project()
    if folder is None:
        return None, []
    return folder / PROJECT_FILE, read_questions(folder)


def add_question_option(parser, what: str) -> None:
    parser.add_argument("--question", metavar="KEY",
                        help=f"{what} one question of survey-coder.toml: its column, its code frame and "
                             "model, and its KEY_… columns in a coded file")


def chosen_question(args) -> Question | None:
    """The question named by --question (None without it); not together with --text-column."""
    key = getattr(args, "question", None)
    if key is None:
        return None
    if getattr(args, "text_column", None) is not None:
        raise UserError(Errors.QUESTION_AND_TEXT_COLUMN)
    path, questions = project_questions()
    if path is None:  # outside a project: the usual one-line error
        project_dir()
    return find_question(questions, key, path)


def question_model(question: Question, trust: bool = False):
    """The loaded model that codes `question` (see project.question_model_dir), trained first
    from the question's training data when there is none yet; its warnings shown."""
    frame = question.frame()
    found = question_model_dir(question, frame, models_dir())
    if found is None:
        console.print(Notes.TRAINING_FOR_QUESTION.format(frame=frame.name, key=question.key))
        store = annotations_path()
        result = train_and_show(list(question.training_data) or [training_dir()], question.codeframe,
                                annotations=store if store.is_file() else None)
        found = result.path
    loaded = load_model(found, trust=trust)
    show_warnings(loaded.warnings)
    check_frame(loaded, frame)  # a 'model' of the question trained on another frame
    return loaded, frame
