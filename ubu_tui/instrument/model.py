"""The instrument as immutable data. Nothing here reads files or knows about screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

RESPONDENTS: tuple[str, ...] = ("youth", "guardian", "caseworker")


class AnswerType(StrEnum):
    SCALE = "scale"          # 1–5 with labels and a neutral middle
    SINGLE = "single"        # one of a list of coded options
    MULTI = "multi"          # several methods, each with "applied as intended"
    AGE = "age"              # whole years
    UNIT = "unit"            # a provider unit id from the registry


@dataclass(frozen=True)
class NonResponse:
    key: str
    code: int
    label: str


# Kinds of missing are kept apart: each has its own negative code, never a blank.
NONRESPONSE: dict[str, NonResponse] = {
    "refused": NonResponse("refused", -1, "Har inte svarat"),
    "dont_know": NonResponse("dont_know", -2, "Vet inte"),
    "not_applicable": NonResponse("not_applicable", -3, "Ej aktuellt"),
}
NONRESPONSE_BY_CODE: dict[int, NonResponse] = {n.code: n for n in NONRESPONSE.values()}
SKIPPED_CODE = -8        # skipped by routing
NOT_REACHED_CODE = -9    # the session ended before the item was asked

# Codes for "applied as intended" on each method chosen in a multiple-choice item.
APPLIED: dict[int, str] = {1: "Tillämpad som avsett", 2: "Inte som avsett", 3: "Vet inte"}


@dataclass(frozen=True)
class Option:
    code: int
    label: str
    read_aloud: bool = True
    alert: bool = False      # choosing it must tell the interviewer what happens next


@dataclass(frozen=True)
class Condition:
    """Show the item only when `item` was answered with one of `values`."""

    item: str
    values: frozenset[int]


@dataclass(frozen=True)
class Item:
    id: str
    respondent: str
    type: AnswerType
    text: str
    options: tuple[Option, ...] = ()
    instruction: str = ""
    guidance: str = ""
    nonresponse: tuple[str, ...] = ()
    not_applicable_label: str = ""
    show_if: tuple[Condition, ...] = ()
    sensitive: bool = False
    prefill: str = ""        # filled from the follow-up set-up ("unit", "age", "legal_basis")
    min_value: int = 0
    max_value: int = 0
    line: int | None = None  # where it stands in its file, for messages
    scale: str = ""          # the named scale its options come from, if any
    high_is_bad: bool = False  # a high value is the bad end (how often were there fights):
    #                            results say so beside every share 4–5 and chart

    def option(self, code: int) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def nonresponse_label(self, key: str) -> str:
        if key == "not_applicable" and self.not_applicable_label:
            return self.not_applicable_label
        return NONRESPONSE[key].label

    def allows_code(self, code: int) -> bool:
        if code < 0:
            nr = NONRESPONSE_BY_CODE.get(code)
            return nr is not None and nr.key in self.nonresponse
        if self.type in (AnswerType.SCALE, AnswerType.SINGLE):
            return self.option(code) is not None
        if self.type is AnswerType.AGE:
            return self.min_value <= code <= self.max_value
        return True


@dataclass(frozen=True)
class Form:
    respondent: str
    title: str
    consent_text: str
    items: tuple[Item, ...]
    file: str = ""
    # What the respondent reads on a paper form filled in alone: consent_text is spoken by the
    # interviewer ("I write down your answers"), which is not true on paper. Empty: no paper form.
    paper_consent_text: str = ""
    # Why a respondent declined, coded (the instrument's closed list; never free text). Empty for
    # the caseworker, who cannot decline, and in versions that did not record it (2026.1).
    decline_reasons: tuple[Option, ...] = ()

    def decline_reason(self, code: int) -> Option | None:
        return next((o for o in self.decline_reasons if o.code == code), None)

    def index_of(self, item_id: str) -> int:
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise KeyError(item_id)


@dataclass(frozen=True)
class Index:
    id: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Share:
    """A figure that is the share of answers with some codes among all substantive answers."""

    id: str
    label: str
    item: str
    codes: frozenset[int]


NATIONAL, LOCAL = "national", "local"


@dataclass(frozen=True)
class Mapping:
    """Which items of the previous version are the same question as items of this one."""

    previous: str                    # the previous version, e.g. "2026.1"
    same: dict[str, str]             # previous item id → this version's item id
    changed: dict[str, str]          # previous item id → why it is not the same question


RESPONDENT_ORDER = ("youth", "guardian", "caseworker")


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    forms: dict[str, Form]
    indices: tuple[Index, ...] = ()
    source: str = ""
    guidance: dict[str, str] = field(default_factory=dict)   # per answer type, for practice
    scope: str = NATIONAL            # a local version is never pooled into national figures
    shares: tuple[Share, ...] = ()
    mapping: Mapping | None = None
    decline_reasons: tuple[Option, ...] = ()    # see Form.decline_reasons
    _items: dict[str, Item] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for form in self.forms.values():
            for item in form.items:
                self._items[item.id] = item

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def guidance_for(self, item: Item) -> str:
        """The item's own training guidance, else the general one for its answer type."""
        return item.guidance or self.guidance.get(item.type.value, "")

    @property
    def items(self) -> dict[str, Item]:
        return self._items

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def national(self) -> bool:
        return self.scope == NATIONAL

    def indices_of(self, item_id: str) -> tuple[str, ...]:
        return tuple(ix.id for ix in self.indices if item_id in ix.items)

    def respondent_indices(self) -> tuple[tuple[Index, str, Index], ...]:
        """(index, respondent, its part) for each main index and each respondent answering
        items in it: the part is the index over that respondent's own items, id
        `<index>.<respondent>`. A BBIC sub-area (a label with ':') is mostly one item of one
        respondent and has none.

        Each part is scored per record when the record is stored, like the index itself, so
        that results read per-respondent figures from kept sums, not from every answer.
        """
        out = []
        for ix in self.indices:
            if not ix.items or ":" in ix.label:
                continue
            for respondent in RESPONDENT_ORDER:
                own = tuple(i for i in ix.items
                            if i in self._items and self._items[i].respondent == respondent)
                if own:
                    out.append((ix, respondent, Index(f"{ix.id}.{respondent}", ix.label, own)))
        return tuple(out)

    def scored_indices(self) -> tuple[Index, ...]:
        """Every index a record is scored on when stored: the indices and their parts."""
        return self.indices + tuple(part for _ix, _r, part in self.respondent_indices())
