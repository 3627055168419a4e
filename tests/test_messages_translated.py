"""Every message a layer raises for a person goes through the catalogue.

An AST walk over the layers: a `raise SomeError(...)` (or `raise fail(...)`, the loaders'
helper) whose message holds a string literal outside `_()` would be shown in Swedish on an
English command line (or the reverse), so it fails here and cannot come back unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ubu_tui

PACKAGE = Path(ubu_tui.__file__).parent
LAYERS = ["store", "instrument", "results", "practice", "identifiers.py", "outputs.py",
          "codes.py", "config.py", "i18n.py", "errors.py", "cli", "interview"]
SKIP = {"migrations"}              # a migration's downgrade guard is for developers
TRANSLATE = {"_", "ngettext"}


def _translated(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name) and f.id in TRANSLATE:
            return True
        # _("... {x}").format(x=...): the arguments are values, not wording
        if isinstance(f, ast.Attribute) and f.attr == "format" and _translated(f.value):
            return True
    return False


def _literal_outside_catalogue(node: ast.AST) -> bool:
    if _translated(node):
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip())
    return any(_literal_outside_catalogue(c) for c in ast.iter_child_nodes(node))


def untranslated_raises() -> list[str]:
    found = []
    for layer in LAYERS:
        path = PACKAGE / layer
        files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
        for file in files:
            if SKIP & set(file.parts):
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                call = node.exc
                message = [*call.args[:1], *(k.value for k in call.keywords
                                             if k.arg in ("rule", "message"))]
                if any(_literal_outside_catalogue(m) for m in message):
                    found.append(f"{file.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_every_raised_message_goes_through_the_catalogue() -> None:
    assert untranslated_raises() == []


def test_the_walk_finds_an_untranslated_message() -> None:
    # the walk itself must be able to fail
    bad = ast.parse('raise InputRejected(f"no such file {name}")').body[0]
    good = ast.parse('raise InputRejected(_("ingen fil {name}").format(name=", ".join(x)))').body[0]
    assert isinstance(bad, ast.Raise) and isinstance(good, ast.Raise)
    assert _literal_outside_catalogue(bad.exc.args[0])         # type: ignore[union-attr]
    assert not _literal_outside_catalogue(good.exc.args[0])    # type: ignore[union-attr]
