"""Tables. Only coded values: no names of people, no identity numbers, no dates of a person.

Drafts carry their own save time so that old ones can be purged; it is deleted with the draft.
Submissions carry the period (year-month) of submission, never a day.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, SmallInteger
from sqlmodel import Field, SQLModel


class StoreMeta(SQLModel, table=True):
    __tablename__ = "store_meta"
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class Draft(SQLModel, table=True):
    __tablename__ = "draft"
    id: str = Field(primary_key=True, max_length=32)
    label: str = Field(max_length=40)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    state: str   # JSON of the follow-up's coded state
    scenario: str | None = Field(default=None, max_length=60)   # set only in a practice store
    municipality: str | None = Field(default=None, max_length=4)  # whose draft (row security)


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    id: int = Field(primary_key=True)                 # the registry's own number, stable
    name: str = Field(max_length=120, index=True)
    owner: str = Field(max_length=120)
    org_number: str | None = Field(default=None, max_length=11)   # None for a sole trader
    sole_trader: bool = False
    unit_type: int
    permit_ref: str | None = Field(default=None, max_length=40)   # SiS homes hold no permit
    operating_form: int | None = None     # registry.OPERATING_FORMS; None when not recorded
    orientation: int | None = None        # registry.ORIENTATIONS; None when not recorded
    active: bool = True


class Submission(SQLModel, table=True):
    __tablename__ = "submission"
    id: str = Field(primary_key=True, max_length=32)  # random; links nothing outside
    municipality: str = Field(max_length=4, index=True)
    unit_id: int = Field(index=True)
    instrument_id: str = Field(max_length=40)
    instrument_version: str = Field(max_length=20)
    period: str = Field(max_length=7, index=True)     # YYYY-MM
    # The cell-key method's record key: uniform in [0, 2**32), drawn at submission, never from
    # content; results perturb every figure from the sum of its records' keys.
    record_key: int = Field(default_factory=lambda: secrets.randbits(32), sa_type=BigInteger)
    # The groups of the caseworker's background answers (store/background.py), written with the
    # record so that grouped results need not look them up among its answers.
    bg_unit_type: int = Field(sa_type=SmallInteger)
    bg_legal_basis: int = Field(sa_type=SmallInteger)
    bg_reason: int = Field(sa_type=SmallInteger)
    bg_sex: int = Field(sa_type=SmallInteger)
    bg_age_band: int = Field(sa_type=SmallInteger)
    bg_breakdown: int = Field(sa_type=SmallInteger)
    bg_length: int = Field(sa_type=SmallInteger)


class SessionRecord(SQLModel, table=True):
    __tablename__ = "session_record"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", index=True, max_length=32)
    respondent: str = Field(max_length=12)
    disposition: str = Field(max_length=16)
    break_reason: int | None = None
    # why the respondent declined: the instrument's code (2026.2 on), never text; else None
    decline_reason: int | None = Field(default=None, sa_type=SmallInteger)
    mode: int
    language: str = Field(max_length=8)
    adhoc: str = ""          # item ids interpreted ad hoc, space-separated


class AnswerRecord(SQLModel, table=True):
    __tablename__ = "answer_record"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", index=True, max_length=32)
    respondent: str = Field(max_length=12)
    item_id: str = Field(max_length=48, index=True)
    outcome: str = Field(max_length=12)
    code: int


class MethodRecord(SQLModel, table=True):
    __tablename__ = "method_record"
    id: int | None = Field(default=None, primary_key=True)
    # indexed with the method (schema 0131: ix_method_record_submission_method)
    submission_id: str = Field(foreign_key="submission.id", max_length=32)
    item_id: str = Field(max_length=48)
    method: int
    applied: int


class PracticeResult(SQLModel, table=True):
    """A trainee's score on one scenario; written only to a practice store."""

    __tablename__ = "practice_result"
    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10)                  # the practice day, YYYY-MM-DD
    participant: int | None = None                   # a number the trainer hands out
    scenario: str = Field(max_length=60)
    score: int
    checks: int
    mistakes: int
    seconds: int


