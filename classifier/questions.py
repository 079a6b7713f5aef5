"""Several questions in one survey file: which are there, and their coded columns side by side.

Each question's coded columns carry its key as a prefix (`tjenester_labels`,
`tjenester_p_<code>`, ...): whatever columns coding adds, all of them get it, so the coded
file holds every question's columns next to the input's. `unprefixed` turns one question's
columns back into the plain names (`labels`, `p_<code>`) that review and report read.
"""

from __future__ import annotations

import pandas as pd

from .errors import Errors, UserError
from .project import Question
from .tables import Table, column_matches


def match_questions(table: Table, questions: list[Question], project_file) -> tuple[list[tuple[Question, str]],
                                                                                      list[Question]]:
    """([(question, its column in `table`)], [questions whose column is not there]).

    A column is matched as typed, else after normalising (NFC, trimmed, any case); one that
    matches several columns is an error, and so is a file that holds none of the questions."""
    found, missing = [], []
    for q in questions:
        matches = column_matches(list(table.frame.columns), q.column)
        if len(matches) > 1:
            raise UserError(Errors.QUESTION_COLUMN_AMBIGUOUS.format(
                column=q.column, key=q.key, path=table.path, matches=", ".join(f"'{c}'" for c in matches),
                project=project_file))
        if matches:
            found.append((q, matches[0]))
        else:
            missing.append(q)
    if not found:
        raise UserError(Errors.NO_QUESTION_FOUND.format(
            project=project_file, path=table.path, missing=", ".join(f"'{q.column}' ({q.key})" for q in missing),
            columns=", ".join(map(str, table.frame.columns))))
    return found, missing


def prefixed(added: pd.DataFrame, key: str) -> pd.DataFrame:
    """The columns coding added for one question, each named `<key>_<column>`."""
    return added.rename(columns={c: f"{key}_{c}" for c in added.columns})


def join_coded(df: pd.DataFrame, coded: list[pd.DataFrame]) -> pd.DataFrame:
    """`df` with every question's prefixed columns after its own; an input column with the name
    of a new one (a file coded before) is kept as `<name>_input`, as for one question."""
    new = [c for part in coded for c in part.columns]
    out = df.rename(columns={c: f"{c}_input" for c in df.columns if c in new})
    return pd.concat([out.reset_index(drop=True), *[p.reset_index(drop=True) for p in coded]], axis=1)


def unprefixed(df: pd.DataFrame, key: str, others=()) -> pd.DataFrame:
    """One question's view of a coded file: its `<key>_<column>` columns under their plain
    names; an input column that already has such a name is kept as `<name>_input`. Columns
    of `others` (keys of the other questions) stay as they are, even when one key starts
    with another (`a_` and `a_b_`)."""
    prefix = f"{key}_"
    longer = tuple(f"{o}_" for o in others if o != key and f"{o}_".startswith(prefix))
    own = {c: c[len(prefix):] for c in df.columns
           if str(c).startswith(prefix) and len(c) > len(prefix) and not (longer and str(c).startswith(longer))}
    plain = set(own.values())
    clash = {c: f"{c}_input" for c in df.columns if c in plain and c not in own}
    return df.rename(columns={**clash, **own})
