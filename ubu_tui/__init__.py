"""ubu-tui: the UBU follow-up interview in the terminal."""

__version__ = "0.1.0"
