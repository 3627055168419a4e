"""Coverage: how many ended placements were followed up, and why the others were not.

From the counts the set-up screen keeps (store/coverage.py) and the ended placements each
municipality enters; every count is published through the cell-key method with the keys drawn
when the counts were made, and a municipality under the threshold has no row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ubu_tui.i18n import N_, _
from ubu_tui.interview.eligibility import NOT_DUE
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import TOTAL, Context, Row, Table, _clip, _merge
from ubu_tui.results.disclosure import HIDDEN, hidden, published_parts
from ubu_tui.results.query import Cell, _run

OPEN_MONTH = N_("I den gemensamma databasen visas en månads täckning när också månaden efter den "
                "är slut.")


def open_month_note(ctx: Context, today: date | None = None) -> str | None:
    """What a login reading through ubu_coverage_figures is told when the period reaches into
    last month or this one: a month's counts are published once the month after it is over
    (schema 0166: a login may still enter last month's ended placements)."""
    day = today or date.today()
    last = f"{day.year - (day.month == 1):04d}-{(day.month - 2) % 12 + 1:02d}"
    return _(OPEN_MONTH) if ctx.functions and ctx.selection.period_to >= last else None


OUTCOME_LABELS = {"due": "Ska göras", "started": "Påbörjade", "not_due": "Ska inte göras",
                  **{f"not_due:{k}": v for k, v in NOT_DUE.items()}}


def _counts(ctx: Context) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    s = ctx.selection
    params: dict[str, object] = {"pf": s.period_from, "pt": s.period_to}
    decisions: dict[str, dict[str, Cell]] = defaultdict(dict)
    for m, outcome, n, key in _run(ctx.engine, "SELECT municipality, outcome, SUM(n), SUM(ckey) "
                                   "FROM coverage_count WHERE period BETWEEN :pf AND :pt "
                                   "GROUP BY municipality, outcome", params, []):
        decisions[m][outcome] = (int(n), int(key))
    ended = {m: (int(n), int(key)) for m, n, key in _run(
        ctx.engine, "SELECT municipality, SUM(n), SUM(ckey) FROM ended_count "
        "WHERE period BETWEEN :pf AND :pt GROUP BY municipality", params, [])}
    return dict(decisions), ended


def coverage_tables(ctx: Context) -> tuple[Table, Table] | None:
    """(coverage per municipality, reasons for not due), or None without any counts; a login
    that may not read the counts gets the same tables through ubu_coverage_figures."""
    if ctx.functions:
        return _function_tables(ctx)
    decisions, ended = _counts(ctx)
    if not decisions and not ended:
        return None
    t = ctx.threshold.value

    def row(key: object, label: str, got: dict[str, Cell], base: Cell) -> Row:
        if hidden(*base, t):
            return Row(key, label, hidden=HIDDEN)
        published = ptable.count(*base)
        counts = published_parts(got)
        started = counts.get("started", 0)
        return Row(key, label, published, published, None,
                   _clip(started / published, 0.0, 1.0) if published else None, None, counts)

    keys = sorted(set(decisions) | set(ended))
    rows = tuple(row(m, f"Kommun {m}", decisions.get(m, {}), ended.get(m, (0, 0)))
                 for m in keys)
    everything: dict[str, Cell] = {}
    for got in decisions.values():
        for outcome, cell in got.items():
            everything[outcome] = _merge((everything.get(outcome, (0, 0)), cell))
    total = row(TOTAL, "Samtliga", everything, _merge(ended.values()))
    coverage = Table("coverage", "Täckning: påbörjade uppföljningar av avslutade placeringar",
                     "municipality", tuple(r for r in rows if r.shown), total, t, kind="share")
    not_due = everything.get("not_due", (0, 0))
    reasons = []
    if not hidden(*not_due, t):
        whole = ptable.count(*not_due)
        for code, label in NOT_DUE.items():
            cell = everything.get(f"not_due:{code}", (0, 0))
            if cell[0] and not hidden(*cell, t):
                count = ptable.count(*cell)
                reasons.append(Row(code, label, count, whole, None, count / whole))
    reason_total = (Row(TOTAL, "Samtliga", ptable.count(*not_due), ptable.count(*not_due), None,
                        None) if not hidden(*not_due, t) else Row(TOTAL, "Samtliga",
                                                                  hidden=HIDDEN))
    if not total.shown and not coverage.rows and not reason_total.shown:
        return None     # as a login sees it: a hidden total has no row (schema 0169)
    return coverage, Table("not_due", "Skäl till att uppföljningen inte skulle göras", None,
                           tuple(reasons), reason_total, t, kind="share")


def _function_tables(ctx: Context) -> tuple[Table, Table] | None:
    """The same tables from ubu_coverage_figures (schema 0093), for a login that may not read
    the counts: only what the function published, nothing exact."""
    from ubu_tui.results.pg_functions import ENDED_ROW, REASONS_GROUP

    s = ctx.selection
    rows = _run(ctx.engine, "SELECT * FROM public.ubu_coverage_figures(:pf, :pt, :t)",
                {"pf": s.period_from, "pt": s.period_to, "t": ctx.threshold.value}, [])
    if not rows:
        return None
    t = ctx.threshold.value
    ended: dict[str, int | None] = {}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for grp, outcome, n in rows:
        if outcome == ENDED_ROW:
            ended[grp] = n
        else:
            counts[grp][outcome] = int(n)

    def row(key: object, label: str, grp: str) -> Row:
        published = ended.get(grp)
        if published is None:
            return Row(key, label, hidden=HIDDEN)
        got = counts.get(grp, {})
        return Row(key, label, published, published, None,
                   _clip(got.get("started", 0) / published, 0.0, 1.0) if published else None,
                   None, got)

    coverage = Table("coverage", "Täckning: påbörjade uppföljningar av avslutade placeringar",
                     "municipality", tuple(row(m, f"Kommun {m}", m) for m in sorted(ended)
                                           if m != TOTAL),
                     row(TOTAL, "Samtliga", TOTAL), t, kind="share")
    why = counts.get(REASONS_GROUP, {})
    whole = why.get("not_due")
    reasons = tuple(Row(code, label, why[f"not_due:{code}"], whole, None,
                        why[f"not_due:{code}"] / whole)
                    for code, label in NOT_DUE.items() if whole and f"not_due:{code}" in why)
    total = (Row(TOTAL, "Samtliga", whole, whole, None, None) if whole is not None
             else Row(TOTAL, "Samtliga", hidden=HIDDEN))
    return coverage, Table("not_due", "Skäl till att uppföljningen inte skulle göras", None,
                           reasons, total, t, kind="share")
