"""One of several processes submitting follow-ups at once (the concurrency test).

Each follow-up is saved as a draft after every session, then submitted, as the app does.
Prints `submitted <id>` per follow-up; any error is printed on one line and exits 1.
"""

from __future__ import annotations

import sys

from tests.helpers import complete_all
from ubu_tui.errors import UbuError
from ubu_tui.instrument import default_instrument
from ubu_tui.interview import FollowUp, Mode, Setup
from ubu_tui.store import open_store
from ubu_tui.store.drafts import save_draft
from ubu_tui.store.submissions import submit


def main(url: str, count: int, worker: int) -> None:
    engine = open_store(url)
    instrument = default_instrument()
    for n in range(count):
        followup = FollowUp.open(instrument, Setup("0180", 1001 + (worker + n) % 12,
                                                   Mode.IN_PERSON, 2, 16, 3, True))
        save_draft(engine, followup, "Blå ek 1")
        complete_all(followup)
        save_draft(engine, followup, "Blå ek 1")
        submit(engine, followup)
        print(f"submitted {followup.id}", flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    except UbuError as err:
        print(f"error: {err}", flush=True)
        sys.exit(1)
