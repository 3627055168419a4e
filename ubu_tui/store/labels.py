"""Draft labels: picked from word lists, never typed, so that no name can become a label.

A caseworker needs to find a draft again, but whatever is typed into such a field tends to be
the young person's name. A label like "Blå ek 17" is easy to note in the case file and says
nothing about anyone.
"""

from __future__ import annotations

import re
import secrets

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _
from ubu_tui.identifiers import identifier_in

COLOURS = ("Blå", "Grön", "Röd", "Gul", "Vit", "Svart", "Grå", "Brun", "Rosa", "Lila")
TREES = ("ek", "björk", "gran", "tall", "lönn", "ask", "alm", "asp", "rönn", "lind", "sälg",
         "hassel")
MAX_LABEL = 24
_LABEL = re.compile(rf"({'|'.join(COLOURS)}) ({'|'.join(TREES)}) ([1-9][0-9]?)")


def new_label() -> str:
    return f"{secrets.choice(COLOURS)} {secrets.choice(TREES)} {secrets.randbelow(99) + 1}"


def check_label(label: str) -> str:
    """Return the label if allowed, else raise InputRejected saying why."""
    label = label.strip()
    kind = identifier_in(label)
    if kind:
        raise InputRejected(_("Utkastets etikett innehåller {kind}; en etikett får aldrig kunna "
                              "peka ut en person.").format(kind=kind))
    if len(label) > MAX_LABEL or not _LABEL.fullmatch(label):
        raise InputRejected(_("'{label}' är ingen utkastetikett; etiketter är en färg, ett träd "
                              "och ett nummer (till exempel 'Blå ek 17') som ubu väljer, så att "
                              "inget namn någonsin sparas.").format(label=label[:MAX_LABEL]))
    return label
