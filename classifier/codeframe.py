"""Code frames: the categories an answer can be coded into, read from TOML or JSON.

A frame is data, not code: nothing else in the package knows any code's key. It says
whether an answer may carry several codes (multi-label) or exactly one (single-choice),
and which code, if any, is the fallback that stands alone when nothing else applies.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import Errors, UserError

LABEL_SEPARATOR = ";"


@dataclass(frozen=True)
class Code:
    key: str
    name: str = ""
    definition: str = ""
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    shortcut: str = ""


@dataclass(frozen=True)
class CodeFrame:
    name: str
    codes: tuple[Code, ...]
    multi_label: bool = True
    fallback: str | None = None
    question: str = ""
    version: str = "1"
    # Map from the previous version's keys to this version's: {"old": ["new", ...]}.
    previous: dict = field(default_factory=dict)
    source: str = ""

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.codes]

    @property
    def substantive(self) -> list[str]:
        """Keys other than the fallback."""
        return [k for k in self.keys if k != self.fallback]

    def previous_raw(self) -> dict:
        """The [frame.previous] map as written: {old key: new key(s)} (checked in versions.py)."""
        prev = self.previous if isinstance(self.previous, dict) else {}
        return dict(prev["map"]) if isinstance(prev.get("map"), dict) else {k: v for k, v in prev.items() if k != "version"}

    def knows(self, keys) -> bool:
        """Whether every key is a code of this frame or of its previous version."""
        return set(keys) <= set(self.keys) | set(self.previous_raw())

    def code(self, key: str) -> Code:
        for c in self.codes:
            if c.key == key:
                return c
        raise KeyError(key)

    def shortcuts(self) -> dict[str, str]:
        """Key press -> code key; defaults are 1, 2, 3, ... in frame order."""
        out = {}
        for i, c in enumerate(self.codes, start=1):
            out[c.shortcut or str(i)] = c.key
        return out

    @property
    def hash(self) -> str:
        """SHA-256 of what a model depends on: the keys, their order, multi-label, fallback."""
        payload = json.dumps(
            {"keys": self.keys, "multi_label": self.multi_label, "fallback": self.fallback},
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["codes"] = [asdict(c) for c in self.codes]
        return d

    @classmethod
    def from_dict(cls, data: dict, source: str = "") -> CodeFrame:
        meta = data.get("frame", data)
        raw_codes = data.get("codes")
        where = source or Errors.CODEFRAME_WHERE
        if not isinstance(raw_codes, list) or not raw_codes:
            raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_NO_CODES))
        codes = []
        for i, rc in enumerate(raw_codes, start=1):
            if not isinstance(rc, dict) or not str(rc.get("key", "")).strip():
                raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_CODE_NO_KEY.format(n=i)))
            codes.append(
                Code(
                    key=str(rc["key"]).strip(),
                    name=str(rc.get("name", "")),
                    definition=str(rc.get("definition", "")),
                    includes=tuple(rc.get("includes", ())),
                    excludes=tuple(rc.get("excludes", ())),
                    examples=tuple(rc.get("examples", ())),
                    shortcut=str(rc.get("shortcut", "")),
                )
            )
        keys = [c.key for c in codes]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_DUPLICATE_KEYS.format(keys=", ".join(dupes))))
        bad = [k for k in keys if LABEL_SEPARATOR in k or k != k.strip()]
        if bad:
            raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_BAD_KEY.format(key=bad[0])))
        fallback = meta.get("fallback") or None
        if fallback is not None and fallback not in keys:
            raise UserError(Errors.CODEFRAME_INVALID.format(
                path=where, reason=Errors.CODEFRAME_BAD_FALLBACK.format(fallback=fallback)))
        shortcuts = [c.shortcut or str(i) for i, c in enumerate(codes, start=1)]
        if len(set(shortcuts)) != len(shortcuts):
            raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_SHARED_SHORTCUT))
        multi = bool(meta.get("multi_label", True))
        if len(codes) < 2:
            raise UserError(Errors.CODEFRAME_INVALID.format(path=where, reason=Errors.CODEFRAME_TOO_FEW_CODES))
        return cls(
            name=str(meta.get("name") or Path(source).stem or "frame"),
            codes=tuple(codes),
            multi_label=multi,
            fallback=fallback,
            question=str(meta.get("question", "")),
            version=str(meta.get("version", "1")),
            previous=dict(meta.get("previous", {}) or {}),
            source=source,
        )

    def parse_labels(self, value: object, where: str) -> list[str]:
        """Split a cell like 'a;b' into known keys (frame order), or raise naming the row."""
        keys = split_labels(value)
        for k in keys:
            if k not in self.keys:
                raise UserError(Errors.UNKNOWN_CODE.format(code=k, where=where, codes=", ".join(self.keys)))
        if self.fallback and self.fallback in keys and len(keys) > 1:
            raise UserError(Errors.FALLBACK_COMBINED.format(fallback=self.fallback, where=where))
        if not self.multi_label and len(keys) > 1:
            raise UserError(Errors.SINGLE_CHOICE_MULTI.format(where=where, n=len(keys), frame=self.name))
        return [k for k in self.keys if k in keys]


def split_labels(value: object) -> list[str]:
    """'a; b;;' -> ['a', 'b']; empty, NaN and None -> []."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    parts = [p.strip() for p in str(value).split(LABEL_SEPARATOR)]
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return seen


def join_labels(keys: list[str]) -> str:
    return LABEL_SEPARATOR.join(keys)


def load_codeframe(path: str | Path) -> CodeFrame:
    """Read a code frame from a .toml or .json file."""
    p = Path(path)
    if not p.is_file():
        raise UserError(Errors.CODEFRAME_NOT_FOUND.format(path=p))
    try:
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        elif p.suffix.lower() == ".json":
            data = json.loads(p.read_text(encoding="utf-8"))
        else:
            raise UserError(Errors.CODEFRAME_INVALID.format(path=p, reason=Errors.CODEFRAME_SUFFIX))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(Errors.CODEFRAME_INVALID.format(path=p, reason=str(e).splitlines()[0])) from None
    return CodeFrame.from_dict(data, source=str(p))


def infer_codeframe(label_sets: list[list[str]], name: str = "inferred") -> CodeFrame:
    """A frame from the codes present: single-choice when every row has exactly one code."""
    keys = sorted({k for labels in label_sets for k in labels})
    multi = any(len(labels) != 1 for labels in label_sets if labels)
    return CodeFrame(name=name, codes=tuple(Code(key=k, name=k) for k in keys), multi_label=multi)


def find_frame_for_keys(keys: set[str], folder: Path) -> CodeFrame | None:
    """The frame in `folder` that knows every key seen in the data (directly or through its
    previous-version map), if exactly one does."""
    matches = []
    for p in sorted(folder.glob("*.toml")) + sorted(folder.glob("*.json")):
        try:
            frame = load_codeframe(p)
        except UserError:
            continue
        if keys and frame.knows(keys):
            matches.append(frame)
    return matches[0] if len(matches) == 1 else None
