"""Write the README's command table from the parser (English), or check that it matches.

    python -m ubu_tui.scripts.readme_commands          # rewrite the table between the markers
    python -m ubu_tui.scripts.readme_commands --check  # exit 1 if the README is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def current_table() -> str:
    from ubu_tui.cli import build_parser, interface_language
    from ubu_tui.cli.docs import table

    with interface_language("en"):
        return table(build_parser())


def main(argv: list[str] | None = None) -> int:
    from ubu_tui.cli.docs import readme_section, with_table

    args = sys.argv[1:] if argv is None else argv
    text = README.read_text(encoding="utf-8")
    new = current_table()
    if "--check" in args:
        if readme_section(text) != new:
            print("README.md: the command table differs from the parser; run "
                  "python -m ubu_tui.scripts.readme_commands", file=sys.stderr)
            return 1
        return 0
    README.write_text(with_table(text, new), encoding="utf-8")
    print(f"{README.name}: command table written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
