"""Move anonymous records between databases: export as JSON Lines or CSV, import JSON Lines.

An export holds every record of the store (or of one municipality), in random order; there is
no way to ask for one record. Import is all-or-nothing and idempotent by record id.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from ubu_tui.codes import MUNICIPALITY, PERIOD
from ubu_tui.errors import InputRejected, StoreError, UbuError, nothing_imported
from ubu_tui.i18n import _
from ubu_tui.identifiers import check_record_id
from ubu_tui.instrument.codebook import codebook
from ubu_tui.instrument.loader import instrument_by_version
from ubu_tui.instrument.model import (
    NONRESPONSE_BY_CODE,
    NOT_REACHED_CODE,
    SKIPPED_CODE,
    AnswerType,
    Instrument,
)
from ubu_tui.interview.followup import FollowUpRecord
from ubu_tui.interview.session import Disposition, ItemOutcome, Mode, OutcomeKind, SessionOutcome
from ubu_tui.outputs import output_path, write_text
from ubu_tui.store.bulk import (
    counted_in_bulk,
    new_records,
    owns_records,
    parents_in_the_same_batch,
)
from ubu_tui.store.engine import session_for
from ubu_tui.store.models import Submission, Unit
from ubu_tui.store.pg_records import export_records, on_postgres, prepared, submit_payloads
from ubu_tui.store.schema import store_kind
from ubu_tui.store.submissions import ROW_COLUMNS, json_rows, write_rows

FORMAT = "ubu-record/1"
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_INT_MAX = 2**31 - 1             # every code and id fits a 32-bit integer column
RECORD_KEYS = {"format", "id", "instrument", "version", "municipality", "unit", "period",
               "sessions"}
SESSION_KEYS = {"respondent", "disposition", "break_reason", "mode", "language", "items",
                "methods"}
OPTIONAL_SESSION_KEYS = {"adhoc", "decline_reason"}   # files from before either are good
MODES = frozenset(int(m) for m in Mode)


def _require_real(engine: Engine, what: str) -> None:
    if store_kind(engine) != "real":
        raise StoreError(_("Det här är övningsdatabasen: övningsuppgifter {what} aldrig.")
                          .format(what=what))


def _records(engine: Engine, municipality: str | None,
             only: set[str] | None = None) -> list[dict[str, Any]]:
    """Every record (of one municipality), or on SQLite only those with the ids `only`: an
    import that finds ids already stored compares just those, not the whole store."""
    if on_postgres(engine):   # through the function that keeps a login to its municipality
        with session_for(engine) as session:
            found = export_records(session, municipality)
        random.shuffle(found)
        return [r for r in found if only is None or r["id"] in only]
    # (a million small lists and dicts: without the cycle collector, 1.0 CPU s for 10 000
    # records against 1.9-2.2 with it, which ran over every one of them again and again)
    with without_cycle_collection(), session_for(engine) as session:
        # plain tuples from the driver's cursor, not ORM objects or SQLAlchemy rows: a push
        # reads a hundred rows per record, and SQLAlchemy's row per answer took two thirds of
        # reading 10 000 records (2.9 CPU s against 1.0)
        cur = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        scope = ""
        if only is not None:
            cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS wanted "
                        "(id VARCHAR(32) PRIMARY KEY)")
            cur.execute("DELETE FROM wanted")
            cur.executemany("INSERT INTO wanted (id) VALUES (?)", [(i,) for i in only])
            scope = " WHERE submission_id IN (SELECT id FROM wanted)"
        where, args = [], []
        if municipality:
            where.append("municipality = ?")
            args.append(municipality)
        if only is not None:
            where.append("id IN (SELECT id FROM wanted)")
        subs = {row[0]: row for row in cur.execute(
            "SELECT id, instrument_id, instrument_version, municipality, unit_id, period, "
            "record_key FROM submission" + (" WHERE " + " AND ".join(where) if where else ""),
            args).fetchall()}
        sessions: dict[str, list[Any]] = defaultdict(list)
        for row in cur.execute(
                "SELECT submission_id, respondent, disposition, break_reason, decline_reason, "
                f"mode, language, adhoc FROM session_record{scope}").fetchall():
            if row[0] in subs:
                sessions[row[0]].append(row)
        answers: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(dict)
        for sid, respondent, item, outcome, code in cur.execute(
                "SELECT submission_id, respondent, item_id, outcome, code "
                f"FROM answer_record{scope}").fetchall():
            if sid in subs:
                answers[(sid, respondent)][item] = [outcome, code]
        methods: dict[str, dict[str, list[list[int]]]] = defaultdict(lambda: defaultdict(list))
        for sid, item, method, applied in cur.execute(
                f"SELECT submission_id, item_id, method, applied FROM method_record{scope}"
                ).fetchall():
            if sid in subs:
                methods[sid][item].append([method, applied])
        if only is not None:
            cur.execute("DROP TABLE wanted")
        cur.close()
    out = []
    for sid, (_id, instrument, version, municipality_of, unit, period, key) in subs.items():
        out.append({
            "format": FORMAT, "id": sid, "instrument": instrument,
            "version": version, "municipality": municipality_of,
            "unit": unit, "period": period, "key": key,
            "sessions": [{
                "respondent": respondent, "disposition": disposition,
                "break_reason": break_reason, "decline_reason": decline_reason,
                "mode": mode, "language": language, "adhoc": adhoc.split(),
                "items": answers[(sid, respondent)],
                "methods": {k: sorted(v) for k, v in methods[sid].items()
                            if k in answers[(sid, respondent)]},
            } for (_sid, respondent, disposition, break_reason, decline_reason, mode, language,
                   adhoc) in sorted(sessions[sid], key=lambda s: str(s[1]))],
        })
    random.shuffle(out)   # the order must not tell when a record came in
    return out


def export_jsonl(engine: Engine, path: Path, municipality: str | None = None) -> int:
    _require_real(engine, _("exporteras"))
    output_path(path)
    records = _records(engine, municipality)
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    _write_codebooks(path, records)
    return len(records)


def export_csv(engine: Engine, path: Path, municipality: str | None = None) -> int:
    """One row per record, one column per item (its code), one per method chosen."""
    _require_real(engine, _("exporteras"))
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
                        f"{p}_decline_reason": s.get("decline_reason") or "",
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
        raise InputRejected(_("raden är längre än {limit} tecken; ingen post")
                             .format(limit=_MAX_LINE))
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise InputRejected(_("ingen JSON ({reason})").format(reason=err.msg)) from None
    except RecursionError:
        raise InputRejected(_("JSON i för många nivåer; en post har fyra nivåer")) from None
    except ValueError as err:      # e.g. an integer of more than 4 300 digits
        raise InputRejected(_("ingen post ({reason})").format(reason=err)) from None


def _canonical(r: dict[str, Any]) -> str:
    """One text for one record's content, whichever way its JSON was written."""
    # a file written before 2026.2 has no decline_reason: the same record as one with null
    sessions = sorted(({**s, "adhoc": sorted(s.get("adhoc", [])),
                        "decline_reason": s.get("decline_reason"),
                        "methods": {k: sorted(v) for k, v in s["methods"].items() if v}}
                       for s in r["sessions"]), key=lambda s: str(s["respondent"]))
    return json.dumps({**r, "sessions": sessions}, sort_keys=True)


