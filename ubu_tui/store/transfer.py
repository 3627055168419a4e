"""Move anonymous records between databases: export as JSON Lines or CSV, import JSON Lines.

An export holds every record of the store (or of one municipality), in random order; there is
no way to ask for one record. Import is all-or-nothing and idempotent by record id.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ubu_tui.codes import MUNICIPALITY, PERIOD
from ubu_tui.errors import InputRejected, StoreError, UbuError
from ubu_tui.identifiers import check_record_id
from ubu_tui.instrument.codebook import codebook
from ubu_tui.instrument.loader import instrument_by_version
from ubu_tui.instrument.model import NOT_REACHED_CODE, SKIPPED_CODE, AnswerType, Instrument
from ubu_tui.interview.followup import FollowUpRecord
from ubu_tui.interview.session import Disposition, ItemOutcome, OutcomeKind, SessionOutcome
from ubu_tui.outputs import output_path, write_text
from ubu_tui.store.engine import session_for
from ubu_tui.store.models import Submission, Unit
from ubu_tui.store.pg_records import export_records, on_postgres, prepared, submit_payloads
from ubu_tui.store.schema import store_kind
from ubu_tui.store.submissions import add_record

FORMAT = "ubu-record/1"
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_INT_MAX = 2**31 - 1             # every code and id fits a 32-bit integer column
RECORD_KEYS = {"format", "id", "instrument", "version", "municipality", "unit", "period",
               "sessions"}
SESSION_KEYS = {"respondent", "disposition", "break_reason", "mode", "language", "items",
                "methods"}


def _require_real(engine: Engine, what: str) -> None:
    if store_kind(engine) != "real":
        raise StoreError(f"this is a practice store: practice data is never {what}")


def _records(engine: Engine, municipality: str | None) -> list[dict[str, Any]]:
    if on_postgres(engine):   # through the function that keeps a login to its municipality
        with session_for(engine) as session:
            found = export_records(session, municipality)
        random.shuffle(found)
        return found
    with session_for(engine) as session:
        # plain rows, not ORM objects: a push reads a hundred rows per record
        query = select(Submission)
        if municipality:
            query = query.where(col(Submission.municipality) == municipality)
        subs = {s.id: s for s in session.exec(query).all()}
        sessions: dict[str, list[Any]] = defaultdict(list)
        for s in session.connection().execute(text(
                "SELECT submission_id, respondent, disposition, break_reason, mode, "
                "language, adhoc FROM session_record")).all():
            if s.submission_id in subs:
                sessions[s.submission_id].append(s)
        answers: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(dict)
        for sid, respondent, item, outcome, code in session.connection().execute(text(
                "SELECT submission_id, respondent, item_id, outcome, code "
                "FROM answer_record")):
            if sid in subs:
                answers[(sid, respondent)][item] = [outcome, code]
        methods: dict[str, dict[str, list[list[int]]]] = defaultdict(lambda: defaultdict(list))
        for m in session.connection().execute(text(
                "SELECT submission_id, item_id, method, applied FROM method_record")).all():
            if m.submission_id in subs:
                methods[m.submission_id][m.item_id].append([m.method, m.applied])
    out = []
    for sid, sub in subs.items():
        out.append({
            "format": FORMAT, "id": sid, "instrument": sub.instrument_id,
            "version": sub.instrument_version, "municipality": sub.municipality,
            "unit": sub.unit_id, "period": sub.period, "key": sub.record_key,
            "sessions": [{
                "respondent": s.respondent, "disposition": s.disposition,
                "break_reason": s.break_reason, "mode": s.mode, "language": s.language,
                "adhoc": s.adhoc.split(),
                "items": answers[(sid, s.respondent)],
                "methods": {k: sorted(v) for k, v in methods[sid].items()
                            if k in answers[(sid, s.respondent)]},
            } for s in sorted(sessions[sid], key=lambda s: str(s.respondent))],
        })
    random.shuffle(out)   # the order must not tell when a record came in
    return out


def export_jsonl(engine: Engine, path: Path, municipality: str | None = None) -> int:
    _require_real(engine, "exported")
    output_path(path)
    records = _records(engine, municipality)
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    _write_codebooks(path, records)
    return len(records)


def export_csv(engine: Engine, path: Path, municipality: str | None = None) -> int:
    """One row per record, one column per item (its code), one per method chosen."""
    _require_real(engine, "exported")
    output_path(path)
    records = _records(engine, municipality)
    base = ["id", "instrument", "version", "municipality", "unit", "period"]
    columns = list(base)
    rows: list[dict[str, Any]] = []
    for r in records:
        row: dict[str, Any] = {k: r[k] for k in base}
        for s in r["sessions"]:
            p = s["respondent"]
            row.update({f"{p}_disposition": s["disposition"],
                        f"{p}_break_reason": s["break_reason"] or "",
                        f"{p}_mode": s["mode"], f"{p}_language": s["language"]})
            row.update({item: code for item, (_, code) in s["items"].items()})
            for item, pairs in s["methods"].items():
                row.update({f"{item}_{m}": a for m, a in pairs})
        for key in row:
            if key not in columns:
                columns.append(key)
        rows.append(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buf.getvalue())
    _write_codebooks(path, records)
    return len(records)


def _write_codebooks(path: Path, records: list[dict[str, Any]]) -> None:
    versions = sorted({(r["instrument"], r["version"]) for r in records})
    parts = [codebook(instrument_by_version(i, v)) for i, v in versions]
    write_text(path.with_name(path.name + ".codebook.txt"), "\n".join(parts) or "no records\n")


@dataclass(frozen=True)
class ImportReport:
    added: int
    already_present: int


_DISPOSITIONS = frozenset(d.value for d in Disposition)
_OUTCOMES = frozenset(k.value for k in OutcomeKind)


@lru_cache(maxsize=32)
def _instrument(instrument_id: str, version: str) -> Instrument:
    """Looked up once per version, not once per record (a push checks thousands)."""
    return instrument_by_version(instrument_id, version)


_MAX_LINE = 1_000_000     # a record is a few kilobytes; a longer line is not one of ours


def _parse_line(line: str) -> Any:
    """JSON, or InputRejected: also for nesting too deep for Python and numbers too long."""
    if len(line) > _MAX_LINE:
        raise InputRejected(f"the line is longer than {_MAX_LINE} characters; not a record")
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise InputRejected(f"not JSON ({err.msg})") from None
    except RecursionError:
        raise InputRejected("JSON nested too deep; a record is nested four levels") from None
    except ValueError as err:      # e.g. an integer of more than 4 300 digits
        raise InputRejected(f"not a record ({err})") from None


def _canonical(r: dict[str, Any]) -> str:
    """One text for one record's content, whichever way its JSON was written."""
    sessions = sorted(({**s, "adhoc": sorted(s.get("adhoc", [])),
                        "methods": {k: sorted(v) for k, v in s["methods"].items() if v}}
                       for s in r["sessions"]), key=lambda s: str(s["respondent"]))
    return json.dumps({**r, "sessions": sessions}, sort_keys=True)