class IndexScore(SQLModel, table=True):
    """A record's score on one index, written with it: answered items and their code sum."""

    __tablename__ = "index_score"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(foreign_key="submission.id", index=True, max_length=32)
    index_id: str = Field(max_length=40)
    n: int
    total: int


class ItemCount(SQLModel, table=True):
    """Answers per month, item and code; kept by triggers on answer_record, never by hand."""

    __tablename__ = "item_count"
    period: str = Field(primary_key=True, max_length=7)
    item_id: str = Field(primary_key=True, max_length=48)
    code: int = Field(primary_key=True)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class IndexCount(SQLModel, table=True):
    """Index scores summed per month, unit and index; kept by triggers on index_score."""

    __tablename__ = "index_count"
    period: str = Field(primary_key=True, max_length=7)
    unit_id: int = Field(primary_key=True)
    index_id: str = Field(primary_key=True, max_length=40)
    n: int
    total: float
    high: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys
    hkey: int = Field(default=0, sa_type=BigInteger)   # the same for those scoring 4 or more


class DispositionCount(SQLModel, table=True):
    """Parts per month, respondent and disposition; kept by triggers on session_record."""

    __tablename__ = "disposition_count"
    period: str = Field(primary_key=True, max_length=7)
    respondent: str = Field(primary_key=True, max_length=12)
    disposition: str = Field(primary_key=True, max_length=16)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class DispositionUnitCount(SQLModel, table=True):
    """The same per unit as well (schema 0131); kept by triggers on session_record."""

    __tablename__ = "disposition_unit_count"
    period: str = Field(primary_key=True, max_length=7)
    unit_id: int = Field(primary_key=True)
    respondent: str = Field(primary_key=True, max_length=12)
    disposition: str = Field(primary_key=True, max_length=16)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class ItemGroupCount(SQLModel, table=True):
    """The report's per-group items (store/kept_items.py: the serious violation, the end of the
    placement) per month, unit or municipality and code (schema 0141); kept by triggers on
    answer_record."""

    __tablename__ = "item_group_count"
    dim: str = Field(primary_key=True, max_length=12)          # unit / municipality
    item_id: str = Field(primary_key=True, max_length=48)
    period: str = Field(primary_key=True, max_length=7)
    grp: int = Field(primary_key=True)
    code: int = Field(primary_key=True)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class MethodCount(SQLModel, table=True):
    """Method rows per month, item, method and applied code (schema 0141); kept by triggers on
    method_record."""

    __tablename__ = "method_count"
    item_id: str = Field(primary_key=True, max_length=48)
    period: str = Field(primary_key=True, max_length=7)
    method: int = Field(primary_key=True)
    applied: int = Field(primary_key=True)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class DeclineCount(SQLModel, table=True):
    """Declined parts per month, respondent and reason, 0 for none recorded (schema 0141);
    kept by triggers on session_record."""

    __tablename__ = "decline_count"
    period: str = Field(primary_key=True, max_length=7)
    respondent: str = Field(primary_key=True, max_length=12)
    reason: int = Field(primary_key=True)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of the records' keys


class CoverageCount(SQLModel, table=True):
    """Set-up decisions counted per municipality and month (the month of the decision, never a
    date of a person): due, not due and why, started. Nothing links a count to any record."""

    __tablename__ = "coverage_count"
    municipality: str = Field(primary_key=True, max_length=4)
    period: str = Field(primary_key=True, max_length=7)
    outcome: str = Field(primary_key=True, max_length=24)
    n: int = 0
    ckey: int = Field(default=0, sa_type=BigInteger)   # sum of a random key per decision


class EndedCount(SQLModel, table=True):
    """How many placements a municipality says ended in a month: coverage's denominator."""

    __tablename__ = "ended_count"
    municipality: str = Field(primary_key=True, max_length=4)
    period: str = Field(primary_key=True, max_length=7)
    n: int
    ckey: int = Field(default=0, sa_type=BigInteger)   # a random key, drawn when entered


SUBMISSION_TABLES = ("submission", "session_record", "answer_record", "method_record",
                     "index_score")
