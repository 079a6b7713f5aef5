"""`train`: fit a model on coded answers and save it in models/."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..coders import CODERS, DEFAULT_KIND
from ..errors import Errors, UserError
from ..paths import annotations_path, training_dir
from ..resolution import RULES
from ._training import train_and_show
from ._util import CV_HELP, add_coded_columns, add_command, advanced_group


def run(args) -> int:
    """Train a model on coded answers (CSV/XLSX files or folders of them).

    Each row needs a text column and a labels column with codes joined by ';'.
    The code frame is --codeframe, else the one in labels/ that covers the codes,
    else one inferred from the labels. Saves the model (model.json, arrays.npz) and
    metadata.json in --out (default: a new folder in models/) and prints its scores
    on answers it did not learn from (cross-validation, see --cv).

    Example:
      survey-coder train --data training_data/ --codeframe labels/imdi_kvalifisering.toml
    """
    train_and_show(
        args.data or [training_dir()], args.codeframe, args.text_column, args.labels_column,
        args.out, args.name, args.spacy_model, args.C, args.cv,
        annotations=annotations_option(args), disagreement=args.disagreement, kind=args.coder,
    )
    return 0


def c_value(text: str) -> float | str:
    """--C: 'auto' or a positive number."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'auto' or a positive number (got '{text}')") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be 'auto' or a positive number (got '{text}')")
    return value


def annotations_option(args):
    """--annotations PATH, else training_data/annotations.sqlite if it exists; None with --no-annotations."""
    if args.no_annotations:
        return None
    if args.annotations:
        if not Path(args.annotations).is_file():
            raise UserError(Errors.STORE_NOT_FOUND.format(path=args.annotations))
        return Path(args.annotations)
    default = annotations_path()
    return default if default.is_file() else None


def register(sub) -> None:
    p = add_command(sub, "train", run)
    p.add_argument("--data", nargs="+", metavar="PATH", help="CSV/XLSX files or folders (default: training_data/)")
    p.add_argument("--codeframe", metavar="FILE", help="code frame .toml/.json (default: matched or inferred)")
    add_coded_columns(p)
    p.add_argument("--out", metavar="MODEL_DIR", help="where to save (default: models/<time>-<name>)")
    p.add_argument("--name", help="short name for the model folder (default: the code frame's name)")
    advanced = advanced_group(p)
    advanced.add_argument("--spacy-model", metavar="NAME_OR_PATH",
                          help="spaCy pipeline that splits answers into words (default: nb_core_news_sm if installed, "
                               "else blank Norwegian)")
    advanced.add_argument("--C", type=c_value, default="auto",
                          help="how closely the model follows the training answers: higher follows them more "
                               "(and may learn their accidents), lower keeps it simpler (default auto: the best "
                               "of 1, 4, 16 and 64 in cross-validation)")
    advanced.add_argument("--cv", type=int, default=5, metavar="N", help=CV_HELP)
    p.add_argument("--coder", choices=sorted(CODERS), default=DEFAULT_KIND,
                   help="what codes the answers: tfidf (words and word pieces, a trained classifier; the default) "
                        "or keyword (the code frame's example phrases; for a first model from few coded answers)")
    p.add_argument("--annotations", metavar="PATH",
                   help="review decisions to train on (default: training_data/annotations.sqlite if it exists)")
    p.add_argument("--no-annotations", action="store_true", help="train on the files only")
    p.add_argument("--disagreement", choices=RULES, default=None,
                   help="where annotators disagree on an answer: the adjudicated codes (the default when there are "
                        "adjudications), the latest coding (the default otherwise), the majority, or leave it out")
