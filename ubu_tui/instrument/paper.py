"""A printable paper form of one respondent's items, in any shipped language (HTML).

For the paper-form mode: the respondent ticks boxes, the caseworker enters the codes later.
Items without a current translation are printed in Swedish and marked, never left out.
"""

from __future__ import annotations

import html

from ubu_tui.i18n import LANGUAGES, RTL, status
from ubu_tui.instrument.model import AnswerType, Form, Instrument, Item
from ubu_tui.instrument.translation import item_wording, paper_consent_wording

CSS = """body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;font-size:12pt}
ol{padding-left:1.4em}li{margin:0 0 1.2em;page-break-inside:avoid}.opt{margin:.2em 0 0 .5em}
.box{display:inline-block;width:.9em;height:.9em;border:1px solid #333;margin-right:.5em;
vertical-align:middle}.sv{color:#666;font-size:90%}.draft{border:1px solid #b60;padding:.4em;
color:#b60}.code{color:#999;font-size:80%;margin-left:.5em}"""


def on_paper(item: Item) -> bool:
    """Whether the respondent's paper form carries the item (the caseworker fills the rest)."""
    return not (item.type in (AnswerType.UNIT, AnswerType.AGE, AnswerType.MULTI)
                or item.prefill)


def paper_number(form: Form, item: Item) -> tuple[int, int] | None:
    """(number on the paper, items on the paper), or None when the item is not on it."""
    printed = [i.id for i in form.items if on_paper(i)]
    return (printed.index(item.id) + 1, len(printed)) if item.id in printed else None


def paper_form(instrument: Instrument, respondent: str, language: str) -> str:
    form: Form = instrument.forms[respondent]
    direction = "rtl" if language in RTL else "ltr"
    out = [f"<!doctype html><html lang='{language}' dir='{direction}'><meta charset='utf-8'>"
           f"<title>{html.escape(form.title)}</title><style>{CSS}</style>",
           f"<h1>{html.escape(form.title)}</h1>",
           f"<p class='sv'>{html.escape(instrument.title)} · {instrument.key} · "
           f"{LANGUAGES.get(language, language)}</p>"]
    if status(language).draft:
        out.append("<p class='draft'>Utkast till översättning, ännu inte granskat av en "
                   "auktoriserad översättare.</p>")
    # The respondent reads this alone: the paper text, never the interviewer's spoken one
    consent = paper_consent_wording(form, language)
    out.append(f"<p>{html.escape(consent or form.paper_consent_text or form.consent_text)}</p>")
    if consent is None:
        out.append("<p class='sv'>(på svenska: ingen aktuell översättning)</p>")
    out.append("<ol>")
    for item in form.items:
        if not on_paper(item):
            continue                       # filled in by the caseworker, not the respondent
        said = item_wording(item, language)
        text = said.text or item.text
        out.append(f"<li><b>{html.escape(text)}</b>")
        if said.text is None:
            out.append("<div class='sv'>(på svenska: ingen aktuell översättning)</div>")
        if item.show_if:
            out.append("<div class='sv'>↳</div>")
        for option in item.options:
            label = said.options.get(option.code) or option.label
            out.append(f"<div class='opt'><span class='box'></span>{html.escape(label)}"
                       f"<span class='code'>{option.code}</span></div>")
        if "not_applicable" in item.nonresponse:
            label = said.not_applicable or item.nonresponse_label("not_applicable")
            out.append(f"<div class='opt'><span class='box'></span>{html.escape(label)}</div>")
        out.append("</li>")
    out.append("</ol></html>")
    return "\n".join(out)
