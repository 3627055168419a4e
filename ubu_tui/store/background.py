"""The background answers a follow-up is grouped by, kept on its submission row.

Results are broken down and filtered by the caseworker's background items (unit type, legal
basis, sex, …). Reading them from answer_record costs two text-key lookups per follow-up in
every grouped query; stored on the submission row when the record is written (one small
integer each, the group the record falls in) they cost nothing. The group of a record is fixed
at submission, like everything else about it (the row is write-once).

The mapping from an answer to its group is stated once, here, for Python writers and as SQL
for the migration that fills the rows stored before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

MISSING = -1        # the variable is not known for this follow-up (not answered, not asked)


def _value(outcome: str, code: int) -> int:
    return code if outcome == "value" else MISSING


def _age_band(outcome: str, code: int) -> int:
    if outcome != "value":
        return MISSING
    return 1 if code < 15 else 2 if code < 18 else 3


def _breakdown(outcome: str, code: int) -> int:
    if outcome != "value":
        return MISSING
    return 1 if code == 1 else 2 if 2 <= code <= 5 else MISSING


# column on the submission row → (caseworker item, answer → group, the same as SQL on `bg`)
COLUMNS: dict[str, tuple[str, Callable[[str, int], int], str]] = {
    "bg_unit_type": ("cw_unit_type", _value,
                     "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_legal_basis": ("cw_legal_basis", _value,
                       "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_reason": ("cw_reason", _value,
                  "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_sex": ("cw_sex", _value, "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_age_band": ("cw_age", _age_band,
                    "CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code < 15 THEN 1 "
                    "WHEN bg.code < 18 THEN 2 ELSE 3 END"),
    "bg_breakdown": ("cw_end", _breakdown,
                     "CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code = 1 THEN 1 "
                     "WHEN bg.code BETWEEN 2 AND 5 THEN 2 ELSE -1 END"),
    "bg_length": ("cw_length", _value, "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
}


def groups_of(answers: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """Column → group for one record, from its (item id, outcome, code) answers."""
    found = {item_id: (outcome, code) for item_id, outcome, code in answers}
    out = {}
    for column, (item_id, to_group, _sql) in COLUMNS.items():
        got = found.get(item_id)
        out[column] = MISSING if got is None else to_group(*got)
    return out


def groups_sql(record: str) -> dict[str, str]:
    """Column → PostgreSQL expression of the group, read from an ubu-record/1 JSON record
    (`record` is its SQL name): for the shared database's submit function, which is handed
    whole records rather than rows."""
    out = {}
    for column, (item_id, _to_group, sql) in COLUMNS.items():
        pair = f"s->'items'->'{item_id}'"
        expr = sql.replace("bg.outcome", f"({pair}->>0)").replace(
            "bg.code", f"(({pair}->>1)::integer)")
        out[column] = (f"COALESCE((SELECT {expr} FROM pg_catalog.jsonb_array_elements("
                       f"{record}->'sessions') s WHERE {pair} IS NOT NULL LIMIT 1), -1)")
    return out
