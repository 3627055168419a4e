"""`python -m ubu_tui`: the `ubu` command (see `ubu_tui.cli`)."""

from ubu_tui.cli import main, run

__all__ = ["main", "run"]

if __name__ == "__main__":
    main()
