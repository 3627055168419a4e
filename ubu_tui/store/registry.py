"""The provider unit registry: units (where the young people live), imported and exported as CSV.

Results are broken down by the registry's unit type, operating form and orientation. In the
shared PostgreSQL database a login's change of those (or its deletion of a unit) is held and
reaches the figures at the next release, not at once, so that nobody can regroup the units
call after call for fresh draws of the noise (store/pg_registry.py, schema 0167); names,
owners, permits and new units act at once, as does every change the database owner makes.
An office's own SQLite store has no logins: its registry acts at once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import col, select

from ubu_tui.errors import InputRejected, nothing_imported
from ubu_tui.i18n import _
from ubu_tui.identifiers import check_text
from ubu_tui.store.engine import session_for
from ubu_tui.store.models import Unit

UNIT_TYPES = {1: "HVB", 2: "SiS särskilt ungdomshem", 3: "Stödboende", 4: "Träningsboende"}
# Who runs the unit. How a municipality bought a placement (own unit, framework agreement, direct
# purchase) belongs to the placement, not the unit: it is the caseworker item cw_purchase.
OPERATING_FORMS = {1: "Kommunal egen regi", 2: "Enskild (privat eller idéburen)",
                   3: "Statlig (SiS)"}
ORIENTATIONS = {1: "Bred psykosocial inriktning", 2: "Missbruk", 3: "Kriminalitet och "
                "normbrytande beteende", 4: "Psykisk ohälsa", 5: "Neuropsykiatrisk "
                "funktionsnedsättning", 6: "Hedersrelaterat våld och förtryck",
                7: "Annan inriktning"}
# The registry's coded attributes that results are broken down by (results/query.DIMENSIONS)
REGISTRY_LABELS = {"unit_type": UNIT_TYPES, "operating_form": OPERATING_FORMS,
                   "orientation": ORIENTATIONS}
# HVB and supported housing need a permit from IVO; SiS homes are run by the state without one,
# and a training flat may be run without one of its own.
PERMIT_REQUIRED = {1, 3}
COLUMNS = ("id", "name", "owner", "org_number", "unit_type", "permit_ref", "operating_form",
           "orientation")
OLD_COLUMNS = COLUMNS[:6]   # files written before schema 0030 still import
SOLE_TRADER_OWNER = "Enskild näringsidkare"
_ORG = re.compile(r"([0-9]{6})-?([0-9]{4})")
_PERMIT = re.compile(r"[A-Za-z0-9./-]{1,40}")
_WHOLE = re.compile(r"[0-9]{1,9}")      # ids fit any database's integer column


@dataclass(frozen=True)
class OrgNumber:
    digits: str | None      # None when the number is a person's and must not be stored
    sole_trader: bool


def check_org_number(raw: str) -> OrgNumber:
    """Validate the check digit. A sole trader's number is a personal identity number."""
    m = _ORG.fullmatch(raw.strip())
    if not m:
        raise InputRejected(_("Organisationsnumret {number} ska vara tio siffror, NNNNNN-NNNN.")
                             .format(number=repr(raw)))
    digits = m.group(1) + m.group(2)
    if not luhn_ok(digits):
        raise InputRejected(_("Organisationsnumret {number} har fel kontrollsiffra.")
                             .format(number=repr(raw)))
    if int(digits[2]) < 2:   # months 01–12: a personal identity number
        return OrgNumber(None, True)
    return OrgNumber(f"{digits[:6]}-{digits[6:]}", False)


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    warnings: tuple[str, ...]
    held: int = 0       # changes of grouping held until the next release (shared database)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _clean_text(value: str, field: str, limit: int = 120) -> str:
    """Printable, at most `limit` characters, no personal identifier: the registry names units,
    never people."""
    return check_text(value, f"'{field}'", limit=limit)


def _code(raw: str | None, field: str, codes: dict[int, str]) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not _WHOLE.fullmatch(raw) or int(raw) not in codes:
        raise InputRejected(_("{field} {raw} är inte något av: {allowed}").format(
            field=field, raw=repr(raw), allowed=", ".join(f"{k} {v}" for k, v in codes.items())))
    return int(raw)


