"""The standard results report: report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ubu_tui.cli.common import Context, command, file_arg, say
from ubu_tui.i18n import _

FORMATS = ("html", "pptx", "xlsx", "csv")
SUFFIXES = {".html": "html", ".htm": "html", ".pptx": "pptx", ".xlsx": "xlsx", ".csv": "csv"}


def report_format(output: Path, given: str | None) -> str:
    """The format named by --format or, when it is left out, by the file's extension.

    A file named for one format and written in another would open as garbage, so a mismatch
    is an error rather than a silent choice."""
    from ubu_tui.errors import InputRejected

    suffix = output.suffix.lower()
    implied = SUFFIXES.get(suffix)
    if given is None:
        if implied is None and suffix:
            raise InputRejected(_("{file}: kan inte avgöra formatet av filändelsen '{suffix}'; "
                                  "döp filen till .html, .pptx, .xlsx eller .csv, eller ange "
                                  "--format").format(file=output, suffix=suffix))
        return implied or "html"
    if implied is not None and implied != given:
        raise InputRejected(_("{file}: filändelsen säger {implied} men --format säger {given}; "
                              "ändra det ena").format(file=output, implied=implied, given=given))
    return given


def report(ctx: Context) -> int:
    from ubu_tui.instrument.codebook import codebook
    from ubu_tui.instrument.loader import default_instrument
    from ubu_tui.outputs import output_path
    from ubu_tui.results.query import Selection
    from ubu_tui.results.render import write
    from ubu_tui.results.report import standard_report
    from ubu_tui.store.transfer import _require_real

    args = ctx.args
    out = output_path(args.output)      # before the report is computed
    engine = ctx.store
    _require_real(engine, _("redovisas"))
    selection = Selection(args.period_from, args.period_to or args.period_from)
    fmt = report_format(out, args.format)
    instrument = default_instrument()
    if args.version:          # a local version's records, apart from the national report
        from ubu_tui.errors import InputRejected
        from ubu_tui.instrument.loader import instrument_by_version

        instrument = instrument_by_version(instrument.id, args.version)
        if instrument.national:
            raise InputRejected(_("{version} är en nationell version; nationella versioner "
                                  "redovisas tillsammans i rapporten utan --version.")
                                .format(version=args.version))
        from dataclasses import replace

        selection = replace(selection, version=instrument.version)
    if args.unit is not None or args.for_municipality is not None:
        return _group(ctx, instrument, selection, out, fmt)
    results = standard_report(engine, instrument, selection, ctx.settings.threshold_in_force())
    write(results, out, fmt, codebook(instrument))
    followups = results.followups or _("färre än spärrgränsen")
    say(_("rapport {period}: {followups} uppföljningar (störda med cellnyckelmetoden, spärr "
          "{threshold}); skriven till {file}").format(
              period=results.period, followups=followups,
              threshold=results.threshold.value, file=out))
    return 0


def _group(ctx: Context, instrument: Any, selection: Any, out: Path, fmt: str) -> int:
    """One unit's or one municipality's report, beside all units."""
    from ubu_tui.results.group_render import write
    from ubu_tui.results.group_report import group_report

    args = ctx.args
    by, key = ("unit", args.unit) if args.unit is not None else ("municipality",
                                                                  args.for_municipality)
    results = group_report(ctx.store, instrument, selection, by, key,
                           ctx.settings.threshold_in_force())
    write(results, out, fmt)
    say(_("rapport {period} för {name}: skriven till {file}").format(
        period=results.period, name=results.name, file=out))
    if not results.shown:
        say(_("{name} har för få uppföljningar i perioden för att något kan visas; välj en "
              "längre period").format(name=results.name))
    return 0


def coverage(ctx: Context) -> int:
    """Enter a month's ended placements, or print coverage for a period."""
    from ubu_tui.errors import InputRejected
    from ubu_tui.store.transfer import _require_real

    args = ctx.args
    engine = ctx.store
    _require_real(engine, "reported")
    if args.ended is not None:
        from ubu_tui.store.coverage import set_ended

        if not args.month or not ctx.settings.municipality:
            raise InputRejected(_("ange --month ÅÅÅÅ-MM och kommunen (--municipality före "
                                  "kommandot, eller UBU_MUNICIPALITY)"))
        set_ended(engine, ctx.settings.municipality, args.month, args.ended)
        say(_("{n} avslutade placeringar i {month} för kommun {m} sparade").format(
            n=args.ended, month=args.month, m=ctx.settings.municipality))
        return 0
    from ubu_tui.i18n import format_percent
    from ubu_tui.instrument.loader import default_instrument
    from ubu_tui.results.aggregate import Context as Results
    from ubu_tui.results.coverage import OUTCOME_LABELS, coverage_tables, open_month_note
    from ubu_tui.results.disclosure import SYMBOL
    from ubu_tui.results.query import Selection

    def fmt(share: float | None) -> str:      # in the interface language: 78 % or 78%
        return "–" if share is None else format_percent(share)

    first = args.period_from or args.month
    if not first:
        raise InputRejected(_("ange --from ÅÅÅÅ-MM (och --to), eller --month med --ended"))
    sel = Selection(first, args.period_to or first)
    results = Results.open(engine, default_instrument(), sel, ctx.settings.threshold_in_force())
    got, note = coverage_tables(results), open_month_note(results)
    if got is None:
        say(_("inga täckningsuppgifter för perioden"))
        if note:
            say(note)
        return 0
    table, reasons = got
    say(_("{title}, {period}").format(title=table.title, period=f"{sel.period_from} – "
                                                                 f"{sel.period_to}"))
    for r in (*table.rows, table.total):
        counts = r.nonresponse or {}
        say(f"  {r.label:<14} " + (_("avslutade {n:>5}  påbörjade {s:>5}  täckning {p}").format(
            n=r.n, s=counts.get("started", 0), p=fmt(r.share_high)) if r.shown
            else SYMBOL))
    for r in reasons.rows:
        say(f"  {OUTCOME_LABELS['not_due:' + str(r.key)]:<34} {r.n:>5}  "
            f"{fmt(r.share_high)}")
    if note:
        say(note)
    return 0


