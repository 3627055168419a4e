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
from ubu_tui.i18n import _
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
    Share,
)
from ubu_tui.resources import data_dir

FREE_TEXT_TYPES = {"text", "free_text", "freetext", "open", "string", "comment"}
PREFILLS = {"unit", "age", "legal_basis", "length_band", "unaccompanied"}
SCOPES = {"national", "local"}
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
    """The newest national version of UBU-VB (a local one, `2026.2+0180`, is never the default;
    versions compare by number, so 2026.10 comes after 2026.9)."""
    base = instruments_dir() / "ubu-vb"
    versions = sorted((p for p in base.iterdir()
                       if (p / "instrument.toml").exists() and "+" not in p.name),
                      key=lambda p: tuple(int(x) if x.isdigit() else -1
                                          for x in p.name.split(".")))
    if not versions:
        raise InstrumentError(_("ingen instrumentversion hittades; installera om ubu-tui"),
                              file=str(base))
    return _load_shipped(versions[-1])


@cache       # a record names its version: an import looks it up for every record
def available_instruments() -> dict[tuple[str, str], Path]:
    """Every shipped instrument version by (id, version)."""
    found: dict[tuple[str, str], Path] = {}
    for meta in sorted(instruments_dir().glob("*/*/instrument.toml")):
        found[(meta.parent.parent.name, meta.parent.name)] = meta.parent
    return found


def local_instrument(version: str) -> Instrument:
    """A municipality's local version of UBU-VB for new follow-ups (UBU_INSTRUMENT_VERSION):
    only a local one; a national version other than the newest is never started anew."""
    instrument = instrument_by_version(default_instrument().id, version)
    if instrument.national:
        raise InstrumentError(_("UBU_INSTRUMENT_VERSION={version} är en nationell version; ange "
                                "en lokal version (till exempel 2026.2+0180) eller ta bort "
                                "inställningen för den nyaste nationella")
                              .format(version=version))
    return instrument


def instrument_by_version(instrument_id: str, version: str) -> Instrument:
    path = available_instruments().get((instrument_id, version))
    if path is None:
        raise InstrumentError(_("okänd instrumentversion {instrument}@{version}; installera den "
                                "version av ubu-tui som innehåller den")
                               .format(instrument=instrument_id, version=version))
    return _load_cached(str(path))


@cache
def _load_cached(path: str) -> Instrument:
    return _load_shipped(Path(path))


def _load_shipped(folder: Path) -> Instrument:
    """`load_instrument` for a version shipped with ubu-tui, remembered between starts
    (ubu_tui.cache): parsing and checking its TOML took 0.07–0.1 CPU s in every process that
    starts a follow-up, submits or reports, the same work on the same bytes each time. The entry
    is named by every shipped instrument file and the code that reads and screens them, so an
    edited file or loader is loaded afresh; a folder given on the command line never is cached."""
    import pickle

    from ubu_tui import cache

    name = _shipped_key(folder)
    kept = cache.read("instrument", name)
    if kept is not None:
        try:
            found = pickle.loads(kept)
        except Exception:       # an entry from another Python, or cut short: load afresh
            found = None
        if isinstance(found, Instrument):
            return found
    instrument = load_instrument(folder)
    cache.write("instrument", name, pickle.dumps(instrument, protocol=pickle.HIGHEST_PROTOCOL))
    return instrument


