"""An item's wording in an interview language, from the `instrument` catalogues.

Where a text has no current translation (missing, or fuzzy because the Swedish changed) it is
None here, and the screen shows the Swedish, marked: never a blank.
"""

from __future__ import annotations

from dataclasses import dataclass

from ubu_tui.i18n import LANGUAGES, SOURCE, status, wording
from ubu_tui.instrument.model import Form, Item


def option_context(item: Item, code: int) -> str:
    if item.scale:
        return f"scale.{item.scale}.{code}"
    return f"{item.respondent}.{item.id}.option.{code}"


@dataclass(frozen=True)
class Wording:
    language: str
    text: str | None
    options: dict[int, str | None]
    not_applicable: str | None
    draft: bool

    @property
    def translated(self) -> bool:
        """Read from a translation: the question and every option have a current one."""
        return self.text is not None and all(v is not None for v in self.options.values())

    @property
    def name(self) -> str:
        return LANGUAGES.get(self.language, self.language)


def item_wording(item: Item, language: str) -> Wording:
    base = f"{item.respondent}.{item.id}"
    options = {o.code: wording(language, option_context(item, o.code), o.label)
               for o in item.options}
    na = wording(language, f"{base}.not_applicable_label", item.not_applicable_label) \
        if item.not_applicable_label else None
    return Wording(language, wording(language, f"{base}.text", item.text), options, na,
                   status(language).draft)


def consent_wording(form: Form, language: str) -> str | None:
    if language == SOURCE:
        return form.consent_text
    return wording(language, f"{form.respondent}.consent", " ".join(form.consent_text.split()))


def paper_consent_wording(form: Form, language: str) -> str | None:
    """The introduction printed on a paper form, which the respondent reads alone. A version
    without one (2026.1) prints the spoken text, as it always did."""
    text = form.paper_consent_text
    if not text:
        return consent_wording(form, language)
    if language == SOURCE:
        return text
    return wording(language, f"{form.respondent}.paper_consent", text)
