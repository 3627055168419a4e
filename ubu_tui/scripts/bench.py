"""Benchmarks that print figures; tests never time anything.

    python -m ubu_tui.scripts.bench [--rounds N]

Runs the real `ubu` command in a pseudo-terminal (80×24), types a youth interview and times
each keypress until the next item's text has been written to the terminal; does the same with a
minimal Textual app that redraws one line per key; keys per answered item over a whole
follow-up and keys for a paper form (`bench_keys`). Also: cold start to the home screen, autosave
latency with durable commits, and peak memory of the interview process.

    python -m ubu_tui.scripts.bench --keys 200 [--load 2]

Every keypress figure is printed beside the minimal app's in the same run, as a ratio, with n
and a true p99 (youth interviews are repeated until at least --keys presses of each kind), and
the CPU time (user + system) each process spent per key beside it. The minimal app is timed
after every interview and every cold start (interleaved), so that the changing load of a shared
machine falls on both alike.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from ubu_tui.instrument import default_instrument
from ubu_tui.instrument.model import AnswerType, Item


class PtyProcess:
    """A command in a pseudo-terminal whose output we can wait on."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True, start_new_session=True)
        os.close(slave)
        self.master = master
        self.buffer = ""

    def send(self, data: str) -> float:
        os.write(self.master, data.encode())
        return time.perf_counter()

    def wait_for(self, needle: str, timeout: float = 20.0) -> float:
        """Read until `needle` has been written; return the moment it arrived."""
        deadline = time.perf_counter() + timeout
        while True:
            at = self.buffer.find(needle)
            if at >= 0:
                self.buffer = self.buffer[at + len(needle):]
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{needle!r} not shown; last output: {self.buffer[-300:]!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                self.buffer += chunk.decode("utf-8", "replace")

    def drain(self, quiet: float = 0.05) -> None:
        while select.select([self.master], [], [], quiet)[0]:
            try:
                os.read(self.master, 65536)
            except OSError:
                return
        self.buffer = ""

    def cpu_ms(self) -> float:
        """CPU time (user + system) the process has used so far, in ms."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def peak_memory_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "TERM": "xterm-256color", "UBU_DATABASE_URL": url,
            "UBU_MUNICIPALITY": "0180", "COLUMNS": "80", "LINES": "24"}


def ubu_argv() -> list[str]:
    return [sys.executable, "-m", "ubu_tui"]


def minimal_argv() -> list[str]:
    return [sys.executable, "-m", "ubu_tui.scripts.minimal_app"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def cold_start(argv: list[str], url: str, rounds: int,
               then: str | None = None) -> tuple[list[float], list[float]]:
    """Seconds to the home screen drawn, and (with `then`) to that text shown too."""
    drawn, ready = [], []
    for _ in range(rounds):
        proc = PtyProcess(argv, env_for(url))
        try:
            drawn.append(proc.wait_for("Ny uppföljning") - proc.started)
            if then:
                ready.append(proc.wait_for(then) - proc.started)
        finally:
            proc.close()
    return drawn, ready


def key_for(item: Item) -> str:
    if item.type is AnswerType.SCALE:
        return "4"
    if item.id == "y_violation":
        return "2"
    return "1"


def prepare_store(url: str) -> None:
    from ubu_tui.interview import FollowUp, Mode, Setup
    from ubu_tui.resources import data_dir
    from ubu_tui.store import open_store
    from ubu_tui.store.drafts import list_drafts, save_draft
    from ubu_tui.store.registry import import_units

    engine = open_store(url)
    import_units(engine, data_dir() / "registry" / "demo-units.csv")
    for draft in list_drafts(engine):
        from ubu_tui.store.drafts import discard_draft

        discard_draft(engine, draft.id)
    followup = FollowUp.open(default_instrument(), Setup("0180", 1003, Mode.IN_PERSON, 2, 16,
                                                         3, True))
    save_draft(engine, followup, "Blå ek 1")
    engine.dispose()


def interview_latency(url: str, *, one_key: bool = False
                      ) -> tuple[list[float], list[float], list[float], float, float]:
    """Type one youth interview: times in ms, peak memory in MB, CPU ms per key typed.

    With Enter confirming (`one_key=False`): digit → choice shown, Enter → next item shown,
    last Enter → review shown. In the default one-key mode a digit confirms at once: the first
    list is then empty and the second is digit → next item shown (its save follows it).
    """
    prepare_store(url)
    env = env_for(url) if one_key else {**env_for(url), "UBU_ENTER_CONFIRMS": "1"}
    proc = PtyProcess(ubu_argv(), env)
    select_ms: list[float] = []
    next_ms: list[float] = []
    review_ms: list[float] = []
    try:
        proc.wait_for("Utkast:")               # the store is open
        proc.send("r")
        proc.wait_for("Blå ek 1")
        proc.drain()
        proc.send("\r")
        proc.wait_for("inte påbörjad")
        proc.drain()
        proc.send("1")
        proc.wait_for("samtycke")
        proc.drain()
        proc.send("1")
        proc.drain()
        proc.send("\r")
        items = list(default_instrument().forms["youth"].items)
        proc.wait_for(items[0].id)
        proc.drain()
        cpu_before = proc.cpu_ms()
        for n, item in enumerate(items):
            key = key_for(item)
            sent = proc.send(key)
            if not one_key:
                select_ms.append((proc.wait_for(f"▶ {key}") - sent) * 1000)
                proc.drain(0.02)
                sent = proc.send("\r")
            marker = items[n + 1].id if n + 1 < len(items) else "översikt"
            if item.id == "y_violation" and key == "1":
                marker = "personakten"
            elapsed = (proc.wait_for(marker) - sent) * 1000
            (next_ms if n + 1 < len(items) else review_ms).append(elapsed)
            proc.drain(0.02)
        cpu_per_key = (proc.cpu_ms() - cpu_before) / (len(items) * (1 if one_key else 2))
        memory = proc.peak_memory_mb()
    finally:
        proc.close()
    return select_ms, next_ms, review_ms, memory, cpu_per_key


def minimal_latency(url: str, keys: int) -> tuple[list[float], float]:
    """Key → new line shown in the minimal app (ms), and its CPU ms per key."""
    proc = PtyProcess(minimal_argv(), env_for(url))
    times = []
    try:
        proc.wait_for("Ny uppföljning")
        proc.drain()
        cpu_before = proc.cpu_ms()
        for n in range(1, keys + 1):
            sent = proc.send("x")
            times.append((proc.wait_for(f"item_{n:03d}") - sent) * 1000)
            proc.drain(0.02)
        cpu_per_key = (proc.cpu_ms() - cpu_before) / keys
    finally:
        proc.close()
    return times, cpu_per_key


def autosave(url: str) -> list[float]:
    """Durable draft saves (SQLite WAL, synchronous=FULL) across a full three-part interview."""
    from ubu_tui.interview import Consent, FollowUp, Mode, Response, Setup
    from ubu_tui.store import open_store
    from ubu_tui.store.drafts import save_draft

    engine = open_store(url)
    followup = FollowUp.open(default_instrument(), Setup("0180", 1003, Mode.IN_PERSON, 2, 16,
                                                         3, True))
    times = []
    for session in followup.sessions.values():
        session.set_consent(Consent.GIVEN)
        while session.current is not None:
            item = session.current
            if item.type is AnswerType.MULTI:
                response = Response(1, ((1, 1),))
            elif item.type in (AnswerType.AGE, AnswerType.UNIT):
                response = session.responses[item.id]
            else:
                response = Response(int(key_for(item)))
            session.answer(response)
            start = time.perf_counter()
            save_draft(engine, followup, "Blå ek 2")
            times.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return times


def row(name: str, values: list[float], unit: str = "ms") -> str:
    return (f"| {name:<50} | {statistics.median(values):>9.1f} | {pct(values, 0.99):>9.1f} | "
            f"{len(values):>5} | {unit:<4} |")


def ratio_row(name: str, ubu: list[float], yardstick: list[float]) -> str:
    """ubu beside the minimal app: medians, true p99s (from n keys each) and their ratios."""
    um, yp = statistics.median(ubu), pct(yardstick, 0.99)
    ym, up = statistics.median(yardstick), pct(ubu, 0.99)
    return (f"| {name:<36} | {um:>7.1f} | {ym:>7.1f} | {um / ym:>5.2f}× | {up:>7.1f} | "
            f"{yp:>7.1f} | {up / yp:>5.2f}× | {len(ubu):>4} |")


def busy(n: int) -> list[subprocess.Popen[bytes]]:
    """n CPU-bound processes beside the measurement (`yes > /dev/null`)."""
    return [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(n)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="cold starts per app")
    parser.add_argument("--keys", type=int, default=200, help="at least this many keypresses "
                        "of each kind (youth interviews are repeated), for a true p99")
    parser.add_argument("--load", type=int, default=0, metavar="N",
                        help="run N busy processes (yes > /dev/null) beside the measurement")
    parser.add_argument("--results", type=int, metavar="N", default=0,
                        help="also time the results over N synthetic follow-ups "
                        "(100000 for national scale; the data set is kept in /tmp)")
    parser.add_argument("--postgres", help="with --results: also on this PostgreSQL URL "
                        "(a scratch database)")
    args = parser.parse_args(argv)
    load = busy(args.load)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            prepare_store(url)
            ubu_start: list[float] = []
            ubu_ready: list[float] = []
            min_start: list[float] = []
            for _ in range(args.rounds):           # interleaved, like the keys below
                drawn, ready = cold_start(ubu_argv(), url, 1, then="Utkast:")
                ubu_start += drawn
                ubu_ready += ready
                min_start += cold_start(minimal_argv(), url, 1)[0]
            select_ms: list[float] = []
            next_ms: list[float] = []
            review_ms: list[float] = []
            memory = 0.0
            one_key_ms: list[float] = []
            cpu_enter: list[float] = []
            cpu_one: list[float] = []
            min_keys: list[float] = []
            min_cpu: list[float] = []

            def yardstick(keys: int) -> None:
                # after every interview, as many keys in the minimal app: the load of a
                # shared machine changes by the minute, and so hits both alike
                times, cpu = minimal_latency(url, keys)
                min_keys.extend(times)
                min_cpu.append(cpu)

            while min(len(select_ms), len(next_ms)) < args.keys:
                chosen, following, review, peak, cpu = interview_latency(url)
                select_ms += chosen
                next_ms += following
                review_ms += review
                memory = max(memory, peak)
                cpu_enter.append(cpu)
                yardstick(len(following) + len(review))
            while len(one_key_ms) < args.keys:
                _, following, _, _, cpu = interview_latency(url, one_key=True)
                one_key_ms += following
                cpu_one.append(cpu)
                yardstick(len(following))
            saves = autosave(f"sqlite:///{Path(tmp) / 'autosave.sqlite3'}")
    finally:
        for proc in load:
            proc.kill()
            proc.wait()
    state = (f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
             f"{f', {args.load} × yes > /dev/null beside it' if args.load else ''}")
    print(f"machine: {state}; Python {sys.version.split()[0]}\n")
    print(f"| {'keypress (ms)':<36} |     ubu | minimal |  ratio | ubu p99 | min p99 |  ratio |"
          "    n |")
    print(f"|{'-' * 38}|---------|---------|--------|---------|---------|--------|------|")
    print(ratio_row("digit → choice shown", select_ms, min_keys))
    print(ratio_row("Enter → next item shown", next_ms, min_keys))
    print(ratio_row("digit → next item (one-key mode)", one_key_ms, min_keys))
    print(ratio_row("start → home screen", [t * 1000 for t in ubu_start],
                    [t * 1000 for t in min_start]))
    print(ratio_row("start → store open (drafts counted)", [t * 1000 for t in ubu_ready],
                    [t * 1000 for t in min_start]))
    print(f"\n| {'other measure':<50} |    median |       p99 |     n | unit |")
    print(f"|{'-' * 52}|-----------|-----------|-------|------|")
    print(row("keypress: last Enter → review screen shown (ubu)", review_ms))
    print(row("autosave per answer, durable (SQLite FULL)", saves))
    print(f"\nkeys over 50 ms: digit {sum(t > 50 for t in select_ms)} of {len(select_ms)}, "
          f"Enter {sum(t > 50 for t in next_ms)} of {len(next_ms)}, one-key digit "
          f"{sum(t > 50 for t in one_key_ms)} of {len(one_key_ms)}")
    print(f"CPU (user+sys) per key: ubu {statistics.mean(cpu_enter):.1f} ms (digit and Enter), "
          f"{statistics.mean(cpu_one):.1f} ms (one-key); "
          f"minimal app {statistics.mean(min_cpu):.1f} ms "
          f"(clock ticks of {1000 / os.sysconf('SC_CLK_TCK'):.0f} ms, summed over each run)")
    print(f"peak memory of ubu during a youth interview: {memory:.0f} MB  (aim < 150 MB)")
    print()
    from ubu_tui.scripts import bench_keys

    bench_keys.main()
    if args.results:
        from ubu_tui.scripts import bench_results

        print(f"\nresults over {args.results} follow-ups (1500 units):")
        bench_results.main(["--followups", str(args.results), "--rounds", "2",
                            "--load", str(args.load)]
                           + (["--postgres", args.postgres] if args.postgres else []))


if __name__ == "__main__":
    main()
