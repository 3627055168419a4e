"""`python -m ubu_tui`: the `ubu` command (see `ubu_tui.cli`)."""

from ubu_tui.startup import hold_collector

hold_collector()      # before the command's own imports: see ubu_tui.startup

from ubu_tui.cli import main, run  # noqa: E402

__all__ = ["main", "run"]

if __name__ == "__main__":
    main()
