"""Gettext catalogues: extract, update, compile.

    python -m ubu_tui.scripts.catalogs extract   # locales/ubu.pot and locales/instrument.pot
    python -m ubu_tui.scripts.catalogs update    # merge them into every language's .po
    python -m ubu_tui.scripts.catalogs compile   # .mo files in the checkout (the app also
                                                 # reads .po directly; building the wheel
                                                 # compiles its own, see setup.py)

After a wording change in an instrument, `extract` and `update` turn the old translation
fuzzy in every language; the app shows Swedish for that item, marked, until a translator has
looked at it, and the catalogue test fails until then.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = {"ubu": ("babel.cfg", ["-k", "N_"]), "instrument": ("babel-instrument.cfg", [])}


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT,
                   check=True)


def main(argv: list[str] | None = None) -> None:
    action = (argv or sys.argv[1:] or ["help"])[0]
    if action == "extract":
        for domain, (mapping, extra) in DOMAINS.items():
            pybabel("extract", "-F", mapping, *extra, "--no-location", "--sort-output",
                    "-o", f"locales/{domain}.pot", ".")
    elif action == "update":
        for domain in DOMAINS:
            for po in sorted((ROOT / "locales").glob(f"*/LC_MESSAGES/{domain}.po")):
                pybabel("update", "-D", domain, "-i", f"locales/{domain}.pot", "-d", "locales",
                        "-l", po.parts[-3], "--width", "100")
    elif action == "compile":
        for domain in DOMAINS:
            pybabel("compile", "-D", domain, "-d", "locales", "--statistics")
    else:
        print(__doc__)
        sys.exit(0 if action == "help" else 2)


if __name__ == "__main__":
    main()