def _check_record(raw: Any, known_units: set[int]) -> tuple[dict[str, Any], Instrument]:
    if not isinstance(raw, dict):
        raise InputRejected(_("inget JSON-objekt"))
    if not RECORD_KEYS <= set(raw) <= RECORD_KEYS | {"key"}:
        extra, missing = set(raw) - RECORD_KEYS - {"key"}, RECORD_KEYS - set(raw)
        raise InputRejected(_("fälten skiljer sig från {format}: extra {extra}, saknas {missing}")
                             .format(format=FORMAT, extra=sorted(extra), missing=sorted(missing)))
    if raw["format"] != FORMAT:
        raise InputRejected(_("formatet {found} är inte {format}")
                             .format(found=repr(raw['format']), format=FORMAT))
    check_record_id(raw["id"])
    if not isinstance(raw["municipality"], str) or not MUNICIPALITY.fullmatch(
            raw["municipality"]):
        raise InputRejected(_("municipality ska vara fyra siffror 0–9"))
    if not isinstance(raw["period"], str) or not PERIOD.fullmatch(raw["period"]):
        raise InputRejected(_("period ska vara ÅÅÅÅ-MM i siffror 0–9 (aldrig en dag)"))
    key = raw.get("key")     # absent in files written before record keys: one is drawn
    if key is not None and (isinstance(key, bool) or not isinstance(key, int)
                            or not 0 <= key < 2**32):
        raise InputRejected(_("key ska vara ett heltal från 0 till 4294967295"))
    if not isinstance(raw["unit"], int) or raw["unit"] not in known_units:
        raise InputRejected(_("enhet {unit} finns inte i den här databasens register; importera "
                              "registret först").format(unit=repr(raw['unit'])))
    try:
        instrument = _instrument(str(raw["instrument"]), str(raw["version"]))
    except UbuError as err:
        raise InputRejected(str(err)) from None
    sessions = raw["sessions"]
    if not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions) or sorted(
            str(s.get("respondent")) for s in sessions) != sorted(instrument.forms):
        raise InputRejected(_("sessions ska innehålla exakt en session var för youth, guardian "
                              "och caseworker"))
    for s in sessions:
        _check_session(s, instrument)
    return raw, instrument


