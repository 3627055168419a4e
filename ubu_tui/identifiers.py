"""The one identifier screen for every text that can reach storage.

Registry fields, draft labels, imported record fields, scenario and instrument text, command-line
and environment values all pass through `identifier_in` (or `check_text`, which adds the rules
for printable text and length). The text is first brought to one form: Unicode NFKC (full-width
digits and letters, ligatures), every Unicode decimal digit folded to ASCII (Arabic-Indic,
Devanagari, …) and every dash to '-'. Then it is searched for

- personal and coordination numbers in every usual form: with or without century, any separator
  or none, '+'. A candidate whose date part is a real day is refused whether or not its check
  digit holds (a mistyped number still points at a person); `personnummer` names it precisely;
- phone numbers (`phonenumbers`, Swedish numbering plan by default);
- e-mail addresses, also written as 'anna(at)example.se', 'anna at example dot se';
- dates in digits (1990-01-01, 19900101, 1/1/90, 900101) and in words, with Swedish or English
  month names ('1 januari 1990', 'Jan 1 1990').

The screen is pure Python (no database, no Textual) so every layer can call it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _

# --- one form for every text ------------------------------------------------------------------

_DASHES = dict.fromkeys(
    [ord(c) for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"], "-")


def normalise(text: str) -> str:
    """NFKC, every decimal digit as ASCII, every dash as '-'."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            value = unicodedata.decimal(ch, None)
            if value is None:
                value = unicodedata.digit(ch, None)
            out.append(str(value) if value is not None else ch)
        else:
            out.append(ch)
    return "".join(out).translate(_DASHES)


# --- digits: identity numbers and dates -------------------------------------------------------

# A run of digits with the separators people put between groups (none, space, - + . / _ :).
_DIGIT_RUN = re.compile(r"[0-9](?:[ \t\-+./_:,]{0,3}[0-9])*")
_GROUPS = re.compile(r"[0-9]+")


