"""How an interview is held. Apart from the session so that set-up, which offers the modes,
does not import the session and the instrument model on its way to the screen."""

from __future__ import annotations

from enum import IntEnum

from ubu_tui.i18n import N_


class Mode(IntEnum):
    IN_PERSON = 1
    PHONE = 2
    INTERPRETER = 3          # with an interpreter, in person
    PAPER = 4
    PHONE_INTERPRETER = 5    # by phone with an interpreter (from 2026.2; longer than either)


MODE_LABELS: dict[Mode, str] = {
    Mode.IN_PERSON: N_("På plats"),
    Mode.PHONE: N_("Telefon"),
    Mode.INTERPRETER: N_("Med tolk"),
    Mode.PHONE_INTERPRETER: N_("Telefon med tolk"),
    Mode.PAPER: N_("Pappersformulär, registrerat i efterhand"),
}
