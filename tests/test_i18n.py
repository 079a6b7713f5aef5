"""The catalogue: every text has a Norwegian translation with the same placeholders, and numbers
are formatted as each language writes them.

A text is catalogued where it is gathered: an attribute of Errors, Warnings or Notes (a dict's
values with the dict's name as their context), or a literal in tr(), N_(), pgettext() or NC_()
in the package (found with Babel's extractor). A text added later without a translation fails
here until it is translated in classifier/locale/nb/LC_MESSAGES/survey_coder.po.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract

from classifier import errors, i18n
from classifier.errors import Errors, Notes, Warnings

PACKAGE = Path(errors.__file__).resolve().parent
KEYWORDS = {"tr": None, "N_": None, "pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]
MARKUP = re.compile(r"\[/?[a-z_ ]*\]")  # rich markup such as [bold] and [/]
QUOTED_COMMAND = re.compile(r"'survey-coder [a-z]+")


def catalogued() -> dict[tuple[str | None, str], str]:
    """(context, English text) -> where it is defined, for every catalogued text of the package."""
    found = {}
    for cls in (Errors, Warnings, Notes):
        for name, value in vars(cls).items():
            if name.startswith("_"):
                continue
            if isinstance(value, str):
                found[(None, value)] = f"{cls.__name__}.{name}"
            elif isinstance(value, dict):
                for key, text in value.items():
                    found[(name, text)] = f"{cls.__name__}.{name}[{key!r}]"
    for path in sorted(PACKAGE.rglob("*.py")):
        with path.open("rb") as f:
            for lineno, message, _, context in extract("python", f, keywords=KEYWORDS):
                if isinstance(message, str) and message:
                    found.setdefault((context, message), f"{path.relative_to(PACKAGE.parent)}:{lineno}")
    return found


def fields(text: str) -> list[tuple[str, str, str]]:
    """The placeholders of a format string, each with its conversion and format spec, sorted."""
    return sorted((name, conv or "", spec or "") for _, name, spec, conv in string.Formatter().parse(text)
                  if name is not None)


@pytest.fixture(scope="module", params=TRANSLATED)
def catalogue(request):
    return request.param, i18n.read_catalogue(request.param)


def test_every_catalogued_text_has_a_translation(catalogue):
    lang, cat = catalogue
    missing = []
    for (context, msgid), where in catalogued().items():
        message = cat.get(msgid, context=context)
        if message is None or not message.string or message.fuzzy:
            missing.append(f"{where}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    assert not missing, f"{len(missing)} texts have no {lang} translation:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders_markup_and_commands(catalogue):
    """The same {fields} (with conversions and specs), the same rich markup, and quoted commands
    that start 'survey-coder (the command line rewrites them to show how the tool was run). A
    context may name fields the code also passes ("title with {question}"): a translation may use them."""
    lang, cat = catalogue
    wrong = []
    for message in cat:
        if not message.id or not message.string:
            continue
        english, text = message.id, message.string
        extra = {f[0] for f in fields(message.context or "")}
        ok = fields(text) == fields(english) if not extra else {f[0] for f in fields(text)} <= (
            {f[0] for f in fields(english)} | extra)
        ok = ok and sorted(MARKUP.findall(text)) == sorted(MARKUP.findall(english))
        ok = ok and len(QUOTED_COMMAND.findall(english)) == len(re.findall(r"['«]survey-coder [a-z]+", text))
        if not ok:
            wrong.append(f"{english!r} -> {text!r}")
    assert not wrong, f"{lang} translations that do not match their English text:\n" + "\n".join(wrong)


def test_the_review_reasons_are_translated_ahead_of_the_coders_that_give_them():
    cat = i18n.read_catalogue("nb")
    reasons = {"low confidence": "lav sikkerhet", "unknown words": "ukjente ord", "not text": "ikke tekst",
               "formula": "formel", "question echoed": "spørsmålet gjentatt", "other language": "annet språk",
               "several topics": "flere temaer", "contradicts probabilities": "motsier sannsynlighetene"}
    assert {k: cat.get(k).string for k in reasons} == reasons


@pytest.fixture
def nb():
    i18n.use_language("nb")
    yield
    i18n.use_language(None)


def test_catalogued_attributes_are_read_in_the_current_language(nb):
    assert Errors.FILE_NOT_FOUND.startswith("Fant ikke filen")
    assert "{path}" in Errors.FILE_NOT_FOUND
    assert Errors.KINDS["png"] == "et PNG-bilde"
    i18n.use_language("en")
    assert Errors.FILE_NOT_FOUND == "File not found: {path}. Check the path and try again."
    assert Errors.KINDS["png"] == "a PNG image"


def test_numbers_in_english_are_as_before():
    assert (i18n.percent(0.281), i18n.percent(0.5, 0), i18n.integer(1234), i18n.decimal(0.97061, 2)) == (
        "28.1 %", "50 %", "1234", "0.97")
    assert (i18n.signed(1.5), i18n.signed(-0.25, 2)) == ("+1.5", "-0.25")


def test_numbers_in_norwegian(nb):
    nbsp = "\N{NO-BREAK SPACE}"
    assert i18n.percent(0.281) == f"28,1{nbsp}%"
    assert i18n.percent(0.95, 0) == f"95{nbsp}%"
    assert i18n.integer(1234) == f"1{nbsp}234" and i18n.integer(56) == "56"
    assert i18n.decimal(0.97061, 2) == "0,97" and i18n.decimal(12345.5, 1) == f"12{nbsp}345,5"
    assert (i18n.signed(1.5), i18n.signed(-0.25, 2)) == ("+1,5", "-0,25")


def test_rounding_is_the_same_in_both_languages(nb):
    """Python rounds first, Babel only writes the digits: the same figure, only written differently."""
    for x in (0.28049999, 0.2805, 0.12345, 0.99951):
        i18n.use_language("en")
        english = i18n.percent(x)
        i18n.use_language("nb")
        assert i18n.percent(x).replace(",", ".").replace("\N{NO-BREAK SPACE}", " ") == english


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.use_language("de")


def test_no_catalogued_literal_hides_in_an_f_string():
    """Babel's extractor does not look inside f-strings: a tr("...") there would never reach the catalogue."""
    hidden = re.compile(r"""\{[^{}]*\b(tr|N_|pgettext|NC_)\(\s*(['"])""")
    found = [f"{p.relative_to(PACKAGE.parent)}:{n}" for p in PACKAGE.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"""\bf(['"])""", line) and hidden.search(line)]
    assert not found


def test_the_catalogues_ship_with_the_package():
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    shipped = {p for pattern in config["package-data"]["classifier"] for p in PACKAGE.glob(pattern)}
    for lang in TRANSLATED:
        assert PACKAGE / "locale" / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po" in shipped
    assert not list(PACKAGE.rglob("*.mo"))  # compiled in memory, never committed
