"""Codes people type, pass in the environment or import: municipality and period.

ASCII digits only and matched whole (`fullmatch`, `[0-9]`): Python's `\\d` also takes
Arabic-Indic and other digit scripts, and `$` lets a trailing newline through, so '١٩٩٠' or
'2026-01\\n' would pass a pattern written the usual way and be stored as given.
"""

from __future__ import annotations

import re

from ubu_tui.errors import InputRejected

MUNICIPALITY = re.compile(r"[0-9]{4}")
PERIOD = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])")


def check_municipality(code: object) -> str:
    if not isinstance(code, str) or not MUNICIPALITY.fullmatch(code):
        from ubu_tui.i18n import _

        # the value is not repeated: a personal identity number typed here must not be echoed
        raise InputRejected(_("Kommunkoden är fyra siffror, till exempel 0180."))
    return code
