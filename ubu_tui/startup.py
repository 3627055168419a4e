"""Start-up without the cyclic garbage collector, for the interactive app only.

Importing Textual and building the first screens allocates a few hundred thousand objects,
and the collector ran a hundred and twenty times over them before set-up was shown to a key
pressed at start-up: about a tenth of the CPU the caseworker waited for, finding less than
three thousand unreachable objects. The command holds the collector from its first line; the
app lets it go once the keys typed at start-up have been served, and freezes what start-up
built first (`gc.freeze`: kept for good, never scanned again), so that later collections,
between keys, do not walk it either. Other commands get the collector back at once.
"""

from __future__ import annotations

import gc

_held = False


def hold_collector() -> None:
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector(*, freeze: bool) -> None:
    """Collect as usual again (only if `hold_collector` stopped it)."""
    global _held
    if _held:
        _held = False
        if freeze:
            gc.freeze()
        gc.enable()
