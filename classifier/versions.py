"""Code frame versions: read answers coded with the previous version of a frame.

A frame changes between survey years: a code is renamed, two are merged, one is split.
The frame file then carries its version and a map from the previous version's keys
(`[frame.previous]`, see labels/README.md):

    [frame.previous]
    version = "1"
    map = { old_key = ["new_key"], merged_a = ["ab"], merged_b = ["ab"], split = ["x", "y"] }

A renamed or merged code maps to one new code, so old answers translate exactly. A split
code maps to several; an old answer coded with it is one of them, nobody knows which,
so `train` leaves such answers out and `report` counts them under the split codes
together (a row "x + y") so the trend stays comparable across years.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codeframe import CodeFrame, split_labels
from .dataset import CodedAnswers
from .errors import Errors, UserError, Warnings


@dataclass(frozen=True)
class Remapped:
    """One answer's codes in the current frame: certain keys, and split groups."""

    keys: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...] = ()  # each: the new keys an old split code became


def previous_map(frame: CodeFrame) -> dict[str, tuple[str, ...]]:
    """{old key: (new keys in frame order)}, checked against the frame.

    Accepts `{"version": ..., "map": {old: [new, ...]}}` and the flat form
    `{old: [new, ...]}`; a single new key may be written as a string.
    """
    prev = frame.previous or {}
    where = frame.source or frame.name
    if not isinstance(prev, dict):
        raise UserError(Errors.PREVIOUS_INVALID.format(path=where, reason=Errors.PREVIOUS_NOT_TABLE))
    raw = frame.previous_raw()
    out: dict[str, tuple[str, ...]] = {}
    for old, new in raw.items():
        targets = [new] if isinstance(new, str) else new
        if not isinstance(targets, (list, tuple)) or not targets or not all(isinstance(t, str) for t in targets):
            raise UserError(Errors.PREVIOUS_INVALID.format(
                path=where, reason=Errors.PREVIOUS_BAD_TARGET.format(old=old)))
        unknown = [t for t in targets if t not in frame.keys]
        if unknown:
            raise UserError(Errors.PREVIOUS_INVALID.format(
                path=where, reason=Errors.PREVIOUS_UNKNOWN_TARGET.format(old=old, new=unknown[0])))
        if old in frame.keys and list(targets) != [old]:
            raise UserError(Errors.PREVIOUS_INVALID.format(
                path=where, reason=Errors.PREVIOUS_STILL_A_CODE.format(old=old)))
        out[str(old)] = tuple(k for k in frame.keys if k in targets)
    return out


def split_codes(frame: CodeFrame) -> dict[str, tuple[str, ...]]:
    """Old keys that became several new ones."""
    return {old: new for old, new in previous_map(frame).items() if len(new) > 1}


def remap_keys(keys: list[str], frame: CodeFrame, where: str, mapping: dict | None = None) -> Remapped:
    """Translate one answer's codes to the current frame; unknown codes raise naming `where`.

    The fallback code is dropped when a substantive code stands beside it after mapping
    (a merge into the fallback must not break the rule that it stands alone).
    """
    mapping = previous_map(frame) if mapping is None else mapping
    certain: list[str] = []
    groups: list[tuple[str, ...]] = []
    for k in keys:
        if k in frame.keys:
            certain.append(k)
        elif k in mapping and len(mapping[k]) == 1:
            certain.append(mapping[k][0])
        elif k in mapping:
            if mapping[k] not in groups:
                groups.append(mapping[k])
        else:
            raise UserError(Errors.REPORT_UNKNOWN_CODE.format(
                code=k, where=where, frame=frame.name, version=frame.version))
    fb = frame.fallback
    if fb is not None and fb in certain and (len(set(certain)) > 1 or groups):
        certain = [k for k in certain if k != fb]
    ordered = tuple(k for k in frame.keys if k in certain)
    return Remapped(ordered, tuple(groups))


def remap_cell(value: object, frame: CodeFrame, where: str, mapping: dict | None = None) -> Remapped:
    return remap_keys(split_labels(value), frame, where, mapping)


def apply_previous(data: CodedAnswers, frame: CodeFrame) -> CodedAnswers:
    """Training answers in the current frame: renamed and merged codes translated, answers
    with a split code left out (with a note in `data.notes`). Unchanged when no map.

    Codes that are in neither the frame nor the map are left for `check_against_frame`
    to report with its usual message.
    """
    mapping = previous_map(frame)
    if not mapping:
        return data
    keep: list[bool] = []
    labels: list[list[str]] = []
    dropped: dict[str, int] = {}
    for lab in data.labels:
        split = [k for k in lab if k in mapping and len(mapping[k]) > 1 and k not in frame.keys]
        if split:
            for k in split:
                dropped[k] = dropped.get(k, 0) + 1
            keep.append(False)
            labels.append(lab)
            continue
        known = [k for k in lab if k in frame.keys or k in mapping]
        rest = [k for k in lab if k not in frame.keys and k not in mapping]
        mapped = list(remap_keys(known, frame, "training data", mapping).keys) if known else []
        keep.append(True)
        labels.append(mapped + rest)
    out = CodedAnswers(list(data.texts), labels, list(data.where), list(data.ids), list(data.years), data.skipped,
                       groups=list(data.groups))
    out.notes = list(data.notes)
    if all(keep):
        return out
    kept = out.subset(keep)
    kept.skipped = data.skipped
    kept.notes = list(data.notes) + [
        Warnings.SPLIT_CODE_SKIPPED.format(n=n, code=k, new=Errors.JOIN_AND.join(mapping[k])) for k, n in dropped.items()
    ]
    return kept
