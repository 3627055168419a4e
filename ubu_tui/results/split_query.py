"""Grouped counts that split the figures further: the methods used.

Same rules as results/query.py, whose grouped counts (`grouped_rows`) they reuse: counts per
group with their cell keys, never a row per follow-up; the results layer perturbs them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine

from ubu_tui.results.query import Cell, Selection, grouped_rows


def method_counts(engine: Engine, sel: Selection, item_id: str, by: str | None = None
                  ) -> dict[tuple[int, object], dict[int, Cell]]:
    """(method code, group) → {applied-as-intended code: (follow-ups, key)}."""
    rows = grouped_rows(engine, sel, by, "method_record", ["r.method", "r.applied"],
                        " AND r.item_id = :item", {"item": item_id})
    out: dict[tuple[int, object], dict[int, Cell]] = defaultdict(dict)
    for method, grp, applied, count, key in rows:
        out[(int(method), grp)][int(applied)] = (int(count), int(key))
    return dict(out)