def _check_record(raw: Any, known_units: set[int]) -> tuple[dict[str, Any], Instrument]:
    if not isinstance(raw, dict):
        raise InputRejected("not a JSON object")
    if not RECORD_KEYS <= set(raw) <= RECORD_KEYS | {"key"}:
        extra, missing = set(raw) - RECORD_KEYS - {"key"}, RECORD_KEYS - set(raw)
        raise InputRejected(f"fields differ from {FORMAT}: extra {sorted(extra)}, "
                            f"missing {sorted(missing)}")
    if raw["format"] != FORMAT:
        raise InputRejected(f"format {raw['format']!r} is not {FORMAT}")
    check_record_id(raw["id"])
    if not isinstance(raw["municipality"], str) or not MUNICIPALITY.fullmatch(
            raw["municipality"]):
        raise InputRejected("municipality must be four digits 0–9")
    if not isinstance(raw["period"], str) or not PERIOD.fullmatch(raw["period"]):
        raise InputRejected("period must be YYYY-MM in digits 0–9 (never a day)")
    key = raw.get("key")     # absent in files written before record keys: one is drawn
    if key is not None and (isinstance(key, bool) or not isinstance(key, int)
                            or not 0 <= key < 2**32):
        raise InputRejected("key must be a whole number from 0 to 4294967295")
    if not isinstance(raw["unit"], int) or raw["unit"] not in known_units:
        raise InputRejected(f"unit {raw['unit']!r} is not in this database's registry; "
                            "import the registry first")
    try:
        instrument = _instrument(str(raw["instrument"]), str(raw["version"]))
    except UbuError as err:
        raise InputRejected(str(err)) from None
    sessions = raw["sessions"]
    if not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions) or sorted(
            str(s.get("respondent")) for s in sessions) != sorted(instrument.forms):
        raise InputRejected("sessions must be exactly one each for youth, guardian, caseworker")
    for s in sessions:
        _check_session(s, instrument)
    return raw, instrument


