"""Grouped counts that split the figures further: the methods used.

Same rules as results/query.py, whose selection (`_selected`) and runner they reuse: counts per
group with their cell keys, never a row per follow-up; the results layer perturbs them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine

from ubu_tui.results.query import Cell, Selection, _run, _selected


def method_counts(engine: Engine, sel: Selection, item_id: str, by: str | None = None
                  ) -> dict[tuple[int, object], dict[int, Cell]]:
    """(method code, group) → {applied-as-intended code: (follow-ups, key)}."""
    params: dict[str, object] = {"item": item_id}
    cte, exp = _selected(sel, by, params)
    rows = _run(engine, f"WITH {cte} SELECT m.method, sel.grp, m.applied, COUNT(*), SUM(sel.k) "
                        "FROM sel JOIN method_record m ON m.submission_id = sel.sid "
                        "WHERE m.item_id = :item GROUP BY m.method, sel.grp, m.applied",
                params, exp)
    out: dict[tuple[int, object], dict[int, Cell]] = defaultdict(dict)
    for method, grp, applied, count, key in rows:
        out[(int(method), grp)][int(applied)] = (int(count), int(key))
    return dict(out)