def parse_units(text: str, source: str = "CSV") -> tuple[list[Unit], list[str]]:
    """Every row checked; any bad row rejects the whole file so nothing is half-imported."""
    reader = csv.DictReader(io.StringIO(text))
    header = [f.strip() for f in reader.fieldnames or []]
    if header not in (list(COLUMNS), list(OLD_COLUMNS)):
        raise InputRejected(_("{source}: rubrikraden ska vara exakt {header} (eller, från äldre "
                              "exporter, {old})").format(source=source, header=','.join(COLUMNS),
                                                        old=','.join(OLD_COLUMNS)))
    units: list[Unit] = []
    warnings: list[str] = []
    seen: set[int] = set()
    errors: list[str] = []
    for n, row in enumerate(reader, start=2):
        try:
            if None in row or any(v is None for v in row.values()):
                raise InputRejected(_("{count} kolumner väntades").format(count=len(COLUMNS)))
            if not (_WHOLE.fullmatch(row["id"].strip())
                    and _WHOLE.fullmatch(row["unit_type"].strip())):
                raise InputRejected(_("'id' och 'unit_type' ska vara heltal med högst 9 siffror "
                                      "0–9"))
            unit_id = int(row["id"])
            unit_type = int(row["unit_type"])
            if unit_id <= 0 or unit_id in seen:
                raise InputRejected(_("id {id} är inte positivt eller förekommer flera gånger")
                                     .format(id=unit_id))
            if unit_type not in UNIT_TYPES:
                raise InputRejected(_("unit_type {unit_type} är inte en av {allowed}")
                                     .format(unit_type=unit_type, allowed=sorted(UNIT_TYPES)))
            if not row["org_number"].strip() and row["owner"].strip() == SOLE_TRADER_OWNER:
                org = OrgNumber(None, True)   # checked when first registered, not stored
            else:
                org = check_org_number(row["org_number"])
            permit = row["permit_ref"].strip()
            if not permit and unit_type in PERMIT_REQUIRED:
                raise InputRejected(_("permit_ref är tomt; {unit_type} behöver sitt tillstånd "
                                      "från IVO (bara SiS-hem och träningslägenheter får lämna "
                                      "det tomt)").format(unit_type=UNIT_TYPES[unit_type]))
            if permit and not _PERMIT.fullmatch(permit):
                raise InputRejected(_("permit_ref {permit} ska vara 1–40 bokstäver, siffror "
                                      "eller . / -").format(permit=repr(permit)))
            if permit:
                permit = _clean_text(permit, "permit_ref", 40)
            operating_form = _code(row.get("operating_form", ""), "operating_form",
                                   OPERATING_FORMS)
            orientation = _code(row.get("orientation", ""), "orientation", ORIENTATIONS)
            if unit_type == 2 and operating_form not in (None, 3):
                raise InputRejected(_("ett SiS-hem drivs av staten: operating_form ska vara 3 "
                                      "eller tomt"))
            name = _clean_text(row["name"], "name")
            owner = SOLE_TRADER_OWNER if org.sole_trader else _clean_text(row["owner"],
                                                                           "owner")
            if org.sole_trader and row["org_number"].strip():
                warnings.append(_(
                    "rad {n}: {name} drivs av en enskild näringsidkare, vars organisationsnummer "
                    "är ett personnummer; numret och ägarens namn sparas inte").format(
                        n=n, name=name))
            seen.add(unit_id)
            units.append(Unit(id=unit_id, name=name, owner=owner, org_number=org.digits,
                              sole_trader=org.sole_trader, unit_type=unit_type,
                              permit_ref=permit or None,
                              operating_form=3 if unit_type == 2 else operating_form,
                              orientation=orientation))
        except InputRejected as err:
            errors.append(f"{source}:{n}: {err}")
    if errors:
        raise nothing_imported(errors)
    return units, warnings


def import_units(engine: Engine, path: Path | str) -> ImportReport:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputRejected(_("{path}: filen kan inte läsas ({reason})")
                             .format(path=path, reason=err)) from None
    units, warnings = parse_units(text, str(path))
    added = updated = 0
    shared = engine.url.get_backend_name() == "postgresql"
    with session_for(engine) as session:
        for unit in units:
            existing = session.get(Unit, unit.id)
            if existing is None:
                session.add(unit)
                added += 1
            else:
                for field in ("name", "owner", "org_number", "sole_trader", "unit_type",
                              "permit_ref", "operating_form", "orientation"):
                    setattr(existing, field, getattr(unit, field))
                if shared:
                    # the file states the grouping asked, also where it is the one in force:
                    # that withdraws a change held since (store/pg_registry.py)
                    for field in GROUPING:
                        flag_modified(existing, field)
                session.add(existing)
                updated += 1
        session.commit()
        held = _held(session, [u.id for u in units]) if shared else 0
    return ImportReport(added, updated, tuple(warnings), held)


