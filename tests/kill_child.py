"""A scripted interviewer for the kill tests: resumes the one draft and keeps answering.

After each durable save it prints `ok <followup id> <item id> <code>`; the parent kills it with
SIGKILL at a random moment and checks that every printed answer is in the draft.
"""

from __future__ import annotations

import random
import sys

from tests.helpers import first_answer
from ubu_tui.instrument import default_instrument
from ubu_tui.interview import Consent, FollowUp, Mode, Response, Setup
from ubu_tui.store import open_store
from ubu_tui.store.drafts import list_drafts, load_draft, save_draft
from ubu_tui.store.submissions import submit


def main(url: str, seed: int) -> None:
    rng = random.Random(seed)
    engine = open_store(url)
    drafts = list_drafts(engine)
    if drafts:
        followup, label = load_draft(engine, drafts[0].id)
    else:
        followup = FollowUp.open(default_instrument(),
                                 Setup("0180", 1003, Mode.PHONE, 2, 16, 3, True))
        label = "Vit hassel 4"
        save_draft(engine, followup, label)
    while True:
        open_sessions = followup.open_sessions()
        if not open_sessions:
            submit(engine, followup)
            print(f"submitted {followup.id}", flush=True)
            followup = FollowUp.open(default_instrument(),
                                     Setup("0180", 1003, Mode.PHONE, 2, 16, 3, True))
            save_draft(engine, followup, label)
            continue
        session = followup.session(open_sessions[0])
        if session.consent is None:
            session.set_consent(Consent.GIVEN)
        item = session.current
        if item is None:
            session.complete()
            save_draft(engine, followup, label)
            continue
        response = first_answer(item)
        if item.type.value == "scale":
            response = Response(rng.randint(1, 5))
        session.answer(response)
        save_draft(engine, followup, label)
        print(f"ok {followup.id} {item.id} {response.code}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
