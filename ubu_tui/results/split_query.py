"""Grouped counts that split the figures further: methods used, index scores per respondent.

Same rules as results/query.py, whose selection (`_selected`) and runner they reuse: counts per
group with their cell keys, never a row per follow-up; the results layer perturbs them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import Index, Instrument
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
    respondent's answered items, so a low guardian response rate cannot hide in one number.

    One pass over the answers: each follow-up and respondent gets a sum and a count per index
    (item ids are validated identifiers, so they are written into the SQL as literals)."""
    # The main indices only: a BBIC sub-area is mostly one respondent's one item, and each
    # index costs a pass of CASE tests over every answer (see the closing note's figures).
    indices = [ix for ix in instrument.indices if ix.items and ":" not in ix.label]
    if not indices:
        return {}
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params)

    def among(ix: Index) -> str:
        return "a.item_id IN (" + ", ".join(f"'{i}'" for i in ix.items) + ")"

    inner = ", ".join(f"SUM(CASE WHEN {among(ix)} THEN a.code ELSE 0 END) AS t{j}, "
                      f"SUM(CASE WHEN {among(ix)} THEN 1 ELSE 0 END) AS n{j}"
                      for j, ix in enumerate(indices))
    outer = ", ".join(
        f"SUM(CASE WHEN n{j} > 0 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN n{j} > 0 THEN t{j} * 1.0 / n{j} ELSE 0 END), "
        f"SUM(CASE WHEN n{j} > 0 AND t{j} >= 4 * n{j} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN n{j} > 0 THEN k ELSE 0 END), "
        f"SUM(CASE WHEN n{j} > 0 AND t{j} >= 4 * n{j} THEN k ELSE 0 END)"
        for j in range(len(indices)))
    params["items"] = sorted({i for ix in indices for i in ix.items})
    exp.append("items")
    sql = (f"WITH {cte}, x AS (SELECT sel.sid, sel.grp AS grp, sel.k AS k, "
           f"a.respondent AS resp, {inner} "
           "FROM sel JOIN answer_record a ON a.submission_id = sel.sid "
           "WHERE a.outcome = 'value' AND a.item_id IN :items "
           "GROUP BY sel.sid, sel.grp, sel.k, a.respondent) "
           f"SELECT resp, grp, {outer} FROM x GROUP BY resp, grp")
    out: dict[tuple[str, str, object], IndexCell] = {}
    for row in _run(engine, sql, params, exp):
        resp, grp = row[0], row[1]
        for j, ix in enumerate(indices):
            n, total, high, key, hkey = row[2 + 5 * j: 7 + 5 * j]
            if n:
                out[(ix.id, resp, grp)] = (int(n), float(total), int(high), int(key),
                                           int(hkey))
    return out
