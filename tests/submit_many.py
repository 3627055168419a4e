"""One of several processes submitting follow-ups at once (the concurrency test).

Each follow-up is saved as a draft after every session, then submitted, as the app does.
Prints `ready` once the store is open and the instrument loaded, then waits for a line on
stdin, so that the test starts every writer at the same moment (a process start costs more
than its follow-ups, so writers started one after another would hardly overlap). Prints
`submitted <id>` per follow-up; any error is printed on one line and exits 1.

A step that finds the SQLite file locked is tried again, as a caseworker does on the app's
"locked by another program … try again. Nothing was lost." message: each try already waits
for the lock (busy_timeout), and eight writers with durable commits on a busy machine can
outlast it. The deadline is generous; every retry is printed (`retried <step>`) so the test
can show how often it happened. Any other error is not retried.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

from tests.helpers import complete_all
from ubu_tui.errors import StoreError, UbuError
from ubu_tui.instrument import default_instrument
from ubu_tui.interview import FollowUp, Mode, Setup
from ubu_tui.store import open_store
from ubu_tui.store.drafts import save_draft
from ubu_tui.store.submissions import submit

DEADLINE = 600.0      # seconds one step may keep finding the database locked
T = TypeVar("T")


def patiently(name: str, step: Callable[[], T]) -> T:
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            return step()
        except StoreError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            print(f"retried {name}", flush=True)


def main(url: str, count: int, worker: int) -> None:
    engine = patiently("open", lambda: open_store(url))
    instrument = default_instrument()
    print("ready", flush=True)
    sys.stdin.readline()                  # the test's "go", sent to every writer at once
    for n in range(count):
        followup = FollowUp.open(instrument, Setup("0180", 1001 + (worker + n) % 12,
                                                   Mode.IN_PERSON, 2, 16, 3, True))
        patiently("draft", lambda f=followup: save_draft(engine, f, "Blå ek 1"))
        complete_all(followup)
        patiently("draft", lambda f=followup: save_draft(engine, f, "Blå ek 1"))
        patiently("submit", lambda f=followup: submit(engine, f))
        print(f"submitted {followup.id}", flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    except UbuError as err:
        print(f"error: {err}", flush=True)
        sys.exit(1)
