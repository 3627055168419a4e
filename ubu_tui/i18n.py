"""Translation hooks. Swedish is the source language; catalogues plug in here.

`_` is looked up at render time so that a language switch re-renders in the new language.
`N_` marks class-level strings for extraction without translating them at import.
"""

from __future__ import annotations

import gettext as _gettext

_translations: _gettext.NullTranslations = _gettext.NullTranslations()


def set_translations(translations: _gettext.NullTranslations) -> None:
    global _translations
    _translations = translations


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message
