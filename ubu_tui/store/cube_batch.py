"""A batch's index-cube rows grouped in memory, from the row tuples an import has just written.

The SQLite import has every row of its batch in hand already (store/submissions.py:
`json_rows`). Grouping the batch's ~290 000 index scores (10 000 records) into the cube's ten
breakdowns in SQLite took ten sorts of a temporary table, 2.5–3 CPU s, the largest part of an
import. Here the same sums come from integer arrays: each breakdown is one sort of 64-bit keys
and a sum per run of equal keys, a few hundredths of a second. Their yearly sums and the
per-unit index counts are summed here too, and all three go into their tables with one
executemany each (store/cube.py: ADD_CUBE_ROW, ADD_YEAR_ROW, ADD_INDEX_COUNT_ROW): through a
temporary table and grouped statements, as the other bulk writers add them, they cost another
half second. tests/test_bulk.py holds the counts equal to the row triggers' and to the
grouped statements'.

The sums are those of the triggers: per (index, month, registry unit type, group) the number
of scores with n > 0, the sum of their means total / n (float division, as SQLite's
`total * 1.0 / n`), how many have a mean of 4 or more, and the sums of the record keys of all
and of the high ones (integer sums, exact). The method breakdown counts a record once per
distinct method it used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ubu_tui.store.cube import DIMS

Rows = Mapping[str, Sequence[tuple[Any, ...]]]
IntArray = npt.NDArray[np.int64]

# the column of the submission row tuple (store/submissions.py: ROW_COLUMNS) that holds each
# breakdown's group, by the cube's dimension name; municipality is a text of digits
_GROUP_COLUMN = {"unit": "unit_id", "municipality": "municipality",
                 **{dim: f"bg_{dim}" for dim in DIMS if dim not in ("unit", "municipality")}}
_OFFSET = 2**31     # a group (any 32-bit integer, -1 for missing) as a non-negative 32-bit key


@dataclass
class CubeRows:
    """A batch's additions, as store/cube.py's ADD_CUBE_ROW, ADD_YEAR_ROW and
    ADD_INDEX_COUNT_ROW take them."""
    cube: list[tuple[Any, ...]] = field(default_factory=list)
    year: list[tuple[Any, ...]] = field(default_factory=list)
    index_count: list[tuple[Any, ...]] = field(default_factory=list)


def cube_rows(rows: Rows, columns: Sequence[str], unit_types: Mapping[int, int | None]
              ) -> Iterator[CubeRows]:
    """The index cube's rows (dim, index_id, period, unit_type, grp, n, total, high, ckey,
    hkey), their yearly sums and the per-unit index counts of the records in `rows` (table →
    row tuples as written; `columns`: the submission tuple's column names), with
    `unit_types` the registry's unit id → unit type: one breakdown at a time, so that only
    one breakdown's rows are held as Python objects at once (all of them, some 450 000 tuples
    for 10 000 records, were 120 MB)."""
    subs = rows.get("submission") or ()
    scores = [s for s in rows.get("index_score") or () if s[2] > 0]
    if not subs or not scores:
        return
    at = {name: i for i, name in enumerate(columns)}
    record = {s[at["id"]]: i for i, s in enumerate(subs)}
    periods = sorted({s[at["period"]] for s in subs})
    period_code = {p: i for i, p in enumerate(periods)}
    years = sorted({p[:4] for p in periods})
    year_of = np.array([years.index(p[:4]) for p in periods], dtype=np.int64)
    types = sorted({_registry_type(unit_types, s[at["unit_id"]]) for s in subs})
    type_code = {t: i for i, t in enumerate(types)}
    index_ids = sorted({s[1] for s in scores})
    index_code = {x: i for i, x in enumerate(index_ids)}

    # per record: its cell parts and its group in every breakdown
    rec_period = np.array([period_code[s[at["period"]]] for s in subs], dtype=np.int64)
    rec_type = np.array([type_code[_registry_type(unit_types, s[at["unit_id"]])] for s in subs],
                        dtype=np.int64)
    rec_key = np.array([s[at["record_key"]] for s in subs], dtype=np.int64)
    groups = {dim: np.array([int(s[at[column]]) for s in subs], dtype=np.int64)
              for dim, column in _GROUP_COLUMN.items()}

    # per score: its record, its cell (index, month, unit type) and its sums
    sid, ix, n, total = zip(*scores, strict=True)
    rec = np.array([record[i] for i in sid], dtype=np.int64)
    n_arr = np.array(n, dtype=np.int64)
    total_arr = np.array(total, dtype=np.int64)
    cell = ((np.array([index_code[i] for i in ix], dtype=np.int64) * len(periods)
             + rec_period[rec]) * len(types) + rec_type[rec])
    high = (total_arr >= 4 * n_arr).astype(np.int64)
    key = rec_key[rec]
    sums = [np.ones(len(scores), dtype=np.int64), total_arr.astype(np.float64) / n_arr, high,
            key, high * key]

    def grouped(dim: str, which: IntArray, grp: IntArray) -> CubeRows:
        """The rows of the scores `which` (indexes) with groups `grp`."""
        out = CubeRows()
        first, summed = _runs((cell[which] << 32) | (grp + _OFFSET), [a[which] for a in sums])
        cells, grp_of = first >> 32, (first & 0xFFFFFFFF) - _OFFSET
        rest, t = np.divmod(cells, len(types))
        i, p = np.divmod(rest, len(periods))
        out.cube.extend(_rows(dim, [index_ids[c] for c in i.tolist()],
                              [periods[c] for c in p.tolist()], [types[c] for c in t.tolist()],
                              grp_of, summed))
        # the yearly sums: the months' rows added up per year (as INSERT … GROUP BY year)
        ycell = (i * len(years) + year_of[p]) * len(types) + t
        yfirst, ysummed = _runs((ycell << 32) | (grp_of + _OFFSET), summed)
        yrest, yt = np.divmod(yfirst >> 32, len(types))
        yi, yy = np.divmod(yrest, len(years))
        out.year.extend(_rows(dim, [index_ids[c] for c in yi.tolist()],
                              [years[c] for c in yy.tolist()], [types[c] for c in yt.tolist()],
                              (yfirst & 0xFFFFFFFF) - _OFFSET, ysummed))
        if dim == "unit":
            # index_count: the unit rows without the unit type (a unit has one), in the
            # table's key order (period, unit, index) so that each lands next to the last
            order = np.lexsort((i, grp_of, p))
            out.index_count.extend(zip(
                [periods[c] for c in p[order].tolist()], grp_of[order].tolist(),
                [index_ids[c] for c in i[order].tolist()],
                *(a[order].tolist() for a in summed), strict=True))
        return out

    everyone = np.arange(len(scores), dtype=np.int64)
    for dim in DIMS:
        yield grouped(dim, everyone, groups[dim][rec])

    # the method breakdown: each score once per distinct method its record used
    used = sorted({(record[m[0]], int(m[2])) for m in rows.get("method_record") or ()
                   if m[0] in record})
    if used:
        users = np.array([u for u, _m in used], dtype=np.int64)
        methods = np.array([m for _u, m in used], dtype=np.int64)
        # the first of each record's scores in record order, and how many, so that every
        # (record, method) takes its record's run
        by_record = np.argsort(rec, kind="stable")
        count = np.bincount(rec, minlength=len(subs))
        first = np.r_[0, np.cumsum(count)[:-1]]
        per_use = count[users]
        start = np.repeat(first[users] - np.r_[0, np.cumsum(per_use)[:-1]], per_use)
        which = by_record[start + np.arange(per_use.sum(), dtype=np.int64)]
        yield grouped("method", which, np.repeat(methods, per_use))


def _runs(keys: IntArray, arrays: list[Any]) -> tuple[IntArray, list[Any]]:
    """The distinct keys, sorted, and each array summed over the entries of each key (in
    their order: a stable sort; integers stay integers, exact)."""
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], [np.add.reduceat(a[order], starts) for a in arrays]


def _rows(dim: str, index: list[str], period: list[str], unit_type: list[int],
          grp: IntArray, summed: list[Any]) -> Iterator[tuple[Any, ...]]:
    return zip([dim] * len(index), index, period, unit_type, grp.tolist(),
               *(a.tolist() for a in summed), strict=True)


def _registry_type(unit_types: Mapping[int, int | None], unit: int) -> int:
    """The cube's unit type of a record: its unit's registry type, -1 if none (as
    COALESCE(ru.unit_type, -1) over a LEFT JOIN)."""
    found = unit_types.get(unit)
    return -1 if found is None else int(found)