def _check_session(s: dict[str, Any], instrument: Instrument) -> None:
    who = s["respondent"]
    if not SESSION_KEYS <= set(s) <= SESSION_KEYS | {"adhoc"}:
        raise InputRejected(f"{who}: session fields must be {sorted(SESSION_KEYS)}")
    if s["disposition"] not in _DISPOSITIONS:
        raise InputRejected(f"{who}: unknown disposition {s['disposition']!r}")
    if not isinstance(s["mode"], int) or not 1 <= s["mode"] <= 4:
        raise InputRejected(f"{who}: mode must be 1–4")
    adhoc = s.get("adhoc", [])
    if not isinstance(adhoc, list) or not all(
            isinstance(i, str) and i in instrument.items for i in adhoc):
        raise InputRejected(f"{who}: adhoc must list item ids of {instrument.key}")
    if not isinstance(s["language"], str) or not _LANGUAGE.fullmatch(s["language"]):
        raise InputRejected(f"{who}: language must be a 2–3 letter code")
    if s["break_reason"] is not None and not (isinstance(s["break_reason"], int)
                                               and 1 <= s["break_reason"] <= 5):
        raise InputRejected(f"{who}: break_reason must be empty or 1–5")
    form = instrument.forms[who]
    items = s["items"]
    expected = {i.id for i in form.items}
    if not isinstance(items, dict) or set(items) != expected:
        raise InputRejected(f"{who}: every item of {instrument.key} needs exactly one outcome")
    for item in form.items:
        pair = items[item.id]
        if (not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[1], int)
                or abs(pair[1]) > _INT_MAX or pair[0] not in _OUTCOMES):
            raise InputRejected(f"{who}: {item.id} must be [outcome, code]")
        kind, code = OutcomeKind(pair[0]), pair[1]
        if kind is OutcomeKind.SKIPPED:
            ok = code == SKIPPED_CODE
        elif kind is OutcomeKind.NOT_REACHED:
            ok = code == NOT_REACHED_CODE
        elif kind is OutcomeKind.NONRESPONSE:
            ok = code < 0 and item.allows_code(code)
        else:
            ok = code >= 0 and (item.type in (AnswerType.MULTI, AnswerType.UNIT)
                                or item.allows_code(code))
        if not ok:
            raise InputRejected(f"{who}: {item.id} has code {code}, not allowed for {kind}")
    methods = s["methods"]
    if not isinstance(methods, dict):
        raise InputRejected(f"{who}: methods must be an object")
    for item_id, pairs in methods.items():
        method_item = instrument.items.get(item_id)
        if (method_item is None or method_item.type is not AnswerType.MULTI
                or method_item.respondent != who):
            raise InputRejected(f"{who}: methods given for {item_id!r}, not a method item")
        for pair in pairs:
            if (not isinstance(pair, list) or len(pair) != 2
                    or method_item.option(pair[0]) is None or pair[1] not in (1, 2, 3)):
                raise InputRejected(f"{who}: {item_id} has a bad method pair {pair!r}")