def _day_ok(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _yymmdd(digits: str, *, coordination: bool = True) -> bool:
    """A real day written YYMMDD (day + 60 for a coordination number)."""
    yy, mm, dd = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if coordination and dd > 60:
        dd -= 60
    return _day_ok(2000 + yy, mm, dd) or _day_ok(1900 + yy, mm, dd)


def _full_year(digits: str) -> bool:
    return digits[:2] in ("18", "19", "20")


def _identity_kind(digits: str) -> str | None:
    """'personal identity number' etc. for 10 or 12 digits whose date part is a real day."""
    date_part = digits[-10:-4]
    if len(digits) == 12 and not _full_year(digits):
        return None
    if not _yymmdd(date_part):
        return None
    from personnummer.personnummer import Personnummer, PersonnummerException

    try:
        number = Personnummer(digits)
    except PersonnummerException:
        # The check digit is wrong; the date and serial still point at one person.
        return "what looks like a personal identity number"
    if number.is_coordination_number():
        return "a coordination number"
    return "a personal identity number"


def _date_in_groups(groups: list[str]) -> bool:
    """Three groups that read as a real day: Y-M-D or D-M-Y (M-D-Y too), 2- or 4-digit years."""
    if len(groups) != 3 or not all(1 <= len(g) <= 4 for g in groups):
        return False
    a, b, c = groups
    candidates = []
    if len(a) in (2, 4):
        candidates.append((a, b, c))          # year, month, day
    if len(c) in (2, 4):
        candidates.append((c, b, a))          # day, month, year
        candidates.append((c, a, b))          # month, day, year
    for y, m, d in candidates:
        if len(m) > 2 or len(d) > 2:
            continue
        year = int(y) if len(y) == 4 else 1900 + int(y)
        if len(y) == 4 and not _full_year(y):
            continue
        if _day_ok(year, int(m), int(d)) or (len(y) == 2 and _day_ok(year + 100, int(m),
                                                                      int(d))):
            return True
    return False


def _boundaries(groups: list[str]) -> list[int]:
    """Offsets in the run's digits where a separator stood, with both ends."""
    out, at = [0], 0
    for group in groups:
        at += len(group)
        out.append(at)
    return out


def _plausible(start: int, end: int, bounds: list[int], long_groups: set[int]) -> bool:
    """Could someone have written these digits as one number?

    Yes if the window starts and ends where the writer grouped (9 0 0 1 0 1 1 2 3 4), or
    inside a long unbroken group (an identity number hidden in padding or an id), or if it
    crosses at most three separators (19 90 01 01-1234, 900101-12340). Not '8.5.1-12345/2019',
    a case reference whose digits 8511234520 run across four separators and end mid-group.
    """
    inner = sum(1 for b in bounds if start < b < end)
    if inner <= 3:
        return True
    return ((start in bounds or start in long_groups)
            and (end in bounds or end in long_groups))


def _digits_finding(run: str) -> str | None:
    groups = _GROUPS.findall(run)
    digits = "".join(groups)
    bounds = _boundaries(groups)
    long_groups = {i for g, at in zip(groups, bounds, strict=False) if len(g) >= 10
                   for i in range(at, at + len(g) + 1)}

    def windows(width: int) -> Iterator[str]:
        for start in range(0, len(digits) - width + 1):
            if _plausible(start, start + width, bounds, long_groups):
                yield digits[start:start + width]

    # Identity numbers anywhere inside the run: 12 digits with century, 10 without.
    for width in (12, 10):
        for window in windows(width):
            kind = _identity_kind(window)
            if kind:
                return kind
    for i in range(len(groups) - 2):
        if _date_in_groups(groups[i:i + 3]):
            return "a date"
    for window in windows(8):
        if (_full_year(window) and _day_ok(int(window[:4]), int(window[4:6]), int(window[6:])))\
                or (_full_year(window[4:]) and _day_ok(int(window[4:]), int(window[2:4]),
                                                       int(window[:2]))):
            return "a date"
    for group in groups:
        # Six digits alone are how Swedes write a birth date (900101).
        if len(group) == 6 and _yymmdd(group, coordination=False):
            return "a date"
    return None


# --- dates in words ---------------------------------------------------------------------------

_MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|febr|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec")
_ORDINAL = r"(?:[:']?(?:e|a|st|nd|rd|th))?"
_NO_LETTER_AFTER = r"(?![^\W\d_])"      # a month word ends where letters end, digits may follow
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_WORD_DATE = re.compile(
    rf"(?<![0-9])(?:[12][0-9]|3[01]|0?[1-9]){_ORDINAL}\.?\s*(?:of\s+|de\s+)?(?:{_MONTHS})"
    rf"{_NO_LETTER_AFTER}"
    rf"|{_NO_LETTER_BEFORE}(?:{_MONTHS}){_NO_LETTER_AFTER}\.?\s*(?:[12][0-9]|3[01]|0?[1-9])"
    rf"{_ORDINAL}(?![0-9])"
    # with a year, a month glued to a word before it still makes a date ('bornMay 2, 1990')
    rf"|(?:{_MONTHS})\.?\s*(?:[12][0-9]|3[01]|0?[1-9]){_ORDINAL},?\s*(?:1[89]|20)[0-9]{{2}}",
    re.IGNORECASE)

# --- e-mail, plain and obfuscated -------------------------------------------------------------

_AT_BRACKETED = re.compile(r"\s*[(\[{<]\s*(?:at|snabel-?a|@)\s*[)\]}>]\s*", re.IGNORECASE)
_DOT_BRACKETED = re.compile(r"\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*", re.IGNORECASE)
# ' at ' counts only when a domain follows, so that 'Care at Home AB' stays a name.
_AT_SPOKEN = re.compile(
    r"(?<=\S)\s+(?:at|snabel-?a)\s+(?=[\w-]+(?:\s*\.\s*|\s+(?:dot|punkt)\s+)[a-z]{2,}(?![a-z]))",
    re.IGNORECASE)
_DOT_SPOKEN = re.compile(r"\s+(?:dot|punkt)\s+(?=[a-z]{2,}(?![a-z]))", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@]+\s*@\s*[^\s@]+")


def _email_in(text: str) -> bool:
    text = _AT_BRACKETED.sub("@", text)
    text = _DOT_BRACKETED.sub(".", text)
    text = _AT_SPOKEN.sub("@", text)
    text = _DOT_SPOKEN.sub(".", text)
    return bool(_EMAIL.search(text))


# --- phone numbers ----------------------------------------------------------------------------

_PHONE_START = re.compile(r"^\s*(?:\+|00|0)")


def _phone_in(text: str) -> bool:
    if sum(ch.isdigit() for ch in text) < 7:
        return False        # before the import: most texts (labels, names) stop here
    import phonenumbers
    from phonenumbers import Leniency, PhoneNumberMatcher

    if any(True for _ in PhoneNumberMatcher(text, "SE", leniency=Leniency.VALID)):
        return True
    # A number written with its trunk or international prefix is a phone number even when the
    # grouping is odd (070/12 34 56); without one, only numbers the plan calls valid count, so
    # that 'IVO-3471-2020' stays a permit reference.
    for match in PhoneNumberMatcher(text, "SE", leniency=Leniency.POSSIBLE):
        if _PHONE_START.match(match.raw_string) and phonenumbers.is_possible_number(
                match.number):
            return True
    # The matcher reads a number together with what stands before or after it ('Rum 12
    # 070-123 45 67', '…/2020'); so every stretch of whole groups is tried on its own too.
    for run in _PHONE_RUN.findall(text):
        groups = _GROUPS.findall(run)
        plus = run.lstrip().startswith("+")
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j]
                if len(digits) > 13:
                    break
                if _phone_digits(digits, plus and i == 0):
                    return True
    return False