def _shipped_key(folder: Path) -> str:
    import sys

    from ubu_tui import cache
    from ubu_tui.i18n import current_language

    base = instruments_dir()
    files = sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    code = sorted(Path(__file__).parent.glob("*.py"))       # loader, model, mapping, …
    return cache.key(str(folder).encode(), sys.version.encode(), current_language().encode(),
                     _screen_key("").encode(),              # the screen and its packages
                     *(p.relative_to(base).as_posix().encode() + b"\0" + p.read_bytes()
                       for p in files),
                     *(cache.source_of(str(p)) for p in code))


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(_("filen finns inte"), file=str(path)) from None
    except UnicodeDecodeError:
        raise InstrumentError(_("filen är inte UTF-8-text"), file=str(path)) from None
    except OSError as exc:
        raise InstrumentError(_("filen kan inte läsas ({reason})")
                               .format(reason=exc.strerror), file=str(path)) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InstrumentError(_("ogiltig TOML ({reason})")
                               .format(reason=exc), file=str(path),
                                       line=int(m.group(1)) if m else None) from None
    except RecursionError:
        raise InstrumentError(_("för många nästlade nivåer för att vara en instrument- eller "
                                "scenariofil"), file=str(path)) from None
    _screen_once(data, raw, str(path))
    return data, raw


def _screen_key(raw: str) -> str:
    """The file's text and everything that decides the verdict: this module, the screen, and
    the phone and identity-number packages it asks (their versions are in these files)."""
    from importlib.util import find_spec

    from ubu_tui import cache, identifiers

    judges = [__file__, identifiers.__file__]
    for package in ("phonenumbers", "personnummer"):
        spec = find_spec(package)
        judges.append(str(spec.origin if spec else package))
    return cache.key(raw.encode(), *(cache.source_of(f) for f in judges))


def _screen_once(data: dict[str, Any], raw: str, file: str) -> None:
    """`_screen`, remembered: the shipped instrument is the same on every start, and its
    ~1 650 texts took longer to screen than the rest of loading it."""
    from ubu_tui import cache

    name = _screen_key(raw)
    if cache.read("screened", name) == b"ok":
        return
    _screen(data, raw, file)
    cache.write("screened", name, b"ok")


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
                raise InstrumentError(_("texten {text} innehåller {kind}; instrument- och "
                                        "scenariotexter nämner eller daterar aldrig en verklig "
                                        "person")
                                       .format(text=repr(value[:40]), kind=kind), file=file,
                                               line=_find(raw, value[:20]))


