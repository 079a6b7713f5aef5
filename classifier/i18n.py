"""The language a person reads: its texts from the catalogue, its numbers in its own format.

English is the source language. Every text is written in English where it is gathered
(Errors, Warnings and Notes in errors.py; `tr("...")`, `N_("...")` and `NC_(...)` in the
report and on the screens) and that English text is its msgid in the catalogue of each
other language: classifier/locale/<lang>/LC_MESSAGES/survey_coder.po, shipped as package
data and compiled in memory with Babel the first time the language is used. A text
without a translation shows in English.

The command line chooses the language once, before a command runs (`use_language`: --lang,
else `language` in survey-coder.toml, else English); the core only asks the catalogue. In
English every number is formatted exactly as before (28.1 %, 1234, 0.97); in another
language with Babel and the language's CLDR locale data (nb: 28,1 %, 1 234, 0,97, with
no-break spaces where CLDR puts them).
"""

from __future__ import annotations

import copy
import io
import math
from decimal import Decimal
from importlib import resources

LANGUAGES = {"en": "en", "nb": "nb_NO"}  # --lang / language = "..." -> Babel's locale for numbers
SOURCE = "en"
DOMAIN = "survey_coder"
_language = SOURCE
_translations: dict = {}  # language -> babel.support.Translations


def use_language(language: str | None) -> None:
    """Show texts and numbers in `language` from now on (None: English)."""
    global _language
    language = language or SOURCE
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def current() -> str:
    return _language


def catalogue_path(language: str):
    """The .po file of `language` (a Traversable: inside the installed package)."""
    return resources.files(__package__).joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")


def read_catalogue(language: str):
    """The catalogue of `language` as Babel reads it (a babel.messages.Catalog)."""
    from babel.messages.pofile import read_po

    with catalogue_path(language).open("rb") as f:
        return read_po(f, locale=LANGUAGES[language], domain=DOMAIN)


def _active():
    """The active language's translations, compiled in memory once (None for English)."""
    if _language == SOURCE:
        return None
    found = _translations.get(_language)
    if found is None:
        from babel.messages.mofile import write_mo
        from babel.support import Translations

        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(_language))  # leaves out fuzzy entries
        buffer.seek(0)
        found = _translations[_language] = Translations(buffer, domain=DOMAIN)
    return found


def tr(message: str) -> str:
    """`message` (its English text) in the current language."""
    active = _active()
    return message if active is None or not message else active.gettext(message)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English means something else elsewhere."""
    active = _active()
    return message if active is None or not message else active.pgettext(context, message)


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; `tr` translates it where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """As N_, for a text shown with `pgettext(context, ...)`."""
    return message


def translated(value, name: str):
    """A catalogued attribute (errors.py) in the current language: a text is its msgid; a
    dict's values are words shown inside other texts, translated with the dict's name as
    their context."""
    if _language == SOURCE:
        return value
    if isinstance(value, str):
        return tr(value)
    if isinstance(value, dict):
        return {k: pgettext(name, v) if isinstance(v, str) else v for k, v in value.items()}
    return value


# -- numbers ------------------------------------------------------------------------------
def _pattern(kind: str, digits: int):
    """The current locale's own decimal or percent pattern (CLDR), with exactly `digits` decimals."""
    from babel import Locale

    locale = Locale.parse(LANGUAGES[_language])
    pattern = copy.copy(locale.percent_formats[None] if kind == "percent" else locale.decimal_formats[None])
    pattern.frac_prec = (digits, digits)
    return pattern, locale


def decimal(x: float, digits: int = 3) -> str:
    """A number with `digits` decimals: 0.970 (en), 0,970 (nb). Rounded as Python rounds, in every language."""
    text = f"{x:.{digits}f}"
    if _language == SOURCE:
        return text
    pattern, locale = _pattern("decimal", digits)
    return pattern.apply(Decimal(text), locale)


def signed(x: float, digits: int = 1) -> str:
    """A change with its sign: +1.5 (en), +1,5 (nb)."""
    text = f"{x:+.{digits}f}"
    return text if _language == SOURCE else text[0] + decimal(abs(float(text)), digits)


def integer(n: int) -> str:
    """A count: 1234 (en, as before), 1 234 (nb)."""
    if _language == SOURCE:
        return str(n)
    pattern, locale = _pattern("decimal", 0)
    return pattern.apply(Decimal(int(n)), locale)


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0-1) in per cent: 28.1 % (en), 28,1 % (nb); '–' for no share (None, NaN)."""
    try:
        value = float(share)
    except TypeError:  # None, pandas' NA
        return "–"
    if math.isnan(value):
        return "–"
    text = f"{100 * value:.{digits}f}"
    if _language == SOURCE:
        return f"{text} %"
    pattern, locale = _pattern("percent", digits)
    return pattern.apply(Decimal(text) / 100, locale)
