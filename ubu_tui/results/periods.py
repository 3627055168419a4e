"""The periods figures are made for: calendar months, quarters, half-years and years.

Every period is a cell of its own (its records' keys sum to a new cell key) and gets its own
draw of the noise. Were any range of months allowed, a group hidden under the threshold would
be in every range that holds its month, beside shown groups: "total minus the shown groups"
over many ranges is the hidden group's count plus noise, again and again, and the mean of
those comes to the count (42 twelve-month ranges put a unit of one follow-up within 0.03 of
its single answer: tests/test_pg_attack.py). On the grid a month lies in four periods only
(itself, its quarter, its half-year and its year), so there are four draws to average, each
with the noise of every shown group in it, and no more.

A login of the shared database reads a period only once the month after it is over
(`published`): until then its records are still coming in (records are pushed from the local
stores later), each monthly release would make the same period a new cell, and a year would be
twelve draws instead of one. The PostgreSQL figure functions hold both rules for every login
(results/pg_functions.py), whatever a client asks; this module is the results layer's own
check, with messages a reader can act on, and the periods the pickers offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _

OPEN = ("0000-00", "9999-99")      # no period named: every record (the results layer's default)
KINDS = ("month", "quarter", "half", "year")


@dataclass(frozen=True, order=True)
class Period:
    first: str          # YYYY-MM
    last: str
    kind: str

    @property
    def label(self) -> str:
        year, month = self.first[:4], int(self.first[5:])
        if self.kind == "year":
            return year
        if self.kind == "half":
            return _("{year} halvår {n}").format(year=year, n=1 if month == 1 else 2)
        if self.kind == "quarter":
            return _("{year} kvartal {n}").format(year=year, n=(month - 1) // 3 + 1)
        return self.first

    @property
    def value(self) -> str:
        """The picker's value: both ends, so that a screen needs no lookup."""
        return f"{self.first}/{self.last}"


def kind(first: str, last: str) -> str | None:
    """The grid period `first`–`last` is, or None when it is none (both valid YYYY-MM)."""
    if first[:4] != last[:4]:
        return None
    a, b = int(first[5:]), int(last[5:])
    if a == b:
        return "month"
    if b - a == 2 and a % 3 == 1:
        return "quarter"
    if b - a == 5 and a in (1, 7):
        return "half"
    if (a, b) == (1, 12):
        return "year"
    return None


def check(first: str, last: str) -> None:
    """Refuse a period off the grid (both ends valid months, first <= last), saying which
    periods there are and why."""
    if (first, last) == OPEN or kind(first, last) is not None:
        return
    if first in OPEN or last in OPEN:
        raise InputRejected(_("Ange både första och sista månaden ({start} – {end}); resultat "
                              "redovisas för en kalendermånad, ett kvartal, ett halvår eller "
                              "ett kalenderår.").format(start=first, end=last))
    raise InputRejected(_(
        "Perioden {start} – {end} är ingen kalendermånad, inget kvartal, halvår eller "
        "kalenderår. Resultat redovisas bara för sådana perioder: varje annan period vore en "
        "ny cell med eget brus, och många perioder jämförda räknar fram grupper under "
        "spärren. Välj till exempel {year}-01 – {year}-03 (kvartal), {year}-01 – {year}-06 "
        "(halvår) eller {year}-01 – {year}-12 (år).").format(start=first, end=last,
                                                              year=first[:4]))


def month_of(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def _months_back(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def latest_published(today: date | None = None) -> str:
    """The last month a login of the shared database may read: the month after it is over."""
    return _months_back(month_of(today), 2)


def last_whole_year(today: date | None = None) -> str:
    """The latest calendar year a login may read whole (its December published)."""
    latest = latest_published(today)
    return latest[:4] if latest.endswith("-12") else f"{int(latest[:4]) - 1:04d}"


def default(login: bool, today: date | None = None) -> Period:
    """The period a screen opens on: this year; for a login of the shared database, the
    latest quarter published."""
    if not login:
        year = month_of(today)[:4]
        return Period(f"{year}-01", f"{year}-12", "year")
    latest = latest_published(today)
    last = int(latest[5:]) // 3 * 3
    if last == 0:
        return Period(f"{int(latest[:4]) - 1:04d}-10", f"{int(latest[:4]) - 1:04d}-12", "quarter")
    return Period(f"{latest[:4]}-{last - 2:02d}", f"{latest[:4]}-{last:02d}", "quarter")


def published(last: str, today: date | None = None) -> bool:
    return last <= latest_published(today)


def check_published(first: str, last: str, today: date | None = None) -> None:
    """A login's period must be over, and the month after it too (see the module's note)."""
    if (first, last) == OPEN:
        raise InputRejected(_("Ange en period: i den gemensamma databasen redovisas resultat "
                              "för en kalendermånad, ett kvartal, ett halvår eller ett år."))
    if not published(last, today):
        raise InputRejected(_(
            "Perioden {start} – {end} redovisas först när månaden efter den är slut: till "
            "dess kommer uppföljningar in till den, och varje ny utgåva vore en ny cell "
            "med eget brus. Senaste månad som redovisas nu: {latest}.")
            .format(start=first, end=last, latest=latest_published(today)))


def choices(months: list[str], until: str | None = None) -> list[Period]:
    """The grid periods that hold any of `months` (YYYY-MM), newest first, each year before
    its halves, quarters and months; with `until`, only those that end by it."""
    out: set[Period] = set()
    for m in months:
        year, month = m[:4], int(m[5:])
        q = (month - 1) // 3 * 3 + 1
        h = 1 if month <= 6 else 7
        out.add(Period(m, m, "month"))
        out.add(Period(f"{year}-{q:02d}", f"{year}-{q + 2:02d}", "quarter"))
        out.add(Period(f"{year}-{h:02d}", f"{year}-{h + 5:02d}", "half"))
        out.add(Period(f"{year}-01", f"{year}-12", "year"))
    rank = {k: i for i, k in enumerate(reversed(KINDS))}
    kept = [p for p in out if until is None or p.last <= until]
    return sorted(kept, key=lambda p: (-int(p.first[:4]), rank[p.kind], p.first))


def login_choices(today: date | None = None, years: int = 3) -> list[Period]:
    """What a picker offers a login of the shared database: it reads no record, so not the
    months that hold follow-ups but every period of the last `years` years it may read."""
    until = latest_published(today)
    year = int(until[:4])
    return choices([f"{y:04d}-{m:02d}" for y in range(year - years + 1, year + 1)
                    for m in range(1, 13)], until)


def parse(value: str) -> tuple[str, str]:
    """A picker's value back to its two ends."""
    first, _sep, last = value.partition("/")
    return first, last or first