def import_jsonl(engine: Engine, path: Path) -> ImportReport:
    """Check every line first; store nothing unless all are good; skip ids already present."""
    _require_real(engine, "imported into")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputRejected(f"{path}: cannot read the file ({err})") from None
    with session_for(engine) as session:
        known_units = set(session.exec(select(Unit.id)).all())
    errors: list[str] = []
    good: list[dict[str, Any]] = []
    seen: dict[str, tuple[int, str]] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = _check_record(_parse_line(line), known_units)[0]
            first = seen.setdefault(record["id"], (n, _canonical(record)))
            if first[1] != _canonical(record):
                raise InputRejected(f"id {record['id']} is also on line {first[0]} with other "
                                    "content")
            good.append(record)
        except InputRejected as err:
            errors.append(f"{path}:{n}: {err}")
    if not errors:
        errors.extend(_conflicts(engine, good, path))
    if errors:
        shown = errors[:10] + ([f"… and {len(errors) - 10} more"] if len(errors) > 10 else [])
        raise InputRejected("nothing was imported:\n" + "\n".join(shown))
    added = present = 0
    if on_postgres(engine):   # set-based, a thousand records per call, all in one transaction
        unique = list({r["id"]: r for r in reversed(good)}.values())[::-1]
        present, good = len(good) - len(unique), unique
        chunks = [good[start:start + 1000] for start in range(0, len(good), 1000)]
        with session_for(engine) as session:
            for chunk, ready in zip(chunks, prepared(chunks), strict=True):
                new = submit_payloads(session, ready)
                added += new
                present += len(chunk) - new
            session.commit()
        return ImportReport(added, present)
    with session_for(engine) as session:
        existing = set(session.exec(select(Submission.id)).all())
        for r in good:
            if r["id"] in existing:
                present += 1
                continue
            existing.add(r["id"])
            add_record(session, _record_from_json(r), r["period"], r.get("key"))
            added += 1
        session.commit()
    return ImportReport(added, present)


def _conflicts(engine: Engine, good: list[dict[str, Any]], path: Path) -> list[str]:
    """Ids already stored with other content: a record is never changed, so the file is refused.

    Read through `_records`, which on PostgreSQL shows a login only its own municipality's
    records; an id held by another municipality stays "already present" there (the database's
    write-once rule keeps the stored record).
    """
    ids = {r["id"] for r in good}
    try:
        with session_for(engine) as session:
            again = ids & set(session.exec(select(Submission.id)).all())
    except StoreError:
        return []          # a login that may not list ids: the database keeps what it has
    if not again:
        return []
    stored = {r["id"]: _canonical(r) for r in _records(engine, None) if r["id"] in again}
    return [f"{path}: id {r['id']} is already in the database with other content; a record "
            "is never changed. Export both and find out which one is right"
            for r in good if r["id"] in stored and stored[r["id"]] != _canonical(r)]


def _record_from_json(r: dict[str, Any]) -> FollowUpRecord:
    sessions = tuple(SessionOutcome(
        respondent=s["respondent"], disposition=Disposition(s["disposition"]),
        break_reason=s["break_reason"], mode=s["mode"], language=s["language"],
        adhoc=tuple(s.get("adhoc", [])),
        items=tuple(ItemOutcome(item_id, OutcomeKind(kind), code,
                                tuple((m, a) for m, a in s["methods"].get(item_id, [])))
                    for item_id, (kind, code) in s["items"].items()))
        for s in r["sessions"])
    record = FollowUpRecord(id=r["id"], instrument_id=r["instrument"],
                            instrument_version=r["version"], municipality=r["municipality"],
                            unit_id=r["unit"], sessions=sessions)
    return record