# instrument key → item id → outcome → the codes allowed (None: any code from 0 up)
_RULES: dict[str, dict[str, dict[str, frozenset[int] | None]]] = {}


def _rules(instrument: Instrument) -> dict[str, dict[str, frozenset[int] | None]]:
    """Every item's allowed codes per outcome, worked out once per instrument version: the
    check then costs a set lookup per answer instead of a walk through the item's options (a
    third of an import's time at ten thousand records)."""
    found = _RULES.get(instrument.key)
    if found is None:
        found = {}
        for item in instrument.items.values():
            values: frozenset[int] | None = None
            if item.type in (AnswerType.SCALE, AnswerType.SINGLE):
                values = frozenset(o.code for o in item.options if o.code >= 0)
            elif item.type is AnswerType.AGE:
                values = frozenset(range(max(item.min_value, 0), item.max_value + 1))
            found[item.id] = {
                OutcomeKind.SKIPPED.value: frozenset({SKIPPED_CODE}),
                OutcomeKind.NOT_REACHED.value: frozenset({NOT_REACHED_CODE}),
                OutcomeKind.NONRESPONSE.value: frozenset(
                    c for c in NONRESPONSE_BY_CODE if c < 0 and item.allows_code(c)),
                OutcomeKind.VALUE.value: values,
            }
        _RULES[instrument.key] = found
        _KNOWN[instrument.key] = frozenset(
            (item_id, outcome, code) for item_id, kinds in found.items()
            for outcome, codes in kinds.items() for code in codes or ())
    return found


# instrument key → every allowed (item id, outcome, code) of a finite list, from _rules
_KNOWN: dict[str, frozenset[tuple[str, str, int]]] = {}


def _check_session(s: dict[str, Any], instrument: Instrument) -> None:
    who = s["respondent"]
    if not SESSION_KEYS <= set(s) <= SESSION_KEYS | OPTIONAL_SESSION_KEYS:
        raise InputRejected(_("{who}: sessionens fält ska vara {fields}")
                             .format(who=who, fields=sorted(SESSION_KEYS)))
    if s["disposition"] not in _DISPOSITIONS:
        raise InputRejected(_("{who}: okänd disposition {disposition}")
                             .format(who=who, disposition=repr(s['disposition'])))
    if isinstance(s["mode"], bool) or s["mode"] not in MODES:
        raise InputRejected(_("{who}: mode ska vara en av {modes}")
                             .format(who=who, modes=", ".join(map(str, sorted(MODES)))))
    adhoc = s.get("adhoc", [])
    if not isinstance(adhoc, list) or not all(
            isinstance(i, str) and i in instrument.items for i in adhoc):
        raise InputRejected(_("{who}: adhoc ska lista fråge-id:n i {instrument}")
                             .format(who=who, instrument=instrument.key))
    if not isinstance(s["language"], str) or not _LANGUAGE.fullmatch(s["language"]):
        raise InputRejected(_("{who}: language ska vara en språkkod med 2–3 bokstäver")
                             .format(who=who))
    if s["break_reason"] is not None and not (isinstance(s["break_reason"], int)
                                               and 1 <= s["break_reason"] <= 5):
        raise InputRejected(_("{who}: break_reason ska vara tom eller 1–5").format(who=who))
    form = instrument.forms[who]
    reason = s.get("decline_reason")
    if reason is not None and (isinstance(reason, bool) or not isinstance(reason, int)
                               or s["disposition"] != Disposition.DECLINED.value
                               or form.decline_reason(reason) is None):
        raise InputRejected(_("{who}: decline_reason ska vara tom, eller en av skälkoderna i "
                              "{instrument} när delen avböjdes")
                             .format(who=who, instrument=instrument.key))
    items = s["items"]
    expected = {i.id for i in form.items}
    if not isinstance(items, dict) or set(items) != expected:
        raise InputRejected(_("{who}: varje fråga i {instrument} behöver exakt ett utfall")
                             .format(who=who, instrument=instrument.key))
    rules = _rules(instrument)
    known = _KNOWN[instrument.key]
    for item in form.items:
        pair = items[item.id]
        # the usual answer in one set lookup (a third of the check of a 10 000-record import
        # went to the steps below); anything else, a bool or an open-ended code too, is
        # judged by them as before. The exact types keep 3.0 and ["value"] out of the lookup.
        if (type(pair) is list and len(pair) == 2 and type(pair[0]) is str
                and type(pair[1]) is int and (item.id, pair[0], pair[1]) in known):
            continue
        if (not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[1], int)
                or abs(pair[1]) > _INT_MAX or not isinstance(pair[0], str)
                or pair[0] not in _OUTCOMES):
            raise InputRejected(_("{who}: {item} ska vara [utfall, kod]")
                                 .format(who=who, item=item.id))
        outcome, code = pair
        allowed = rules[item.id][outcome]
        if not (code in allowed if allowed is not None else code >= 0):
            raise InputRejected(_("{who}: {item} har koden {code}, som inte är tillåten för "
                                  "{kind}").format(who=who, item=item.id, code=code,
                                                   kind=OutcomeKind(outcome)))
    methods = s["methods"]
    if not isinstance(methods, dict):
        raise InputRejected(_("{who}: methods ska vara ett objekt").format(who=who))
    for item_id, pairs in methods.items():
        method_item = instrument.items.get(item_id)
        if (method_item is None or method_item.type is not AnswerType.MULTI
                or method_item.respondent != who):
            raise InputRejected(_("{who}: methods anges för {item}, som inte är en metodfråga")
                                 .format(who=who, item=repr(item_id)))
        for pair in pairs:
            if (not isinstance(pair, list) or len(pair) != 2
                    or method_item.option(pair[0]) is None or pair[1] not in (1, 2, 3)):
                raise InputRejected(_("{who}: {item} har ett felaktigt metodpar {pair}")
                                     .format(who=who, item=item_id, pair=repr(pair)))


