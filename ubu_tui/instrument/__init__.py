"""The instrument: items, options, routing and indices, loaded from versioned data files."""

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

__all__ = [
    "NONRESPONSE", "RESPONDENTS", "AnswerType", "Form", "Index", "Instrument", "Item", "Option",
    "default_instrument", "load_instrument",
]
