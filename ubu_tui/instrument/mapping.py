"""The declared mapping between two versions of an instrument: which items are the same question.

A version folder may name a `mapping.toml` that lists every item of the previous version once:
under [same] (previous id = this version's id) or under [changed] (previous id = why it is not
the same question). The rules checked here make "same id" mean "same question" everywhere, so
that nothing downstream can mix versions by accident:

- an item id found in both versions must be declared [same]; a changed question gets a new id;
- items declared the same have the same answer type, and a scale item the same scale labels;
- an index id found in both versions must hold the same questions; a changed index gets a new id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ubu_tui.errors import InstrumentError
from ubu_tui.instrument.model import AnswerType, Instrument, Mapping

MAPPING_KEYS = {"previous", "same", "changed"}


def load_mapping(path: Path, current: Instrument) -> Mapping:
    """Read and check `path` against the previous version (a sibling folder) and `current`."""
    from ubu_tui.instrument.loader import _find, _read_toml, load_instrument

    data, raw = _read_toml(path)
    file = str(path)

    def fail(rule: str, needle: str | None = None) -> InstrumentError:
        return InstrumentError(rule, file=file, line=_find(raw, needle) if needle else None)

    unknown = set(data) - MAPPING_KEYS
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}; a mapping has "
                   "previous, [same] and [changed]", sorted(unknown)[0])
    previous_version = str(data.get("previous", ""))
    previous_folder = Path(current.source).parent / previous_version
    if not previous_version or not (previous_folder / "instrument.toml").exists():
        raise fail(f"previous version {previous_version!r} is not a folder beside "
                   f"{Path(current.source).name}", "previous")
    previous = load_instrument(previous_folder)
    if previous.id != current.id:
        raise fail(f"previous version is instrument '{previous.id}', not '{current.id}'",
                   "previous")
    same = _table(data, "same", fail)
    changed = _table(data, "changed", fail)
    for old_id in list(same) + list(changed):
        if old_id not in previous.items:
            raise fail(f"'{old_id}' is not an item of {previous.key}", old_id)
    for old_id in set(same) & set(changed):
        raise fail(f"'{old_id}' is declared both [same] and [changed]", old_id)
    forgotten = [i for i in previous.items if i not in same and i not in changed]
    if forgotten:
        raise fail(f"every item of {previous.key} must be declared [same] or [changed]; "
                   f"missing: {', '.join(forgotten)}")
    targets: dict[str, str] = {}
    for old_id, new_id in same.items():
        if new_id not in current.items:
            raise fail(f"[same] maps '{old_id}' to '{new_id}', which is not an item of "
                       f"{current.key}", old_id)
        if new_id in targets:
            raise fail(f"'{targets[new_id]}' and '{old_id}' are both mapped to '{new_id}'",
                       old_id)
        targets[new_id] = old_id
        old, new = previous.item(old_id), current.item(new_id)
        if old.type is not new.type:
            raise fail(f"'{old_id}' ({old.type}) and '{new_id}' ({new.type}) cannot be the "
                       "same question: the answer types differ", old_id)
        if old.type is AnswerType.SCALE and [o.label for o in old.options] != [
                o.label for o in new.options]:
            raise fail(f"'{old_id}' and '{new_id}' are answered on different scales; a "
                       "changed scale is a changed question (give it a new id)", old_id)
    for item_id in current.items:
        if item_id in previous.items and same.get(item_id) != item_id:
            raise fail(f"'{item_id}' keeps its id from {previous.key} but is not declared "
                       f"the same question; give the changed question a new id, or declare "
                       f"{item_id} = \"{item_id}\" under [same]", item_id)
    old_indices = {ix.id: ix for ix in previous.indices}
    for ix in current.indices:
        if ix.id in old_indices:
            carried = {same.get(m) for m in old_indices[ix.id].items}
            if carried != set(ix.items):
                raise fail(f"index '{ix.id}' holds other questions than in {previous.key}; "
                           "a changed index needs a new id, so that no figure mixes the two")
    return Mapping(previous=previous_version, same=same, changed=changed)


def _table(data: dict[str, Any], key: str, fail: Any) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise fail(f"[{key}] must be a table of item id = \"text\"", f"[{key}]")
    return {str(k): str(v) for k, v in table.items()}
