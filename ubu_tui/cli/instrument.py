"""Commands on the instrument: codebook, check-instrument, paper-form."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ubu_tui.cli.common import Context, command, file_arg, folder_arg, say
from ubu_tui.i18n import _


def _instrument(ctx: Context) -> Any:
    from ubu_tui.instrument.loader import default_instrument, load_instrument

    folder = getattr(ctx.args, "folder", None)
    return load_instrument(Path(folder)) if folder else default_instrument()


def codebook(ctx: Context) -> int:
    from ubu_tui.instrument.codebook import codebook as render

    sys.stdout.write(render(_instrument(ctx)))
    return 0


def check_instrument(ctx: Context) -> int:
    instrument = _instrument(ctx)
    counts = ", ".join(f"{r} {len(f.items)}" for r, f in instrument.forms.items())
    say(_("{key}: giltigt ({counts} frågor, {indices} index)").format(
        key=instrument.key, counts=counts, indices=len(instrument.indices)))
    # Versions are kept apart: say whether this one is pooled nationally, and what it shares.
    say(_("nationell version: slås ihop med andra kommuners") if instrument.national else
        _("lokal version: slås aldrig ihop med nationella resultat"))
    if instrument.mapping is not None:
        say(_("{same} frågor är samma fråga som i {previous}; {changed} ställs inte längre "
              "(mapping.toml)").format(same=len(instrument.mapping.same),
                                        previous=instrument.mapping.previous,
                                        changed=len(instrument.mapping.changed)))
    return 0


def paper_form(ctx: Context) -> int:
    from ubu_tui.errors import InputRejected
    from ubu_tui.i18n import LANGUAGES
    from ubu_tui.instrument.loader import default_instrument
    from ubu_tui.instrument.paper import paper_form as render
    from ubu_tui.outputs import write_text

    args = ctx.args
    if args.interview_language not in LANGUAGES:
        raise InputRejected(_("inget språk '{language}'; använd ett av {languages}").format(
            language=args.interview_language, languages=", ".join(LANGUAGES)))
    write_text(args.output, render(default_instrument(), args.respondent,
                                   args.interview_language))
    say(_("pappersformulär för {respondent} på {language}: {file}").format(
        respondent=args.respondent, language=args.interview_language, file=args.output))
    return 0


def register(sub: Any) -> None:
    p = command(sub, "codebook", _("skriv ut instrumentet som kodbok: frågor, svarsalternativ, "
                                   "koder, hopp och index"), codebook,
                "ubu codebook > kodbok.txt", "ubu codebook data/instruments/ubu-vb")
    folder_arg(p, "folder", nargs="?", metavar="FOLDER",
               help=_("instrumentmapp (standard: det instrument som följer med)"))
    p = command(sub, "check-instrument", _("kontrollera en instrumentmapp (exit 2 med fil, "
                                           "rad, fråga och regel)"), check_instrument,
                "ubu check-instrument data/instruments/ubu-vb")
    folder_arg(p, "folder", metavar="FOLDER", help=_("instrumentmappen som ska kontrolleras"))
    p = command(sub, "paper-form", _("ett utskrivbart formulär (HTML) för en del, på ett "
                                     "språk"), paper_form,
                "ubu paper-form youth ungdom.html", "ubu paper-form guardian vh-so.html --in so")
    p.add_argument("respondent", choices=("youth", "guardian", "caseworker"),
                   help=_("vems del: youth, guardian eller caseworker"))
    file_arg(p, "output", metavar="FILE", help=_("HTML-filen som skrivs"))
    p.add_argument("--in", dest="interview_language", default="sv", metavar="LANG",
                   help=_("intervjuspråk: sv, en, fi, so eller ar (standard: %(default)s)"))