GROUPING = ("unit_type", "operating_form", "orientation")


# Whether this login may read the held changes (a database before schema 0167 has none)
_HELD_READABLE = ("SELECT pg_catalog.to_regclass('public.unit_change') IS NOT NULL AND "
                  "pg_catalog.has_table_privilege('public.unit_change', 'SELECT')")


def _held(session: Any, ids: list[int]) -> int:
    """How many of these units have a change held until the next release."""
    from sqlalchemy import text

    conn = session.connection()
    if not conn.execute(text(_HELD_READABLE)).scalar():
        return 0
    return int(conn.execute(text(
        "SELECT pg_catalog.count(*) FROM public.unit_change WHERE applied IS NULL "
        "AND unit_id = ANY(:ids)"), {"ids": ids}).scalar_one())


def held_changes(engine: Engine) -> int:
    """How many changes of grouping wait for the next release in the shared database (0 on
    SQLite, and for a login that may not read them)."""
    from sqlalchemy import text

    if engine.url.get_backend_name() != "postgresql":
        return 0
    with engine.connect() as conn:
        if not conn.execute(text(_HELD_READABLE)).scalar():
            return 0
        return int(conn.execute(text("SELECT pg_catalog.count(*) FROM public.unit_change "
                                     "WHERE applied IS NULL")).scalar_one())


def export_units(engine: Engine) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    with session_for(engine) as session:
        for u in session.exec(select(Unit).order_by(col(Unit.id))).all():
            writer.writerow([u.id, u.name, u.owner, u.org_number or "", u.unit_type,
                             u.permit_ref or "", u.operating_form or "", u.orientation or ""])
    return out.getvalue()


def find_units(engine: Engine, text: str, limit: int = 20) -> list[Unit]:
    """Units whose name holds `text`, ignoring case.

    Filtered in Python: SQLite's lower() leaves å, ä and ö alone, and a registry of a few
    thousand units is read in a few milliseconds.
    """
    needle = " ".join(text.split()).casefold()
    with session_for(engine) as session:
        units = session.exec(select(Unit).where(col(Unit.active)).order_by(col(Unit.name))).all()
    return [u for u in units if needle in u.name.casefold()][:limit]


def get_unit(engine: Engine, unit_id: int) -> Unit | None:
    with session_for(engine) as session:
        return session.get(Unit, unit_id)


def count_units(engine: Engine) -> int:
    with session_for(engine) as session:
        return len(session.exec(select(Unit.id)).all())


def unit_names(engine: Engine) -> dict[int, str]:
    """Unit id → name, for labelling results (unit names are public, not personal)."""
    with session_for(engine) as session:
        return {u.id: u.name for u in session.exec(select(Unit)).all()}


def unit_types(engine: Engine) -> dict[int, int]:
    """Unit id → the unit type the registry holds (the item cw_unit_type's codes)."""
    with session_for(engine) as session:
        return {u.id: u.unit_type for u in session.exec(select(Unit)).all()}


UNIT_TYPE_ITEM = "cw_unit_type"


def unit_type_mismatch(engine: Engine, record: Any) -> tuple[int, int] | None:
    """(the caseworker's unit-type answer, the registry's type) when they differ, else None.

    Checked before a follow-up is submitted: results break down by the registry's type, and a
    caseworker's answer that disagrees is shown to the caseworker, who corrects it or keeps it
    (the registry may be the one that is wrong). No answer (not reached, don't know) or a unit
    the registry lacks is nothing to check.
    """
    answered = next((item.code for sess in record.sessions for item in sess.items
                     if item.item_id == UNIT_TYPE_ITEM and item.kind.value == "value"), None)
    if answered is None:
        return None
    with session_for(engine) as session:
        unit = session.get(Unit, record.unit_id)
    if unit is None or unit.unit_type == answered:
        return None
    return answered, unit.unit_type
