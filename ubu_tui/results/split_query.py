"""Grouped counts that split the figures further: the methods used.

Same rules as results/query.py, whose grouped counts (`grouped_rows`) they reuse: counts per
group with their cell keys, never a row per follow-up; the results layer perturbs them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine

from ubu_tui.results.query import Cell, Selection, _local_present, _run, grouped_rows


def method_counts(engine: Engine, sel: Selection, item_id: str, by: str | None = None
                  ) -> dict[tuple[int, object], dict[int, Cell]]:
    """(method code, group) → {applied-as-intended code: (follow-ups, key)}."""
    if kept_methods(engine, sel, by):
        rows = _run(engine, "SELECT method, 0, applied, SUM(n), SUM(ckey) FROM method_count "
                            "WHERE item_id = :item AND period BETWEEN :pf AND :pt "
                            "GROUP BY method, applied HAVING SUM(n) > 0",
                    {"item": item_id, "pf": sel.period_from, "pt": sel.period_to}, [])
    else:
        rows = grouped_rows(engine, sel, by, "method_record", ["r.method", "r.applied"],
                            " AND r.item_id = :item", {"item": item_id})
    out: dict[tuple[int, object], dict[int, Cell]] = defaultdict(dict)
    for method, grp, applied, count, key in rows:
        out[(int(method), grp)][int(applied)] = (int(count), int(key))
    return dict(out)


def kept_methods(engine: Engine, sel: Selection, by: str | None) -> bool:
    """Whether method_count (schema 0141) holds these rows: every national record's method
    rows per month, no breakdown, no filter."""
    return by is None and not sel.filtered and not _local_present(engine)