def _line_of(raw: str, item_id: str, key: str | None = None) -> int | None:
    # one search over the whole text, not a match per line: this runs for every item at start
    found = re.search(rf'^[ \t]*id[ \t]*=[ \t]*"{re.escape(item_id)}"', raw, re.MULTILINE)
    start = raw.count("\n", 0, found.start()) + 1 if found else None
    if start is None or key is None:
        return start
    lines = raw.splitlines()
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
            raise InstrumentError(_("'{key}' saknas i instrumentets huvud")
                                   .format(key=key), file=mfile, line=1)
    # Pinned to every record: a code, never free text.
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,40}", str(meta["id"])):
        raise InstrumentError(_("instrumentets id ska vara 2–41 gemener, siffror eller -"),
                              file=mfile, line=_find(meta_raw, "id"))
    # A local version adds a short local label after '+' (a code such as the municipality's,
    # never free text; at most 19 characters in all, as the record's column allows 20).
    if not re.fullmatch(r"[0-9]{4}\.[0-9]{1,3}(\+[0-9a-z]{1,12})?", str(meta["version"])):
        raise InstrumentError(_("versionen ska vara år.nummer i siffror 0–9, till exempel 2026.1 "
                                "(en lokal version: 2026.1+0180)"),
                              file=mfile, line=_find(meta_raw, "version"))
    scales: dict[str, list[str]] = {}
    for name, scale in (meta.get("scales") or {}).items():
        labels = scale.get("labels", []) if isinstance(scale, dict) else []
        if len(labels) != 5:
            raise InstrumentError(_("skalan '{name}' har {count} steg; varje skala har exakt 5")
                                   .format(name=name, count=len(labels)), file=mfile,
                                           line=_find(meta_raw, f"[scales.{name}]"))
        scales[name] = [str(label) for label in labels]

    forms: dict[str, Form] = {}
    seen: dict[str, str] = {}
    for form_name in meta["forms"]:
        path = folder / form_name
        data, raw = _read_toml(path)
        form = _parse_form(data, raw, str(path), scales, seen)
        if form.respondent in forms:
            raise InstrumentError(_("ett andra formulär för respondenten '{respondent}'")
                                   .format(respondent=form.respondent), file=str(path),
                                           line=_find(raw, "respondent"))
        forms[form.respondent] = form
    missing = [r for r in RESPONDENTS if r not in forms]
    if missing:
        raise InstrumentError(_("formulär saknas för {respondents}")
                               .format(respondents=', '.join(missing)), file=mfile)

    all_items = {i.id: i for f in forms.values() for i in f.items}
    indices: list[Index] = []
    for entry in meta.get("index", []):
        ix_id = str(entry.get("id", ""))
        line = _find(meta_raw, f'id = "{ix_id}"')
        if not ID_RE.fullmatch(ix_id):
            raise InstrumentError(_("index-id '{index}' är ingen identifierare med gemener")
                                   .format(index=ix_id), file=mfile, line=line)
        if any(ix.id == ix_id for ix in indices):
            raise InstrumentError(_("indexet '{index}' definieras två gånger")
                                   .format(index=ix_id), file=mfile, line=line)
        listed = entry.get("items", [])
        # `items = 0` or a string is not a list of items (the fuzz test found a traceback here)
        members = tuple(str(i) for i in listed) if isinstance(listed, list) else ()
        if not members:
            raise InstrumentError(_("indexet '{index}' nämner inga frågor")
                                   .format(index=ix_id), file=mfile, line=line)
        for member in members:
            if member not in all_items:
                raise InstrumentError(_("indexet '{index}' nämner den okända frågan '{member}'")
                                       .format(index=ix_id, member=member), file=mfile, line=line)
            if all_items[member].type is not AnswerType.SCALE:
                raise InstrumentError(_("indexet '{index}' nämner frågan '{member}', som inte är "
                                        "en skala 1–5")
                                       .format(index=ix_id, member=member), file=mfile, line=line)
            if all_items[member].high_is_bad:
                # An index is a mean where high is good; a reversed item would pull it the
                # wrong way without anyone seeing it.
                raise InstrumentError(
                    _("indexet '{index}' nämner frågan '{member}', där ett högt värde är dåligt; "
                      "lämna den utanför indexet eller formulera om den så att högt är bra")
                    .format(index=ix_id, member=member), file=mfile, line=line)
        indices.append(Index(ix_id, str(entry.get("label", ix_id)), members))
    scope = str(meta.get("scope", "national"))
    version = str(meta["version"])
    if scope not in SCOPES:
        raise InstrumentError(_("scope ska vara national eller local, inte {scope}")
                              .format(scope=repr(scope)), file=mfile,
                              line=_find(meta_raw, "scope"))
    # A local version is told apart by its version alone ("2026.2+0180"), so that a record,
    # which pins only id and version, can never be pooled as if it were national.
    if (scope == "local") != ("+" in version):
        raise InstrumentError(
            _("en lokal version behöver scope = \"local\" och en lokal etikett efter '+' i sin "
              "version (t.ex. \"2026.2+0180\"); en nationell version har ingetdera"),
            file=mfile, line=_find(meta_raw, "version"))
    shares = _parse_shares(meta.get("share", []), all_items, meta_raw, mfile)
    reasons = _parse_decline_reasons(meta.get("decline_reason", []), meta_raw, mfile)
    if reasons:
        from dataclasses import replace as with_reasons

        # The caseworker's own part cannot be declined: only youth and guardian carry the list.
        forms = {r: with_reasons(f, decline_reasons=reasons) if r != "caseworker" else f
                 for r, f in forms.items()}
    guidance = meta.get("guidance") or {}
    unknown = set(guidance) - {t.value for t in AnswerType}
    if unknown:
        raise InstrumentError(_("[guidance] nämner okända svarstyper {unknown}; använd {known}")
                              .format(unknown=', '.join(sorted(unknown)),
                                      known=', '.join(t.value for t in AnswerType)), file=mfile,
                              line=_find(meta_raw, "[guidance]"))
    instrument = Instrument(
        id=str(meta["id"]), version=version, title=str(meta["title"]), forms=forms,
        indices=tuple(indices), source=str(folder), scope=scope, shares=shares,
        decline_reasons=reasons,
        guidance={k: " ".join(str(v).split()) for k, v in guidance.items()})
    if meta.get("mapping"):
        from dataclasses import replace

        from ubu_tui.instrument.mapping import load_mapping

        mapping = load_mapping(folder / str(meta["mapping"]), instrument)
        instrument = replace(instrument, mapping=mapping, _items={})
    return instrument


