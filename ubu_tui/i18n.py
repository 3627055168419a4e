"""Languages. Swedish is the source; catalogues live in `locales/<lang>/LC_MESSAGES/`.

Two gettext domains: `ubu` for the interface (the caseworker's language) and `instrument` for
the instrument's wording (each respondent session's interview language). Catalogues are read
from the `.po` files and compiled in memory, so a fresh checkout needs no build step; a built
wheel carries `.mo` files compiled as it was built (setup.py), and no `.po`.

`_` is looked up at render time so that a language switch re-renders in the new language.
`N_` marks class-level strings for extraction without translating them at import.
"""

from __future__ import annotations

import gettext as _gettext
import io
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ubu_tui.resources import locales_dir

SOURCE = "sv"
LANGUAGES = {"sv": "svenska", "en": "English", "fi": "suomi", "so": "Soomaali",
             "ar": "العربية"}
RTL = {"ar"}

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = SOURCE


@cache
def catalog(language: str, domain: str) -> _gettext.NullTranslations:
    """The compiled catalogue, or NullTranslations (Swedish) where there is none."""
    if language == SOURCE:
        return _gettext.NullTranslations()
    return _compiled(language, domain)


def _compiled(language: str, domain: str) -> _gettext.NullTranslations:
    folder = locales_dir() / language / "LC_MESSAGES"
    mo, po = folder / f"{domain}.mo", folder / f"{domain}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return _gettext.GNUTranslations(fp)
    if not po.exists():
        return _gettext.NullTranslations()
    try:
        return _gettext.GNUTranslations(io.BytesIO(_mo_of(po, language)))
    except Exception:       # a damaged cache entry (the disk's, not ours): compile afresh
        return _gettext.GNUTranslations(io.BytesIO(_mo_of(po, language, cached=False)))


def _mo_of(po: Path, language: str, *, cached: bool = True) -> bytes:
    """The `.po` compiled, as the cache remembers it: Babel's import and parse were most of
    what the command line did before the app's first frame (argparse's Swedish catalogue)."""
    from importlib.util import find_spec

    from ubu_tui import cache

    source = po.read_bytes()
    spec = find_spec("babel")
    name = cache.key(source, language.encode(), cache.source_of(__file__),
                     cache.source_of(str(spec.origin if spec else "babel")))
    mo = cache.read("catalogues", name) if cached else None
    if mo is not None:
        return mo
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    messages = read_po(io.BytesIO(source), locale=language)
    buf = io.BytesIO()
    write_mo(buf, messages)        # fuzzy entries are left out, as msgfmt does
    cache.write("catalogues", name, buf.getvalue())
    return buf.getvalue()


@cache
def argparse_catalog(language: str) -> _gettext.NullTranslations:
    """argparse's own words (usage, errors) in the interface language. argparse speaks English,
    so English needs no catalogue; a language without one gets Swedish, like the interface."""
    if language == "en":
        return _gettext.NullTranslations()
    folder = locales_dir() / language / "LC_MESSAGES"      # .po in a checkout, .mo in a wheel
    has = (folder / "argparse.po").exists() or (folder / "argparse.mo").exists()
    return _compiled(language if has else SOURCE, "argparse")


def use_language(language: str) -> None:
    """Switch the interface language (the caseworker's)."""
    from ubu_tui.errors import InputRejected

    offered = interface_languages()
    if language not in offered:
        also = _("; '{language}' är ett intervjuspråk, som väljs per svarande i intervjun"
                 ).format(language=language) if language in LANGUAGES else ""
        raise InputRejected(_("inget gränssnittsspråk '{language}'; använd ett av "
                              "{languages}").format(language=language,
                                                    languages=", ".join(offered)) + also)
    global _translations, _language
    _translations = catalog(language, "ubu")
    _language = language


def current_language() -> str:
    return _language


def set_translations(translations: _gettext.NullTranslations) -> None:
    global _translations
    _translations = translations


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message


def translate_bindings(node: object) -> None:
    """Put a screen's key labels (declared with N_ at class level) in the interface language."""
    from dataclasses import replace

    bindings = getattr(node, "_bindings", None)
    if bindings is None:
        return
    original = getattr(node, "_ubu_swedish_bindings", None)
    if original is None:       # keep the Swedish, so that a later switch starts from it
        original = {k: list(v) for k, v in bindings.key_to_bindings.items()}
        node._ubu_swedish_bindings = original  # type: ignore[attr-defined]
    for key, items in original.items():
        bindings.key_to_bindings[key] = [replace(b, description=_(b.description))
                                          if b.description else b for b in items]


# Key labels that Textual's own widgets show in the footer, in English; ours for them.
TEXTUAL_LABELS: dict[str, str] = {
    "Dismiss menu": N_("Stäng listan"),
}


def binding_label(node: object, description: str) -> str:
    """A footer label in the interface language, whoever declared the binding.

    Screens and the App translate their own labels once (`translate_bindings`); for every
    other node, Textual's widgets included, the label is translated here, at display time.
    """
    if hasattr(node, "_ubu_swedish_bindings") or not description:
        return description
    return _(TEXTUAL_LABELS.get(description, description))


def interface_languages() -> list[str]:
    """Swedish, and every language with an interface catalogue."""
    found = {p.parts[-3] for p in locales_dir().glob("*/LC_MESSAGES/ubu.[mp]o")}
    return [SOURCE] + sorted(found)


def format_number(value: float, digits: int = 2) -> str:
    """A number in the interface locale: 3,62 in Swedish, 3.62 in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, format=f"0.{'0' * digits}" if digits else "0",
                          locale=_language)


def format_percent(value: float) -> str:
    from babel.numbers import format_percent as fp

    return fp(value, locale=_language)


def format_date(value: object) -> str:
    from babel.dates import format_date as fd

    return fd(value, format="medium", locale=_language)  # type: ignore[arg-type]


# --- the instrument's wording in an interview language -----------------------------------

@dataclass(frozen=True)
class Status:
    """What a language's instrument catalogue is: a draft awaiting an authorised translator,
    and which entries it deliberately leaves in Swedish."""

    language: str
    draft: bool
    untranslated: tuple[str, ...]     # msgctxt prefixes/suffixes: "caseworker.", ".instruction"

    def excluded(self, context: str) -> bool:
        return any(context.startswith(p) if p.endswith(".") else context.endswith(p)
                   for p in self.untranslated)


@cache
def status(language: str) -> Status:
    path = locales_dir() / language / "translation.toml"
    if language == SOURCE or not path.exists():
        return Status(language, False, ())
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Status(language, data.get("status") == "draft",
                  tuple(str(p) for p in data.get("untranslated", [])))


def wording(language: str, context: str, swedish: str) -> str | None:
    """The instrument text in `language`, or None where it has no current translation
    (missing, or marked fuzzy because the Swedish changed): the caller shows Swedish, marked."""
    if language == SOURCE:
        return swedish
    got = catalog(language, "instrument").pgettext(context, swedish)
    return got if got != swedish else None


def bidi(text: str, language: str) -> str:
    """Right-to-left text in visual order with joined letter forms, for a terminal.

    Terminals lay characters out left to right and do not join Arabic letters; reshaping and
    reordering here makes a line read correctly. Lines are reordered one by one, so wrapping
    must happen before this (the caller passes one display line at a time)."""
    if language not in RTL:
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))
