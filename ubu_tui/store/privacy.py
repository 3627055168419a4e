"""Screen text that is about to be stored for anything that could identify a person."""

from __future__ import annotations

import re

_PNR = re.compile(r"(?<!\d)(\d{2})?\d{2}(0[1-9]|1[0-2])(\d{2})[-+ ]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_PHONE = re.compile(r"(?:\+|00)?\d(?:[\s-]?\d){6,}")
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)?\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)?\d{2})(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def identifier_in(text: str) -> str | None:
    """Name what kind of personal identifier `text` holds, or None."""
    for match in _PNR.finditer(text):
        # Flagged whatever the check digit: a mistyped identity number still identifies.
        day = int(match.group(3))
        if 1 <= day <= 31:
            return "a personal identity number"
        if 61 <= day <= 91:
            return "a coordination number"
    if _EMAIL.search(text):
        return "an e-mail address"
    if _DATE.search(text):
        return "a date"
    if _PHONE.search(text):
        return "a phone number"
    return None
