"""Start-up alone, beside the minimal Textual app: prints figures, asserts nothing.

    python -m ubu_tui.scripts.bench_start [--rounds 10] [--tree OTHER_CHECKOUT]

Starts the real `ubu` command in a pseudo-terminal (80×24) and times start → home screen drawn
("Ny uppföljning") and start → store open with the drafts counted ("Utkast:"), interleaved with
the minimal app (ubu_tui/scripts/minimal_app.py) so that the load of a shared machine falls on
both alike. CPU seconds (user + system) of each process at the moment it got there are printed
beside the wall clock, and the load average, since wall clock alone says little on a busy host.

`--tree` also times another checkout's `ubu_tui` (e.g. an export of main) with the same Python,
interleaved in the same rounds: before and after, back to back.

`--key` also times start → a key pressed at once (`n`, before anything is drawn) served: the
set-up screen shown ("Ny uppföljning" then "Placeringen").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from ubu_tui.scripts.bench import PtyProcess, env_for, minimal_argv, prepare_store


def ubu_argv() -> list[str]:
    # -P: `-m` would otherwise put the working directory first on the path, ahead of the
    # PYTHONPATH that --tree sets, and time this checkout twice
    return [sys.executable, "-P", "-m", "ubu_tui"]


def _one(argv: list[str], env: dict[str, str], marks: list[str],
         key: str | None = None) -> list[tuple[float, float]]:
    """(wall s, CPU s) from the start to each mark in turn."""
    proc = PtyProcess(argv, env)
    got = []
    try:
        if key:
            proc.send(key)
        for mark in marks:
            at = proc.wait_for(mark, timeout=60)
            got.append((at - proc.started, proc.cpu_ms() / 1000))
    finally:
        proc.close()
    return got


def bytecode_state() -> str:
    """Whether ubu's modules start from compiled bytecode: without it (this environment sets
    PYTHONDONTWRITEBYTECODE=1 and a checkout has no __pycache__) every start compiles them,
    0.05-0.07 CPU s more, which an installed wheel does not pay."""
    import importlib.util

    import ubu_tui

    package = Path(ubu_tui.__file__).parent
    sources = sorted(package.rglob("*.py"))
    cached = sum(Path(importlib.util.cache_from_source(str(s))).exists() for s in sources)
    writes = "not written" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "written at start"
    return (f"bytecode on disk for {cached} of {len(sources)} ubu_tui modules ({writes}; "
            "`python -m compileall ubu_tui` compiles them as a wheel install does)")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tree", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--key", action="store_true",
                        help="also time `n` pressed at once → set-up screen shown")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        prepare_store(url)
        env = env_for(url)
        runs: dict[str, tuple[list[str], dict[str, str], list[str], str | None]] = {
            "minimal": (minimal_argv(), env, ["Ny uppföljning"], None),
            "ubu": (ubu_argv(), env, ["Ny uppföljning", "Utkast:"], None),
        }
        if args.key:
            runs["ubu, n at once"] = (ubu_argv(), env, ["Ny uppföljning", "Placeringen"], "n")
        if args.tree:
            other = {**env, "PYTHONPATH": str(args.tree.resolve())}
            runs["other tree"] = (ubu_argv(), other, ["Ny uppföljning", "Utkast:"], None)
            if args.key:
                runs["other, n at once"] = (ubu_argv(), other, ["Ny uppföljning", "Placeringen"],
                                            "n")
        got: dict[str, list[list[tuple[float, float]]]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, (command, environ, marks, key) in runs.items():
                got[name].append(_one(command, environ, marks, key))
    load_after = os.getloadavg()
    base = _median([r[0][0] for r in got["minimal"]])
    print(f"machine: {os.cpu_count()} cores, load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after; Python {sys.version.split()[0]}; {args.rounds} rounds, "
          "medians")
    print(f"{bytecode_state()}\n")
    print("| run                | mark            |  wall s | ratio to minimal | CPU s |")
    print("|--------------------|-----------------|---------|------------------|-------|")
    for name, (_, _, marks, _) in runs.items():
        for i, mark in enumerate(marks):
            wall = _median([r[i][0] for r in got[name]])
            cpu = _median([r[i][1] for r in got[name]])
            print(f"| {name:<18} | {mark:<15} | {wall:7.3f} | {wall / base:15.2f}× | "
                  f"{cpu:5.2f} |")


if __name__ == "__main__":
    main()