def local_versions(records: list[dict[str, Any]]) -> dict[str, int]:
    """Records of local versions ("2026.2+0180") among `records`: version → how many."""
    from ubu_tui.instrument.versions import is_local

    found: dict[str, int] = {}
    for r in records:
        if is_local(str(r["version"])):
            key = f"{r['instrument']}@{r['version']}"
            found[key] = found.get(key, 0) + 1
    return found


def refuse_local(found: dict[str, int], how: str) -> InputRejected:
    return InputRejected(
        _("{count} poster är från en lokal version ({versions}). Den gemensamma databasen gör "
          "nationella jämförelser, och en lokal version slås aldrig ihop med dem: dess poster "
          "stannar i kommunens egen databas, där rapporterna visar dem för sig. {how}")
        .format(count=sum(found.values()),
                versions=", ".join(f"{v}: {n}" for v, n in sorted(found.items())), how=how))


def import_jsonl(engine: Engine, path: Path) -> ImportReport:
    """Check every line first; store nothing unless all are good; skip ids already present."""
    with without_cycle_collection():
        return _import_jsonl(engine, path)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for the block (and as it was again afterwards).

    An import holds about a million small lists and tuples at once (every answer of the file
    parsed, then again as a row), and so do an export and a push reading the records:
    every few hundred new ones set off a collection, and the older generations' collections
    walk every one held so far. Decoding a 10 000-record file
    took 2.2 CPU s with them and 0.7–0.9 without (load 9). The import makes no cycles worth
    collecting: its objects go by reference counting as before, and what little else is
    cyclic is collected once the collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_jsonl(engine: Engine, path: Path) -> ImportReport:
    _require_real(engine, _("importeras hit"))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputRejected(_("{path}: filen kan inte läsas ({reason})")
                             .format(path=path, reason=err)) from None
    with session_for(engine) as session:
        known_units = set(session.exec(select(Unit.id)).all())
    errors: list[str] = []
    good: list[dict[str, Any]] = []
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = _check_record(_parse_line(line), known_units)[0]
            # the canonical text only for an id seen twice: most files have none
            first = seen.setdefault(record["id"], (n, record))
            if first[1] is not record and _canonical(first[1]) != _canonical(record):
                raise InputRejected(_("id {id} finns också på rad {line} med annat innehåll")
                                     .format(id=record['id'], line=first[0]))
            good.append(record)
        except InputRejected as err:
            errors.append(f"{path}:{n}: {err}")
    if not errors:
        errors.extend(_conflicts(engine, good, path))
    if errors:
        raise nothing_imported(errors)
    added = present = 0
    if on_postgres(engine):   # set-based, a thousand records per call, all in one transaction
        kept = local_versions(good)    # the shared database: national versions only
        if kept:
            raise refuse_local(kept, _("Ingenting importerades. Importera filen till "
                                       "kommunens egen SQLite-databas i stället."))
        unique = {r["id"]: r for r in good}
        present = len(good) - len(unique)
        # in id order, as a push sends them: each batch's rows then land on neighbouring
        # index pages instead of all over every index (measured: a third of the page reads
        # and WAL full-page images of the file's random order, 10-15 % of the server's time)
        good = [unique[i] for i in sorted(unique)]
        chunks = [good[start:start + 1000] for start in range(0, len(good), 1000)]
        # (closed in this thread if a batch fails, not by the garbage collector in its pool's)
        with session_for(engine) as session, closing(prepared(chunks)) as made:
            added = _submit_all(session, chunks, made)
            session.commit()
        return ImportReport(added, present + len(good) - added)
    with session_for(engine) as session, parents_in_the_same_batch(session.connection()):
        existing = set(session.exec(select(Submission.id)).all())
        fresh: dict[str, dict[str, Any]] = {}
        for r in good:
            if r["id"] not in existing:
                fresh.setdefault(r["id"], r)
        by_table: dict[str, list[tuple[Any, ...]]] = {t: [] for t in ROW_COLUMNS}
        # in id order: each record's rows land next to the previous one's in every index
        # keyed by record id, instead of on a random page each
        for rid in sorted(fresh):
            json_rows(fresh[rid], by_table)
        with counted_in_bulk(session.connection()):      # one transaction, counted per batch
            write_rows(session.connection(), by_table)
            # with their rows: the index cube is grouped from them in memory (store/bulk.py)
            new_records(session.connection(), sorted(fresh), by_table)
        session.commit()
    return ImportReport(len(fresh), len(good) - len(fresh))


