"""Keys typed into the set-up form: CPU and layout passes per key.

    python -m ubu_tui.scripts.bench_setup [--rounds 20] [--profile]

Drives the app headless (Textual's test driver) at 80×24: `n` on the home screen, then the
set-up form as a caseworker fills it in (municipality, both dates, the legal basis from its
drop-down, the age, the unit from the picker), key by key, each one handled and drawn before
the next is sent. Prints per key, over every key of every round: the CPU time (user + system
of this process, which is the app's), how many full layout passes the screen made
(`Screen._refresh_layout`), how many times the compositor arranged the screen
(`Compositor.reflow`), and how many times a widget's styles were worked out again. The keys that
open or close a screen (`n`, F4, Enter in the picker, Escape) are reported apart: they are
meant to lay out a screen. `--profile` prints the functions that cost most over all rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

# municipality (as if not given on the command line), dates, the legal basis's drop-down,
# the age, the unit picker
FORM = [*"0180", "tab", *"2026-06-01", "tab", *"2026-11-10", "tab", "enter", "down", "down",
        "enter", "tab", *"16"]
PICKER = ["f4", *"älv", "enter"]
SCREEN_KEYS = {"n", "f4", "escape"}


@dataclass
class Tally:
    cpu: dict[str, list[float]] = field(default_factory=lambda: {"form": [], "screen": []})
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {"form": Counter(), "screen": Counter()})
    # (key, layout passes, styles worked out)
    by_key: list[tuple[str, int, int]] = field(default_factory=list)


def _count_calls(counter: Counter[str]) -> list[tuple[object, str, object]]:
    """Wrap the functions whose calls are counted; returns what to put back."""
    from textual._compositor import Compositor
    from textual.css.stylesheet import Stylesheet
    from textual.screen import Screen

    patched: list[tuple[object, str, object]] = []
    for owner, name, label in ((Screen, "_refresh_layout", "layout"),
                               (Compositor, "reflow", "reflow"),
                               (Stylesheet, "apply", "restyle")):
        original = getattr(owner, name)

        def wrapper(*args: object, _original: object = original, _label: str = label,
                    **kwargs: object) -> object:
            counter[_label] += 1
            return _original(*args, **kwargs)  # type: ignore[operator]

        setattr(owner, name, wrapper)
        patched.append((owner, name, original))
    return patched


async def one_round(tally: Tally, counter: Counter[str]) -> None:
    from textual import events
    from textual.pilot import Pilot

    from ubu_tui.app import UbuApp, make_app
    from ubu_tui.config import Settings
    from ubu_tui.resources import data_dir
    from ubu_tui.store import open_store
    from ubu_tui.store.registry import import_units

    engine = open_store("sqlite://")
    import_units(engine, data_dir() / "registry" / "demo-units.csv")
    app = make_app(Settings(), engine=engine, today=date(2026, 11, 22))
    chars = {"tab": "\t", "enter": "\r", "escape": "\x1b"}

    async def send(pilot: Pilot[None], ubu: UbuApp, key: str) -> None:
        kind = "screen" if key in SCREEN_KEYS or (key == "enter" and type(
            ubu.screen).__name__ == "UnitPicker") else "form"
        counter.clear()
        started = time.process_time()
        ubu.post_message(events.Key(key, chars.get(key, key if len(key) == 1 else None)))
        for _ in range(200):
            await pilot.pause()
            if not ubu.keys_held() and ubu._message_queue.empty():
                break
        tally.cpu[kind].append(time.process_time() - started)
        tally.counts[kind].update(counter)
        tally.counts[kind]["keys"] += 1
        tally.by_key.append((key, counter["layout"], counter["restyle"]))

    async with app.run_test(size=(80, 24)) as pilot:
        while not app.store_ready:
            await pilot.pause(0.02)
        await pilot.pause()
        for key in ["n", *FORM, *PICKER]:
            await send(pilot, app, key)
        if type(app.screen).__name__ != "SetupScreen" or "✔" not in str(
                app.screen.query_one("#eligibility").render()):
            raise RuntimeError("the set-up form was not filled in as the bench expects")
        await send(pilot, app, "escape")
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--by-key", action="store_true",
                        help="also print, for each key of the last round, its layout passes "
                             "and how many styles were worked out")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    tally = Tally()
    counter: Counter[str] = Counter()
    asyncio.run(one_round(Tally(), Counter()))           # warm-up: imports, caches
    if not args.profile:         # counting wrappers would clutter the profile
        _count_calls(counter)
    profile = cProfile.Profile() if args.profile else None
    for _ in range(args.rounds):
        if profile:
            profile.enable()
        asyncio.run(one_round(tally, counter))
        if profile:
            profile.disable()
    for kind, label in (("form", "keys typed into the form"),
                        ("screen", "keys that open or close a screen")):
        cpu = sorted(tally.cpu[kind])
        counts = tally.counts[kind]
        keys = counts["keys"]
        print(f"{label} (n = {keys}): CPU per key median {statistics.median(cpu) * 1e3:.2f} ms, "
              f"mean {statistics.fmean(cpu) * 1e3:.2f} ms, "
              f"p90 {cpu[int(0.9 * (len(cpu) - 1))] * 1e3:.2f} ms; per key: "
              f"{counts['layout'] / keys:.2f} layout passes, {counts['reflow'] / keys:.2f} "
              f"reflows, {counts['restyle'] / keys:.1f} styles worked out")
    if args.by_key:
        keys_per_round = len(tally.by_key) // args.rounds
        print("key:layout passes/styles worked out, last round:", " ".join(
            f"{key}:{n}/{styled}" for key, n, styled in tally.by_key[-keys_per_round:]))
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
