"""Where the standard report's time goes: each part timed on an existing database.

    python -m ubu_tui.scripts.bench_report_parts --database-url sqlite:///demo.sqlite3 \\
        --from 2026-01 --to 2026-12
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.instrument import default_instrument
    from ubu_tui.results import aggregate, coverage, report, shares
    from ubu_tui.results.aggregate import Context
    from ubu_tui.results.query import Selection
    from ubu_tui.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--from", dest="period_from", required=True)
    p.add_argument("--to", dest="period_to", required=True)
    args = p.parse_args(argv)
    engine = open_store(args.database_url)
    instrument = default_instrument()
    sel = Selection(args.period_from, args.period_to)
    ctx = Context.open(engine, instrument, sel)

    def timed(name: str, part: Callable[[], object]) -> None:
        start = time.perf_counter()
        part()
        print(f"{name:<34} {time.perf_counter() - start:7.2f} s")

    timed("standard report, all of it", lambda: report.standard_report(engine, instrument, sel))
    timed("  unit comparison (index tables)", lambda: aggregate.index_tables(ctx, "unit"))
    timed("  items, all units", lambda: aggregate.item_tables(ctx))
    timed("  trends (main indices, violation)", lambda: report.report_trends(ctx))
    timed("  single-choice distributions", lambda: shares.distribution_tables(ctx))
    timed("  violation share, 3 breakdowns", lambda: shares.violation_tables(ctx))
    timed("  methods", lambda: shares.method_table(ctx))
    timed("  indices per respondent", lambda: shares.respondent_index_tables(ctx))
    timed("  coverage", lambda: coverage.coverage_tables(ctx))


if __name__ == "__main__":
    main()