def _submit_all(session: Any, chunks: list[list[dict[str, Any]]],
                made: Iterator[str]) -> int:
    """Every batch through ubu_submit_records, in the caller's one transaction; return how
    many records were new.

    The owner's import counts once at the end: the kept counts' triggers are paused and the
    whole file's counts added with one grouped statement each (store/bulk.py). Batch by batch
    the index cube's trigger rewrote most of the cube for every thousand records, and in one
    transaction each rewrite left another row version to step over: about half the server's
    time for the import, against a tenth of that once. A login that does not own the tables
    is counted by the triggers as before.
    """
    conn = session.connection()
    with counted_in_bulk(conn):
        owner = owns_records(conn)      # other logins' triggers count for themselves
        ids = [r["id"] for chunk in chunks for r in chunk]
        before = set(conn.execute(text("SELECT id FROM submission WHERE id = ANY(:ids)"),
                                  {"ids": ids}).scalars()) if owner else set()
        added = 0
        for chunk, ready in zip(chunks, made, strict=True):
            new = submit_payloads(session, ready)
            if owner:
                fresh = [r["id"] for r in chunk if r["id"] not in before]
                if new != len(fresh):
                    # one of them came in from elsewhere meanwhile: its counts would be added
                    # twice, so nothing is stored
                    raise StoreError(_("Andra poster skrevs in samtidigt; ingenting "
                                       "importerades. Kör importen igen."))
                new_records(conn, fresh)
            added += new
    return added


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
    stored = {r["id"]: _canonical(r) for r in _records(engine, None, again)}
    return [f"{path}: id {r['id']} is already in the database with other content; a record "
            "is never changed. Export both and find out which one is right"
            for r in good if r["id"] in stored and stored[r["id"]] != _canonical(r)]


def _record_from_json(r: dict[str, Any]) -> FollowUpRecord:
    sessions = tuple(SessionOutcome(
        respondent=s["respondent"], disposition=Disposition(s["disposition"]),
        break_reason=s["break_reason"], mode=s["mode"], language=s["language"],
        adhoc=tuple(s.get("adhoc", [])), decline_reason=s.get("decline_reason"),
        items=tuple(ItemOutcome(item_id, OutcomeKind(kind), code,
                                tuple((m, a) for m, a in s["methods"].get(item_id, [])))
                    for item_id, (kind, code) in s["items"].items()))
        for s in r["sessions"])
    record = FollowUpRecord(id=r["id"], instrument_id=r["instrument"],
                            instrument_version=r["version"], municipality=r["municipality"],
                            unit_id=r["unit"], sessions=sessions)
    return record
