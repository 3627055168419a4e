"""Type-ahead for the App: keys typed faster than the screens change are held, never lost.

Textual hands a key to whatever has focus when the key arrives. A screen that was just pushed
has not composed yet, an input that Tab is moving to has not had its focus event yet, and the
home screen may still wait for the store: a key arriving then went to the wrong place or nowhere
(the pilot found "026-09-012", SoL for LVU, age 6 for 16). So the App takes one key at a time:
after each key it holds the next ones until the screen the key led to is mounted and every
widget on it has handled all it was sent; then it hands on the next held key.

While a key that found the app idle is being served, Python's cyclic garbage collector waits:
a collection that falls due then (most keys allocate enough for one, and with the store's
modules loaded a full one took tens of milliseconds) runs once the key has settled, after the
screen it led to is drawn, instead of between the key and that screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections import deque
from collections.abc import Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

SETTLE_ROUNDS = 50      # a bound, never reached in practice: a key's effects settle in a few
# A widget removed while we wait never runs its callback; a wait gives up after this and looks
# again, so a held key is late at worst, never stuck.
PATIENCE = 0.5


async def _within(waiting: Coroutine[Any, Any, Any]) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(waiting, PATIENCE)


def _parked(pump: MessagePump) -> bool:
    """True when the pump has handled all it was sent and waits for more.

    Such a pump needs no callback to prove it: sending one to every widget after every key
    (and an idle pass in each that follows it) cost more than the key's own work. Read from
    Textual's queue (its loop waits on `ready_event` only with nothing queued and nothing being
    handled); should that ever change, the pump counts as busy and gets a callback as before.
    """
    queue: asyncio.Queue[object] = pump._message_queue
    if not queue.empty() or getattr(pump, "_pending_message", None) is not None:
        return False
    waiters = getattr(getattr(queue, "ready_event", None), "_waiters", None) or ()
    return any(not w.done() for w in waiters)


class TypeAhead:
    """Mixin for the App. A screen that cannot take keys yet says so with `takes_keys`."""

    _held: deque[events.Key]
    _settling: bool
    _settle_task: asyncio.Task[None] | None = None
    _gc_paused = False

    def _typeahead_init(self) -> None:
        self._held = deque()
        self._settling = False
        self._keys_free = asyncio.Event()   # set whenever a screen stops waiting for the store

    def keys_held(self) -> bool:
        """True while a key is being settled or keys wait their turn (tests wait on this)."""
        return self._settling or bool(self._held)

    def keys_may_flow(self) -> None:
        """Something a screen waited for (the store) is there: look again."""
        self._keys_free.set()

    async def _typeahead_key(self, event: events.Key) -> bool:
        """Take a key from the terminal; True when it was held (the caller stops there)."""
        if self._settling or self._held:
            self._held.append(event)
            return True
        self._settling = True
        self._pause_gc()
        self._settle_soon()
        return False

    def _pause_gc(self) -> None:
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()
            # Python collects when an allocation finds the count over its threshold: make one
            # now, so that what was put off is collected here and not when the next key comes
            _ = [[]]

    def _settle_soon(self) -> None:
        # a bare task, not a worker: a worker posts state messages of its own on every key
        task = asyncio.create_task(self._settle())
        self._settle_task = task            # held, so that it is not collected mid-way
        task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._resume_gc()
        if not task.cancelled() and task.exception() is not None:
            app: App[None] = self  # type: ignore[assignment]
            app._handle_exception(task.exception())  # type: ignore[arg-type]

    async def _settle(self) -> None:
        app: App[None] = self  # type: ignore[assignment]
        for _ in range(SETTLE_ROUNDS):
            await self._drain()
            screen = app.screen
            if not screen.is_mounted:
                await _within(screen._mounted_event.wait())
                continue
            if not getattr(screen, "takes_keys", True):
                self._keys_free.clear()
                if not getattr(screen, "takes_keys", True):
                    await _within(self._keys_free.wait())
                continue
            if not self._busy(screen):
                break
        app.call_later(self._release)

    def _pumps(self) -> list[MessagePump]:
        app: App[None] = self  # type: ignore[assignment]
        return [app, *app.screen.walk_children(with_self=True)]

    def _busy(self, screen: MessagePump) -> bool:
        """True while the key's effects may still move focus or change the screen.

        An empty queue is not enough: a pump that has taken its last message out may still be
        handling it, or running its idle pass (the screen's layout, which moves focus off a
        widget that was just hidden), across an await. Only a parked pump is done. A full run
        of the suite at load 10 once lost "16" typed into the age field right after a Select
        had closed: the key was handed on while such work was under way.
        """
        app: App[None] = self  # type: ignore[assignment]
        if app.screen is not screen or getattr(screen, "_callbacks", None):
            return True     # another screen now, or callbacks waiting for the next refresh
        return any(not (_parked(p) or p._closing or p._closed) for p in self._pumps())

    async def _drain(self) -> None:
        """Wait until every pump of the app and the current screen has handled its queue."""
        left = 0
        done = asyncio.Event()

        def one_done() -> None:
            nonlocal left
            left -= 1
            if left == 0:
                done.set()

        # One ready-made callback for every pump: `call_later` would wrap it anew for each and
        # Textual would then read its signature once per pump, on every key.
        done_once = partial(one_done)
        done_once._param_count = 0  # type: ignore[attr-defined]
        for pump in self._pumps():
            if not _parked(pump) and pump.post_message(events.Callback(callback=done_once)):
                left += 1
        if left:
            await _within(done.wait())

    async def _release(self) -> None:
        app: App[None] = self  # type: ignore[assignment]
        self._settling = False
        if self._held:
            event = self._held.popleft()
            self._settling = True
            self._settle_soon()
            await App.on_event(app, event)   # the App's own handling: not held again