def _parse_shares(entries: Any, items: dict[str, Item], raw: str, file: str
                  ) -> tuple[Share, ...]:
    shares: list[Share] = []
    for entry in entries if isinstance(entries, list) else []:
        share_id = str(entry.get("id", ""))
        line = _find(raw, f'id = "{share_id}"')
        item_id = str(entry.get("item", ""))
        if not ID_RE.match(share_id) or any(s.id == share_id for s in shares):
            raise InstrumentError(_("andelens id {share} saknas, är felskrivet eller används två "
                                    "gånger").format(share=repr(share_id)), file=file, line=line)
        if item_id not in items or items[item_id].type not in (AnswerType.SINGLE,
                                                               AnswerType.SCALE):
            raise InstrumentError(_("andelen '{share}' nämner {item}, som inte är en fråga med "
                                    "ett svarsalternativ eller en skala")
                                  .format(share=share_id, item=repr(item_id)),
                                  file=file, line=line)
        codes = frozenset(int(c) for c in entry.get("codes", []))
        if not codes or any(items[item_id].option(c) is None for c in codes):
            raise InstrumentError(_("andelen '{share}' behöver koder som är svarsalternativ i "
                                    "'{item}'").format(share=share_id, item=item_id),
                                  file=file, line=line)
        shares.append(Share(share_id, str(entry.get("label", share_id)), item_id, codes))
    return tuple(shares)


MAX_DECLINE_REASONS = 9      # one digit each: a key in the dialog, a digit in the record


def _parse_decline_reasons(entries: Any, raw: str, file: str) -> tuple[Option, ...]:
    """The closed list of why a respondent declined: codes 1–9, a Swedish label each."""
    line = _find(raw, "[[decline_reason]]")
    if not isinstance(entries, list):
        raise InstrumentError(_("[[decline_reason]] ska vara en lista av tabeller med code "
                                "och label"), file=file, line=line)
    reasons: list[Option] = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"code", "label"} or not str(
                entry.get("label", "")).strip():
            raise InstrumentError(_("varje [[decline_reason]] har exakt 'code' och 'label'"),
                                  file=file, line=line)
        code = entry["code"]
        if (isinstance(code, bool) or not isinstance(code, int)
                or not 1 <= code <= MAX_DECLINE_REASONS
                or any(r.code == code for r in reasons)):
            raise InstrumentError(_("skälet för att avböja har koden {code}; varje skäl har en "
                                    "egen kod 1–{limit}").format(code=repr(code),
                                                                 limit=MAX_DECLINE_REASONS),
                                  file=file, line=_find(raw, f"code = {code}") or line)
        reasons.append(Option(code, " ".join(str(entry["label"]).split()), read_aloud=False))
    return tuple(reasons)


def _find(raw: str, needle: str) -> int | None:
    for n, line in enumerate(raw.splitlines(), 1):
        if needle in line:
            return n
    return None


