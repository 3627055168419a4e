"""A Babel extractor for instrument files, so that `pybabel extract` finds every wording.

Each entry carries a context naming where it belongs (`youth.y_safe.text`, `scale.agree.4`,
`guardian.consent`), with the Swedish as msgid. When a wording changes, `pybabel update` finds
the same context with a new msgid and marks the old translation fuzzy in every language: the
app then shows Swedish for that item, marked, until a translator has checked it.

Registered in pyproject.toml as the `ubu_instrument` extraction method.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any, BinaryIO

Entry = tuple[int, str, tuple[str, str], list[str]]


def _line(raw: str, needle: str, start: int = 0) -> int:
    for n, line in enumerate(raw.splitlines()[start:], start + 1):
        if needle in line:
            return n
    return start + 1


def entries(raw: str) -> Iterator[tuple[int, str, str]]:
    """(line, context, Swedish text) for every translatable string of one instrument file."""
    data: dict[str, Any] = tomllib.loads(raw)
    if "scales" in data:            # instrument.toml: the scales and the index labels
        for name, scale in data["scales"].items():
            at = _line(raw, f"[scales.{name}]")
            for n, label in enumerate(scale.get("labels", []), 1):
                yield at + 1, f"scale.{name}.{n}", str(label)
        for ix in data.get("index", []):
            yield _line(raw, f'id = "{ix.get("id")}"'), f"index.{ix.get('id')}", \
                str(ix.get("label", ""))
        return
    who = str(data.get("respondent", "form"))
    yield _line(raw, "title ="), f"{who}.title", str(data.get("title", ""))
    yield _line(raw, "consent_text"), f"{who}.consent", " ".join(
        str(data.get("consent_text", "")).split())
    if data.get("paper_consent_text"):
        yield _line(raw, "paper_consent_text"), f"{who}.paper_consent", " ".join(
            str(data["paper_consent_text"]).split())
    for item in data.get("item", []):
        at = _line(raw, f'id = "{item.get("id")}"')
        base = f"{who}.{item.get('id')}"
        for key in ("text", "instruction", "guidance", "not_applicable_label"):
            if item.get(key):
                yield at, f"{base}.{key}", " ".join(str(item[key]).split())
        for option in item.get("options", []):
            yield at, f"{base}.option.{option.get('code')}", str(option.get("label", ""))


def extract(fileobj: BinaryIO, keywords: Any, comment_tags: Any,
            options: dict[str, Any]) -> Iterator[Entry]:
    """The Babel extractor interface: (line, function, (context, message), comments)."""
    raw = fileobj.read().decode("utf-8")
    for line, context, text in entries(raw):
        if text:
            yield line, "pgettext", (context, text), []