_PHONE_RUN = re.compile(r"\+?[0-9](?:[ \t\-./()]{0,3}[0-9])*")


def _phone_digits(digits: str, plus: bool) -> bool:
    import phonenumbers

    if plus or digits.startswith("00"):
        national = digits[2:] if digits.startswith("00") else digits
        if not national.startswith("46"):
            return False
        digits = "0" + national[2:]
    if not (digits.startswith("0") and not digits.startswith("00") and 8 <= len(digits) <= 10):
        return False
    try:
        number = phonenumbers.parse(digits, "SE")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) or (digits.startswith("07")
                                                     and len(digits) == 10)


# --- the screen -------------------------------------------------------------------------------


# Written the way identity numbers are written: named so even with a wrong check digit.
_PNR_SHAPE = re.compile(r"(?:[0-9]{2})?[0-9]{6}[-+][0-9]{4}")
_CERTAIN = ("a personal identity number", "a coordination number")


def identifier_in(text: str) -> str | None:
    """Name what kind of personal identifier `text` holds, or None."""
    text = normalise(text)
    loose = None
    for run in _DIGIT_RUN.findall(text):
        kind = _digits_finding(run)
        if kind in _CERTAIN or (kind and _PNR_SHAPE.fullmatch(run)):
            return kind
        loose = loose or kind
    if _email_in(text):
        return "an e-mail address"
    # A phone number can also read as a date (070-123 45 67 starts with 070123): name the
    # likelier one. Either way it is refused.
    if _phone_in(text):
        return "a phone number"
    if loose:
        return loose
    if _WORD_DATE.search(text):
        return "a date"
    return None


def check_text(value: str, what: str, *, limit: int = 120, empty_ok: bool = False) -> str:
    """`value` in its normal form with runs of spaces made one, or InputRejected saying why.

    Printable characters only (no NUL, no control or format characters), at most `limit`
    characters, and no personal identifier.
    """
    text = normalise(value)
    bad = next((ch for ch in text if not (ch.isprintable() or ch in " \t")), None)
    if bad is not None:
        raise InputRejected(_("{what} innehåller tecknet U+{code:04X}, som inte kan skrivas ut; "
                              "skriv texten igen utan det.").format(what=what, code=ord(bad)))
    text = " ".join(text.split())
    if not text and not empty_ok:
        raise InputRejected(_("{what} är tom.").format(what=what))
    if len(text) > limit:
        raise InputRejected(_("{what} är längre än {limit} tecken.").format(what=what, limit=limit))
    kind = identifier_in(text)
    if kind:
        raise InputRejected(_("{what} innehåller {kind}; ingenting som kan peka ut en person "
                              "sparas. Ta bort det och försök igen.").format(what=what, kind=kind))
    return text


# --- record ids -------------------------------------------------------------------------------

_UUID4_HEX = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")


def new_record_id() -> str:
    """A random UUID (version 4) as 32 lower-case hex digits, never one the screen would refuse.

    Refusing a real export on import because chance put a date in its id would be a poor joke;
    so an id that happens to read as one is drawn again (about one in twenty).
    """
    import secrets  # here, not at the top: most processes that screen text draw no id
    import uuid

    while True:
        rid = uuid.UUID(bytes=secrets.token_bytes(16), version=4).hex
        if _id_finding(rid) is None:
            return rid


def _id_finding(rid: str) -> str | None:
    """The screen for hex ids: only the decimal runs can carry a number or a date."""
    for run in _GROUPS.findall(rid):
        if len(run) >= 6:
            kind = _digits_finding(run) or ("a phone number" if len(run) >= 8
                                            and _phone_in(run) else None)
            if kind:
                return kind
    return None


def check_record_id(value: object) -> str:
    """A record id as ubu makes them: 32 lower-case hex digits in UUID version-4 layout."""
    if not isinstance(value, str) or not _UUID4_HEX.fullmatch(value):
        raise InputRejected(_("id ska vara ett slumpat UUID (version 4) skrivet som 32 "
                              "hexadecimala gemener, så som ubu export skriver det"))
    if _id_finding(value):
        raise InputRejected(_("id innehåller siffror som kan läsas som ett personnummer eller "
                              "ett datum; ubu skapar aldrig ett sådant id"))
    return value
