"""The annotation store as commands open it: the --store option and its default path."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..paths import annotations_path
from ..store import AnnotationStore


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH", help="annotation store (default: training_data/annotations.sqlite)")


def open_store(args, create: bool = False) -> AnnotationStore:
    """The store named by --store, else the project's default one. With `create`, a missing
    store is made (and the default one's folder with it); without, it must exist."""
    path = Path(args.store) if args.store else annotations_path()
    if create and not args.store:
        path.parent.mkdir(parents=True, exist_ok=True)
    return AnnotationStore(path, create=create)
