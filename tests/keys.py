"""Typing at full speed: every key of a sequence sent at once, then wait until all have landed."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot

from ubu_tui.app import UbuApp
from ubu_tui.instrument.model import NONRESPONSE, AnswerType, Form, Item
from ubu_tui.interview.session import Consent, RespondentSession, Response
from ubu_tui.widgets.question import NONRESPONSE_KEYS

CHARS = {"tab": "\t", "enter": "\r", "escape": "\x1b", "backspace": "\x7f", "space": " ",
         "minus": "-"}


def key_event(key: str) -> events.Key:
    if key == "-":
        key = "minus"
    char = CHARS.get(key, key if len(key) == 1 else None)
    return events.Key(key, char)


async def burst(pilot: Pilot, app: UbuApp, keys: list[str]) -> None:
    """Send every key before the app has handled the first: no pause between them."""
    for key in keys:
        app.post_message(key_event(key))
    for _ in range(200):           # wait for a condition: every key handled, nothing held
        await pilot.pause()
        if not getattr(app, "keys_held", lambda: False)() and app._message_queue.empty():
            return
    raise AssertionError("keys still held after 200 pauses")


def choose(item: Item, n: int, blank_every: int = 0) -> Response:
    """A varied answer per item so that a key landing on the wrong item shows."""
    if blank_every and n % blank_every == blank_every - 1 and "refused" in item.nonresponse:
        return Response(NONRESPONSE["refused"].code)   # left blank on paper
    if item.type is AnswerType.SCALE or item.type is AnswerType.SINGLE:
        codes = [o.code for o in item.options]
        return Response(codes[n % len(codes)])
    raise NotImplementedError(item.type)


def keys_for(response: Response, *, enter_confirms: bool = False) -> list[str]:
    if response.code < 0:
        key = next(k for k, nr in NONRESPONSE.items() if nr.code == response.code)
        first = NONRESPONSE_KEYS[key]
    else:
        first = str(response.code)
    return [first] + (["enter"] if enter_confirms else [])


def plan(form: Form, *, blank_every: int = 0, enter_confirms: bool = False,
         ) -> tuple[list[str], dict[str, Response]]:
    """Keys and expected answers for a whole part, following its routing like the app does."""
    session = RespondentSession(form)
    session.set_consent(Consent.GIVEN)
    keys: list[str] = []
    n = 0
    while (item := session.current) is not None:
        response = choose(item, n, blank_every)
        n += 1
        keys += keys_for(response, enter_confirms=enter_confirms)
        option = item.option(response.code)
        if item.sensitive and option is not None and option.alert:
            keys.append("enter")      # the notice about the ordinary procedure
        session.answer(response)
    return keys, dict(session.responses)
