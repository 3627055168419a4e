"""Coverage: how many ended placements were followed up, and why the others were not.

From the counts the set-up screen keeps (store/coverage.py) and the ended placements each
municipality enters; every count is published through the cell-key method with the keys drawn
when the counts were made, and a municipality under the threshold has no row.
"""

from __future__ import annotations

from collections import defaultdict

from ubu_tui.interview.eligibility import NOT_DUE
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import TOTAL, Context, Row, Table, _clip, _merge
from ubu_tui.results.disclosure import HIDDEN, hidden
from ubu_tui.results.query import Cell, _run

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
    """(coverage per municipality, reasons for not due), or None without any counts or for a
    login that may read aggregates only through the figure functions."""
    if ctx.functions:
        return None
    decisions, ended = _counts(ctx)
    if not decisions and not ended:
        return None
    t = ctx.threshold.value

    def row(key: object, label: str, got: dict[str, Cell], base: Cell) -> Row:
        if hidden(*base, t):
            return Row(key, label, hidden=HIDDEN)
        published = ptable.count(*base)
        counts = {o: ptable.count(*cell) for o, cell in got.items()}
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
    return coverage, Table("not_due", "Skäl till att uppföljningen inte skulle göras", None,
                           tuple(reasons), reason_total, t, kind="share")