def register(sub: Any) -> None:
    p = command(sub, "report", _("standardrapporten för en period, med spärrade värden "
                                 "dolda (för schemalagda månadskörningar)"), report,
                "ubu report --from 2026-05 maj.html",
                "ubu report --from 2026-01 --to 2026-12 resultat-2026.pptx",
                "ubu report --from 2026-01 --to 2026-06 --threshold 5 halvår.xlsx",
                "ubu report --from 2026-01 --to 2026-12 --unit 1001 enhet-1001.pptx",
                "ubu report --from 2026-01 --to 2026-12 --for-municipality 0180 kommun.html",
                "ubu report --from 2026-01 --to 2026-12 --version 2026.2+0180 lokal.html")
    p.add_argument("--from", dest="period_from", required=True, metavar="YYYY-MM",
                   help=_("första månaden (krävs)"))
    p.add_argument("--to", dest="period_to", metavar="YYYY-MM",
                   help=_("sista månaden; perioden är en kalendermånad, ett kvartal, ett "
                          "halvår eller ett år (standard: samma som --from)"))
    p.add_argument("--format", choices=FORMATS,
                   help=_("html, pptx, xlsx eller csv (standard: filändelsen, annars html); "
                          "en annan filändelse än formatet är ett fel"))
    p.add_argument("--threshold", type=int, metavar="N",
                   help=_("höj spärrgränsen (standard: 3, eller UBU_THRESHOLD); rapporten "
                          "anger den"))
    p.add_argument("--version", metavar="VERSION",
                   help=_("en lokal instrumentversion (till exempel 2026.2+0180): rapporten "
                          "för dess poster för sig (standard: de nationella versionerna)"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--unit", type=int, metavar="ID",
                       help=_("rapporten för en enhet bredvid alla enheter (till utföraren)"))
    group.add_argument("--for-municipality", dest="for_municipality", type=_municipality,
                       metavar="NNNN",
                       help=_("rapporten för en kommun (fyrsiffrig kod) bredvid alla"))
    file_arg(p, "output", metavar="FILE", help=_("filen som skrivs"))
    c = command(sub, "coverage", _("täckning: hur många avslutade placeringar som följdes upp; "
                                   "eller ange en månads avslutade placeringar"), coverage,
                "ubu --municipality 0180 coverage --month 2026-05 --ended 42",
                "ubu coverage --from 2026-01 --to 2026-12")
    c.add_argument("--from", dest="period_from", metavar="YYYY-MM",
                   help=_("första månaden att visa"))
    c.add_argument("--to", dest="period_to", metavar="YYYY-MM",
                   help=_("sista månaden att visa; perioden är en kalendermånad, ett kvartal, "
                          "ett halvår eller ett år (standard: samma som --from)"))
    c.add_argument("--month", metavar="YYYY-MM", help=_("månaden som --ended gäller"))
    c.add_argument("--ended", type=int, metavar="N",
                   help=_("antal placeringar som avslutades i månaden (ersätter ett tidigare "
                          "angivet antal)"))


def _municipality(value: str) -> str:
    """The code checked as everywhere else, reported the argparse way (exit 2, usage)."""
    import argparse

    from ubu_tui.errors import InputRejected
    from ubu_tui.store.submissions import check_municipality

    try:
        check_municipality(value)
    except InputRejected as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value
