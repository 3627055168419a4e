"""Grouped counts that split the figures further: methods used, index scores per respondent.

Same rules as results/query.py, whose selection (`_selected`) and runner they reuse: counts per
group with their cell keys, never a row per follow-up; the results layer perturbs them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import Instrument
from ubu_tui.results.query import Cell, IndexCell, Selection, _run, _selected


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


def respondent_index_scores(engine: Engine, instrument: Instrument, sel: Selection,
                            by: str | None = None
                            ) -> dict[tuple[str, str, object], IndexCell]:
    """(index, respondent, group) → the figures of query.index_scores, from each respondent's
    own items in the index: a follow-up's score for a respondent is the mean of that
    respondent's answered items, so a low guardian response rate cannot hide in one number."""
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params)
    members = []
    pairs = [(item, index.id) for index in instrument.indices for item in index.items]
    for n, (item, index_id) in enumerate(pairs):
        params[f"mi{n}"], params[f"mx{n}"] = item, index_id
        members.append(f"SELECT CAST(:mi{n} AS VARCHAR(48)) AS item_id, "
                       f"CAST(:mx{n} AS VARCHAR(40)) AS index_id")
    if not members:
        return {}
    sql = (f"WITH {cte}, m AS ({' UNION ALL '.join(members)}), "
           "x AS (SELECT sel.sid, sel.grp, sel.k, m.index_id, a.respondent, "
           "SUM(a.code) AS total, COUNT(*) AS n "
           "FROM sel JOIN answer_record a ON a.submission_id = sel.sid "
           "JOIN m ON m.item_id = a.item_id WHERE a.outcome = 'value' "
           "GROUP BY sel.sid, sel.grp, sel.k, m.index_id, a.respondent) "
           "SELECT index_id, respondent, grp, COUNT(*), SUM(total * 1.0 / n), "
           "SUM(CASE WHEN total >= 4 * n THEN 1 ELSE 0 END), SUM(k), "
           "SUM(CASE WHEN total >= 4 * n THEN k ELSE 0 END) "
           "FROM x GROUP BY index_id, respondent, grp")
    return {(r[0], r[1], r[2]): (int(r[3]), float(r[4]), int(r[5]), int(r[6]), int(r[7]))
            for r in _run(engine, sql, params, exp)}
