"""Errors a user can act on. The command line prints them and exits 2; the UI shows them."""

from __future__ import annotations


class UbuError(Exception):
    """An error with a message meant for a person: what, where, what to do."""

    exit_code = 2


class InstrumentError(UbuError):
    """An instrument file breaks a rule."""

    def __init__(self, rule: str, *, file: str = "", line: int | None = None,
                 item: str | None = None) -> None:
        self.rule, self.file, self.line, self.item = rule, file, line, item
        where = file + (f":{line}" if line else "") if file else ""
        from ubu_tui.i18n import _

        parts = [p for p in (where, _("fråga {item}").format(item=item) if item else "") if p]
        super().__init__(f"{': '.join(parts)}: {rule}" if parts else rule)


class StoreError(UbuError):
    """The database cannot be used as asked; nothing was changed."""


class InputRejected(UbuError):
    """A value typed or imported is not allowed (for example a personal identifier)."""


SHOWN = 10      # problems of a refused file named one by one; the rest are counted


def nothing_imported(problems: list[str]) -> InputRejected:
    """The refusal of a whole file: its first problems, each naming its line, and how many more."""
    from ubu_tui.i18n import _, ngettext

    more = len(problems) - SHOWN
    lines = problems[:SHOWN] + ([ngettext("… och {n} problem till", "… och {n} problem till",
                                          more).format(n=more)] if more > 0 else [])
    return InputRejected(_("Ingenting importerades:\n{errors}").format(errors="\n".join(lines)))
