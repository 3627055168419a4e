"""The instrument: items, options, routing and indices, loaded from versioned data files.

The names below load their module on first use: the set-up screen needs only the model's
enums (through the interview session's mode labels), not the loader and the identifier
checks behind it, on its way to the screen after a key pressed at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ubu_tui.instrument.loader import default_instrument, load_instrument
    from ubu_tui.instrument.model import (
        NONRESPONSE,
        RESPONDENTS,
        AnswerType,
        Form,
        Index,
        Instrument,
        Item,
        Option,
    )

_WHERE = {
    "default_instrument": "loader", "load_instrument": "loader",
    "NONRESPONSE": "model", "RESPONDENTS": "model", "AnswerType": "model", "Form": "model",
    "Index": "model", "Instrument": "model", "Item": "model", "Option": "model",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(name)  # the import protocol's, for a developer: no wording
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "NONRESPONSE", "RESPONDENTS", "AnswerType", "Form", "Index", "Instrument", "Item", "Option",
    "default_instrument", "load_instrument",
]
