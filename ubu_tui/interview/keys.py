"""The keys a caseworker presses, for the screens and for whoever teaches them (pure Python)."""

from __future__ import annotations

from ubu_tui.instrument.model import NONRESPONSE_BY_CODE
from ubu_tui.interview.session import Consent, Response

# Keys for the non-substantive options; the same on every item, never read aloud.
NONRESPONSE_KEYS: dict[str, str] = {"dont_know": "v", "refused": "s", "not_applicable": "e"}
CONSENT_KEYS: dict[Consent, str] = {Consent.GIVEN: "1", Consent.SELF_COMPLETED: "1",
                                    Consent.DECLINED: "2", Consent.NOT_REACHABLE: "3",
                                    Consent.YOUTH_OBJECTS: "4"}


def keys_for(response: Response, prefilled: Response | None = None) -> str:
    """What to type to record `response` with one key per answer, e.g. "4", "v", "1 2 2 Enter"."""
    if prefilled is not None and prefilled == response:
        return "Enter"
    if response.code < 0:
        return NONRESPONSE_KEYS[NONRESPONSE_BY_CODE[response.code].key]
    if response.methods:
        return " ".join(str(m) for m, applied in response.methods for _ in range(applied)) \
            + " Enter"
    return str(response.code)
