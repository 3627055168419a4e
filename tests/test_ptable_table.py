"""The shipped perturbation table is the one its parameters define, and the app never computes it.

The app reads `results/ptable_bands.py`: computing the table at run time cost every fresh store
and every report a third of a CPU second, and a platform whose floating point differed in a
last bit would have published other figures from the same records. Here it is recomputed, so a
changed parameter or a platform that computes otherwise fails loudly, before anything is
published.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ubu_tui
from ubu_tui.results import ptable
from ubu_tui.scripts import make_ptable

PACKAGE = Path(ubu_tui.__file__).parent
BUILDERS = {"scripts/make_ptable.py", "scripts/price.py"}    # developer tools, not the app


def test_the_shipped_table_is_the_one_recomputed_from_its_parameters():
    recomputed = make_ptable.compute_bands()
    assert ptable.bands() == recomputed
    # and the file is exactly what the generator writes (nobody edited a row by hand)
    assert make_ptable.TARGET.read_text(encoding="utf-8") == make_ptable.render(recomputed)


def test_every_class_covers_the_whole_key_space_once():
    for cls in range(ptable.LAST_CLASS + 1):
        rows = [b for b in ptable.bands() if b.n_class == cls]
        assert rows[0].lo == 0 and rows[-1].hi == ptable.KEY_SPACE
        assert all(a.hi == b.lo for a, b in zip(rows, rows[1:], strict=False))


def test_nothing_in_the_app_computes_the_table():
    """Only the developer tools import the builder; ptable itself has nothing to compute with."""
    for name in ("distribution", "_distribution", "_allowed", "_variance", "math"):
        assert not hasattr(ptable, name), name
    importers = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [f"{node.module}.{a.name}" for a in node.names]
                     if isinstance(node, ast.ImportFrom) and node.module else [])
            if any("make_ptable" in n for n in names):
                importers.append(rel)
    assert set(importers) <= BUILDERS, importers