def _parse_form(data: dict[str, Any], raw: str, file: str, scales: dict[str, list[str]],
                seen: dict[str, str]) -> Form:
    respondent = data.get("respondent")
    if respondent not in RESPONDENTS:
        raise InstrumentError(_("respondent ska vara en av {known}, inte {respondent}")
                               .format(known=', '.join(RESPONDENTS), respondent=repr(respondent)),
                                       file=file, line=_find(raw, "respondent"))
    for key in ("title", "consent_text"):
        if not str(data.get(key, "")).strip():
            raise InstrumentError(_("'{key}' saknas i formuläret för {respondent}")
                                   .format(key=key, respondent=respondent), file=file, line=1)
    raw_items = data.get("item", [])
    if not raw_items:
        raise InstrumentError(_("formuläret har inga frågor"), file=file)
    items: list[Item] = []
    for entry in raw_items:
        item = _parse_item(entry, raw, file, respondent, scales, seen, items)
        seen[item.id] = file
        items.append(item)
    paper = str(data.get("paper_consent_text", ""))
    if "paper_consent_text" in data and not paper.strip():
        raise InstrumentError(_("'paper_consent_text' är tom i formuläret för {respondent}; "
                                "ta bort nyckeln eller skriv texten")
                              .format(respondent=respondent), file=file,
                              line=_find(raw, "paper_consent_text"))
    return Form(respondent=respondent, title=str(data["title"]),
                consent_text=" ".join(str(data["consent_text"]).split()), items=tuple(items),
                file=file, paper_consent_text=" ".join(paper.split()))


