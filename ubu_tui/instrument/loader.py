"""Load an instrument from TOML files and check every rule before anything uses it.

A bad file is rejected whole with one message naming the file, the line where it can be found,
the item and the rule broken. Nothing is half-loaded.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from ubu_tui.errors import InstrumentError
from ubu_tui.identifiers import identifier_in
from ubu_tui.instrument.model import (
    NONRESPONSE,
    RESPONDENTS,
    AnswerType,
    Condition,
    Form,
    Index,
    Instrument,
    Item,
    Option,
)
from ubu_tui.resources import data_dir

FREE_TEXT_TYPES = {"text", "free_text", "freetext", "open", "string", "comment"}
PREFILLS = {"unit", "age", "legal_basis", "length_band"}
ITEM_KEYS = {
    "id", "type", "text", "options", "scale", "instruction", "guidance", "nonresponse",
    "not_applicable_label", "show_if", "sensitive", "prefill", "min", "max", "read_aloud",
    "high_is_bad",
}
OPTION_KEYS = {"code", "label", "read_aloud", "alert"}
ID_RE = re.compile(r"[a-z][a-z0-9_]{1,40}")     # matched whole
MAX_KEYED_OPTIONS = 9  # options are chosen with the number keys 1–9


def instruments_dir() -> Path:
    return data_dir() / "instruments"


@cache
def default_instrument() -> Instrument:
    """The newest shipped version of UBU-VB."""
    base = instruments_dir() / "ubu-vb"
    versions = sorted(p for p in base.iterdir() if (p / "instrument.toml").exists())
    if not versions:
        raise InstrumentError("no instrument version found; reinstall ubu-tui", file=str(base))
    return load_instrument(versions[-1])


def available_instruments() -> dict[tuple[str, str], Path]:
    """Every shipped instrument version by (id, version)."""
    found: dict[tuple[str, str], Path] = {}
    for meta in sorted(instruments_dir().glob("*/*/instrument.toml")):
        found[(meta.parent.parent.name, meta.parent.name)] = meta.parent
    return found


def instrument_by_version(instrument_id: str, version: str) -> Instrument:
    path = available_instruments().get((instrument_id, version))
    if path is None:
        raise InstrumentError(
            f"unknown instrument version {instrument_id}@{version}; "
            "install the ubu-tui release that ships it")
    return _load_cached(str(path))


@cache
def _load_cached(path: str) -> Instrument:
    return load_instrument(Path(path))


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise InstrumentError("file is not UTF-8 text", file=str(path)) from None
    except OSError as exc:
        raise InstrumentError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InstrumentError(f"not valid TOML ({exc})", file=str(path),
                              line=int(m.group(1)) if m else None) from None
    except RecursionError:
        raise InstrumentError("nested too deep to be an instrument or scenario file",
                              file=str(path)) from None
    _screen(data, raw, str(path))
    return data, raw


_INSTRUMENT_KEY = re.compile(r"[a-z][a-z0-9-]{0,40}@[0-9]{4}\.[0-9]{1,3}")   # ubu-vb@2026.1


def _screen(data: dict[str, Any], raw: str, file: str) -> None:
    """No text in an instrument or scenario may hold a personal identifier: scenarios are
    written from real cases, and instrument ids and versions are stored with every record."""
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and not _INSTRUMENT_KEY.fullmatch(value):
            kind = identifier_in(value)
            if kind:
                raise InstrumentError(f"the text {value[:40]!r} holds {kind}; instrument and "
                                      "scenario texts never name or date a real person",
                                      file=file, line=_find(raw, value[:20]))


def _line_of(raw: str, item_id: str, key: str | None = None) -> int | None:
    lines = raw.splitlines()
    start = None
    for n, line in enumerate(lines, 1):
        if re.match(rf'\s*id\s*=\s*"{re.escape(item_id)}"', line):
            start = n
            break
    if start is None or key is None:
        return start
    for n in range(start, len(lines) + 1):
        if n > start and re.match(r"\s*\[\[", lines[n - 1]):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[n - 1]):
            return n
    return start


def load_instrument(folder: Path | str) -> Instrument:
    """Load `instrument.toml` and its form files from `folder`, or raise InstrumentError."""
    folder = Path(folder)
    meta_path = folder / "instrument.toml" if folder.is_dir() else folder
    folder = meta_path.parent
    meta, meta_raw = _read_toml(meta_path)
    mfile = str(meta_path)
    for key in ("id", "version", "title", "forms"):
        if not meta.get(key):
            raise InstrumentError(f"missing '{key}' in the instrument header", file=mfile, line=1)
    # Pinned to every record: a code, never free text.
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,40}", str(meta["id"])):
        raise InstrumentError("the instrument id must be 2–41 lower-case letters, digits or -",
                              file=mfile, line=_find(meta_raw, "id"))
    if not re.fullmatch(r"[0-9]{4}\.[0-9]{1,3}", str(meta["version"])):
        raise InstrumentError("the version must be year.number in digits 0–9, e.g. 2026.1",
                              file=mfile, line=_find(meta_raw, "version"))
    scales: dict[str, list[str]] = {}
    for name, scale in (meta.get("scales") or {}).items():
        labels = scale.get("labels", []) if isinstance(scale, dict) else []
        if len(labels) != 5:
            raise InstrumentError(
                f"scale '{name}' has {len(labels)} points; every scale has exactly 5",
                file=mfile, line=_find(meta_raw, f"[scales.{name}]"))
        scales[name] = [str(label) for label in labels]

    forms: dict[str, Form] = {}
    seen: dict[str, str] = {}
    for form_name in meta["forms"]:
        path = folder / form_name
        data, raw = _read_toml(path)
        form = _parse_form(data, raw, str(path), scales, seen)
        if form.respondent in forms:
            raise InstrumentError(f"a second form for respondent '{form.respondent}'",
                                  file=str(path), line=_find(raw, "respondent"))
        forms[form.respondent] = form
    missing = [r for r in RESPONDENTS if r not in forms]
    if missing:
        raise InstrumentError(f"no form for respondent(s) {', '.join(missing)}", file=mfile)

    all_items = {i.id: i for f in forms.values() for i in f.items}
    indices: list[Index] = []
    for entry in meta.get("index", []):
        ix_id = str(entry.get("id", ""))
        line = _find(meta_raw, f'id = "{ix_id}"')
        if not ID_RE.fullmatch(ix_id):
            raise InstrumentError(f"index id '{ix_id}' is not a lower-case identifier",
                                  file=mfile, line=line)
        if any(ix.id == ix_id for ix in indices):
            raise InstrumentError(f"index '{ix_id}' is defined twice", file=mfile, line=line)
        members = tuple(str(i) for i in entry.get("items", []))
        if not members:
            raise InstrumentError(f"index '{ix_id}' names no items", file=mfile, line=line)
        for member in members:
            if member not in all_items:
                raise InstrumentError(f"index '{ix_id}' names unknown item '{member}'",
                                      file=mfile, line=line)
            if all_items[member].type is not AnswerType.SCALE:
                raise InstrumentError(
                    f"index '{ix_id}' names item '{member}', which is not a 1–5 scale",
                    file=mfile, line=line)
            if all_items[member].high_is_bad:
                # An index is a mean where high is good; a reversed item would pull it the
                # wrong way without anyone seeing it.
                raise InstrumentError(
                    f"index '{ix_id}' names item '{member}', where a high value is bad; "
                    "leave it out of the index or reword it so that high is good",
                    file=mfile, line=line)
        indices.append(Index(ix_id, str(entry.get("label", ix_id)), members))
    guidance = meta.get("guidance") or {}
    unknown = set(guidance) - {t.value for t in AnswerType}
    if unknown:
        raise InstrumentError(f"[guidance] names unknown answer type(s) "
                              f"{', '.join(sorted(unknown))}; use "
                              f"{', '.join(t.value for t in AnswerType)}",
                              file=mfile, line=_find(meta_raw, "[guidance]"))
    return Instrument(id=str(meta["id"]), version=str(meta["version"]), title=str(meta["title"]),
                      forms=forms, indices=tuple(indices), source=str(folder),
                      guidance={k: " ".join(str(v).split()) for k, v in guidance.items()})


def _find(raw: str, needle: str) -> int | None:
    for n, line in enumerate(raw.splitlines(), 1):
        if needle in line:
            return n
    return None


def _parse_form(data: dict[str, Any], raw: str, file: str, scales: dict[str, list[str]],
                seen: dict[str, str]) -> Form:
    respondent = data.get("respondent")
    if respondent not in RESPONDENTS:
        raise InstrumentError(
            f"respondent must be one of {', '.join(RESPONDENTS)}, not {respondent!r}",
            file=file, line=_find(raw, "respondent"))
    for key in ("title", "consent_text"):
        if not str(data.get(key, "")).strip():
            raise InstrumentError(f"missing '{key}' for the {respondent} form", file=file, line=1)
    raw_items = data.get("item", [])
    if not raw_items:
        raise InstrumentError("the form has no items", file=file)
    items: list[Item] = []
    for entry in raw_items:
        item = _parse_item(entry, raw, file, respondent, scales, seen, items)
        seen[item.id] = file
        items.append(item)
    return Form(respondent=respondent, title=str(data["title"]),
                consent_text=" ".join(str(data["consent_text"]).split()), items=tuple(items),
                file=file)


def _parse_item(entry: dict[str, Any], raw: str, file: str, respondent: str,
                scales: dict[str, list[str]], seen: dict[str, str],
                earlier: list[Item]) -> Item:
    item_id = str(entry.get("id", ""))
    line = _line_of(raw, item_id) if item_id else None

    def fail(rule: str, key: str | None = None) -> InstrumentError:
        at = _line_of(raw, item_id, key) if item_id and key else line
        return InstrumentError(rule, file=file, line=at, item=item_id or None)

    if not ID_RE.fullmatch(item_id):
        raise fail(f"item id {item_id!r} must be 2–41 lower-case letters, digits or _")
    if item_id in seen:
        raise fail(f"duplicate item id (also in {Path(seen[item_id]).name})")
    unknown = set(entry) - ITEM_KEYS
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}", sorted(unknown)[0])
    type_name = str(entry.get("type", ""))
    if type_name.lower() in FREE_TEXT_TYPES:
        raise fail(f"type '{type_name}' is free text; no free text may be recorded", "type")
    try:
        answer_type = AnswerType(type_name)
    except ValueError:
        raise fail(f"unknown answer type {type_name!r}; use one of "
                   f"{', '.join(t.value for t in AnswerType)}", "type") from None
    text = str(entry.get("text", "")).strip()
    if not text:
        raise fail("missing read-aloud wording ('text')", "text")

    read_all = bool(entry.get("read_aloud", True))
    options: list[Option] = []
    if answer_type is AnswerType.SCALE:
        if "scale" in entry:
            if entry["scale"] not in scales:
                raise fail(f"unknown scale {entry['scale']!r}", "scale")
            labels = scales[entry["scale"]]
            options = [Option(i + 1, lab, read_all) for i, lab in enumerate(labels)]
        else:
            options = _parse_options(entry.get("options", []), read_all, fail)
            if [o.code for o in options] != [1, 2, 3, 4, 5]:
                raise fail(f"a scale has exactly 5 points coded 1–5, this one has "
                           f"{len(options)}", "options")
    elif answer_type in (AnswerType.SINGLE, AnswerType.MULTI):
        options = _parse_options(entry.get("options", []), read_all, fail)
        if len(options) < 2:
            raise fail("a choice item needs at least 2 options", "options")
    elif "options" in entry or "scale" in entry:
        raise fail(f"a '{answer_type}' item takes no options", "options")

    lo, hi = int(entry.get("min", 0)), int(entry.get("max", 0))
    if answer_type is AnswerType.AGE and not (0 <= lo < hi <= 130):
        raise fail("an age item needs 0 <= min < max <= 130", "min")

    nonresponse = tuple(str(n) for n in entry.get("nonresponse", []))
    for key in nonresponse:
        if key not in NONRESPONSE:
            raise fail(f"unknown non-response option {key!r}; use one of "
                       f"{', '.join(NONRESPONSE)}", "nonresponse")
    na_label = str(entry.get("not_applicable_label", ""))
    if na_label and "not_applicable" not in nonresponse:
        raise fail("'not_applicable_label' given but 'not_applicable' is not allowed",
                   "not_applicable_label")

    conditions = _parse_routing(entry.get("show_if"), item_id, earlier, fail)
    high_is_bad = entry.get("high_is_bad", False)
    if not isinstance(high_is_bad, bool) or (high_is_bad and answer_type is not AnswerType.SCALE):
        raise fail("'high_is_bad' is true or false, and only a 1–5 scale item takes it",
                   "high_is_bad")
    prefill = str(entry.get("prefill", ""))
    if prefill and prefill not in PREFILLS:
        raise fail(f"unknown prefill {prefill!r}; use one of {', '.join(sorted(PREFILLS))}",
                   "prefill")
    return Item(
        id=item_id, respondent=respondent, type=answer_type, text=text, options=tuple(options),
        instruction=str(entry.get("instruction", "")).strip(),
        guidance=str(entry.get("guidance", "")).strip(), nonresponse=nonresponse,
        not_applicable_label=na_label, show_if=conditions, sensitive=bool(entry.get("sensitive")),
        prefill=prefill, min_value=lo, max_value=hi, line=line,
        scale=str(entry.get("scale", "")), high_is_bad=high_is_bad,
    )


def _parse_options(raw_options: Any, read_all: bool, fail: Any) -> list[Option]:
    if not isinstance(raw_options, list):
        raise fail("'options' must be a list of {code, label} tables", "options")
    options: list[Option] = []
    for raw in raw_options:
        if not isinstance(raw, dict) or "code" not in raw or not str(raw.get("label", "")).strip():
            raise fail("every option needs a 'code' and a 'label'", "options")
        unknown = set(raw) - OPTION_KEYS
        if unknown:
            raise fail(f"unknown option key(s) {', '.join(sorted(unknown))}", "options")
        code = raw["code"]
        if not isinstance(code, int) or code < 0:
            raise fail(f"option code {code!r} must be a whole number >= 0 "
                       "(negative codes are kept for non-response)", "options")
        if any(o.code == code for o in options):
            raise fail(f"option code {code} is used twice", "options")
        options.append(Option(code, str(raw["label"]), bool(raw.get("read_aloud", read_all)),
                              bool(raw.get("alert", False))))
    if len(options) > MAX_KEYED_OPTIONS:
        raise fail(f"{len(options)} options; at most {MAX_KEYED_OPTIONS} fit the number keys",
                   "options")
    return options


def _parse_routing(raw: Any, item_id: str, earlier: list[Item], fail: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    conditions: list[Condition] = []
    before = {i.id: i for i in earlier}
    for cond in entries:
        if not isinstance(cond, dict) or "item" not in cond or "in" not in cond:
            raise fail("'show_if' needs {item = \"...\", in = [codes]}", "show_if")
        target = str(cond["item"])
        if target == item_id:
            raise fail("routing cycle: the item's visibility depends on itself", "show_if")
        if target not in before:
            raise fail(f"routing depends on item '{target}', which is unknown or comes later; "
                       "routing may only look back", "show_if")
        values = frozenset(int(v) for v in cond["in"])
        ref = before[target]
        if ref.type in (AnswerType.SCALE, AnswerType.SINGLE):
            bad = sorted(v for v in values if ref.option(v) is None)
            if bad:
                raise fail(f"routing names unknown option(s) {bad} of item '{target}'", "show_if")
        conditions.append(Condition(target, values))
    return tuple(conditions)