def _parse_item(entry: dict[str, Any], raw: str, file: str, respondent: str,
                scales: dict[str, list[str]], seen: dict[str, str],
                earlier: list[Item]) -> Item:
    item_id = str(entry.get("id", ""))
    line = _line_of(raw, item_id) if item_id else None

    def fail(rule: str, key: str | None = None) -> InstrumentError:
        at = _line_of(raw, item_id, key) if item_id and key else line
        return InstrumentError(rule, file=file, line=at, item=item_id or None)

    if not ID_RE.fullmatch(item_id):
        raise fail(_("fråge-id {item} ska vara 2–41 gemener, siffror eller _")
                    .format(item=repr(item_id)))
    if item_id in seen:
        raise fail(_("fråge-id:t finns redan (också i {file})")
                    .format(file=Path(seen[item_id]).name))
    unknown = set(entry) - ITEM_KEYS
    if unknown:
        raise fail(_("okända nycklar {keys}")
                    .format(keys=', '.join(sorted(unknown))), sorted(unknown)[0])
    type_name = str(entry.get("type", ""))
    if type_name.lower() in FREE_TEXT_TYPES:
        raise fail(_("typen '{type}' är fritext; ingen fritext får sparas")
                    .format(type=type_name), "type")
    try:
        answer_type = AnswerType(type_name)
    except ValueError:
        raise fail(_("okänd svarstyp {type}; använd en av {known}")
                    .format(type=repr(type_name), known=', '.join(t.value for t in AnswerType)),
                            "type") from None
    text = str(entry.get("text", "")).strip()
    if not text:
        raise fail(_("formulering att läsa upp saknas ('text')"), "text")

    read_all = bool(entry.get("read_aloud", True))
    options: list[Option] = []
    if answer_type is AnswerType.SCALE:
        if "scale" in entry:
            if entry["scale"] not in scales:
                raise fail(_("okänd skala {scale}").format(scale=repr(entry['scale'])), "scale")
            labels = scales[entry["scale"]]
            options = [Option(i + 1, lab, read_all) for i, lab in enumerate(labels)]
        else:
            options = _parse_options(entry.get("options", []), read_all, fail)
            if [o.code for o in options] != [1, 2, 3, 4, 5]:
                raise fail(_("en skala har exakt 5 steg kodade 1–5, den här har {count}")
                            .format(count=len(options)), "options")
    elif answer_type in (AnswerType.SINGLE, AnswerType.MULTI):
        options = _parse_options(entry.get("options", []), read_all, fail)
        if len(options) < 2:
            raise fail(_("en flervalsfråga behöver minst 2 svarsalternativ"), "options")
    elif "options" in entry or "scale" in entry:
        raise fail(_("en fråga av typen '{type}' har inga svarsalternativ")
                    .format(type=answer_type), "options")

    lo, hi = int(entry.get("min", 0)), int(entry.get("max", 0))
    if answer_type is AnswerType.AGE and not (0 <= lo < hi <= 130):
        raise fail(_("en åldersfråga behöver 0 <= min < max <= 130"), "min")

    nonresponse = tuple(str(n) for n in entry.get("nonresponse", []))
    for key in nonresponse:
        if key not in NONRESPONSE:
            raise fail(_("okänt bortfallsalternativ {key}; använd ett av {known}")
                        .format(key=repr(key), known=', '.join(NONRESPONSE)), "nonresponse")
    na_label = str(entry.get("not_applicable_label", ""))
    if na_label and "not_applicable" not in nonresponse:
        raise fail(_("'not_applicable_label' anges men 'not_applicable' är inte tillåtet"),
                   "not_applicable_label")

    conditions = _parse_routing(entry.get("show_if"), item_id, earlier, fail)
    high_is_bad = entry.get("high_is_bad", False)
    if not isinstance(high_is_bad, bool) or (high_is_bad and answer_type is not AnswerType.SCALE):
        raise fail(_("'high_is_bad' är true eller false, och bara en fråga med skala 1–5 "
                     "kan ha den"), "high_is_bad")
    prefill = str(entry.get("prefill", ""))
    if prefill and prefill not in PREFILLS:
        raise fail(_("okänd förifyllning {prefill}; använd en av {known}")
                    .format(prefill=repr(prefill), known=', '.join(sorted(PREFILLS))), "prefill")
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
        raise fail(_("'options' ska vara en lista av tabeller {{code, label}}"), "options")
    options: list[Option] = []
    for raw in raw_options:
        if not isinstance(raw, dict) or "code" not in raw or not str(raw.get("label", "")).strip():
            raise fail(_("varje svarsalternativ behöver 'code' och 'label'"), "options")
        unknown = set(raw) - OPTION_KEYS
        if unknown:
            raise fail(_("okända nycklar i svarsalternativ: {keys}")
                        .format(keys=', '.join(sorted(unknown))), "options")
        code = raw["code"]
        if not isinstance(code, int) or code < 0:
            raise fail(_("svarskoden {code} ska vara ett heltal >= 0 (negativa koder är "
                         "reserverade för bortfall)").format(code=repr(code)), "options")
        if any(o.code == code for o in options):
            raise fail(_("svarskoden {code} används två gånger").format(code=code), "options")
        options.append(Option(code, str(raw["label"]), bool(raw.get("read_aloud", read_all)),
                              bool(raw.get("alert", False))))
    if len(options) > MAX_KEYED_OPTIONS:
        raise fail(_("{count} svarsalternativ; högst {limit} ryms på sifferknapparna")
                    .format(count=len(options), limit=MAX_KEYED_OPTIONS), "options")
    return options


def _parse_routing(raw: Any, item_id: str, earlier: list[Item], fail: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    conditions: list[Condition] = []
    before = {i.id: i for i in earlier}
    for cond in entries:
        if not isinstance(cond, dict) or "item" not in cond or "in" not in cond:
            raise fail(_("'show_if' behöver {{item = \"...\", in = [koder]}}"), "show_if")
        target = str(cond["item"])
        if target == item_id:
            raise fail(_("cirkulär hoppregel: frågans synlighet beror på den själv"), "show_if")
        if target not in before:
            raise fail(_("hoppregeln beror på frågan '{target}', som är okänd eller kommer "
                         "senare; hoppregler får bara se bakåt").format(target=target), "show_if")
        values = frozenset(int(v) for v in cond["in"])
        ref = before[target]
        if ref.type in (AnswerType.SCALE, AnswerType.SINGLE):
            bad = sorted(v for v in values if ref.option(v) is None)
            if bad:
                raise fail(_("hoppregeln nämner okända svarsalternativ {bad} för frågan "
                             "'{target}'").format(bad=bad, target=target), "show_if")
        conditions.append(Condition(target, values))
    return tuple(conditions)
