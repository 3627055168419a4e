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
from ubu_tui.i18n import _
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
        raise fail(_("okända nycklar {keys}; en mappning har previous, [same] och [changed]")
                   .format(keys=', '.join(sorted(unknown))), sorted(unknown)[0])
    previous_version = str(data.get("previous", ""))
    previous_folder = Path(current.source).parent / previous_version
    if not previous_version or not (previous_folder / "instrument.toml").exists():
        raise fail(_("den tidigare versionen {previous} är ingen mapp bredvid {current}")
                   .format(previous=repr(previous_version), current=Path(current.source).name),
                   "previous")
    previous = load_instrument(previous_folder)
    if previous.id != current.id:
        raise fail(_("den tidigare versionen är instrumentet '{previous}', inte '{current}'")
                   .format(previous=previous.id, current=current.id), "previous")
    same = _table(data, "same", fail)
    changed = _table(data, "changed", fail)
    for old_id in list(same) + list(changed):
        if old_id not in previous.items:
            raise fail(_("'{item}' är ingen fråga i {version}")
                       .format(item=old_id, version=previous.key), old_id)
    for old_id in set(same) & set(changed):
        raise fail(_("'{item}' anges både under [same] och [changed]").format(item=old_id),
                   old_id)
    forgotten = [i for i in previous.items if i not in same and i not in changed]
    if forgotten:
        raise fail(_("varje fråga i {version} ska anges under [same] eller [changed]; "
                     "saknas: {missing}").format(version=previous.key,
                                                  missing=', '.join(forgotten)))
    targets: dict[str, str] = {}
    for old_id, new_id in same.items():
        if new_id not in current.items:
            raise fail(_("[same] mappar '{old}' till '{new}', som inte är en fråga i {version}")
                       .format(old=old_id, new=new_id, version=current.key), old_id)
        if new_id in targets:
            raise fail(_("'{first}' och '{second}' mappas båda till '{new}'")
                       .format(first=targets[new_id], second=old_id, new=new_id), old_id)
        targets[new_id] = old_id
        old, new = previous.item(old_id), current.item(new_id)
        if old.type is not new.type:
            raise fail(_("'{old}' ({old_type}) och '{new}' ({new_type}) kan inte vara samma "
                         "fråga: svarstyperna skiljer sig")
                       .format(old=old_id, old_type=old.type, new=new_id, new_type=new.type),
                       old_id)
        if old.type is AnswerType.SCALE and [o.label for o in old.options] != [
                o.label for o in new.options]:
            raise fail(_("'{old}' och '{new}' besvaras på olika skalor; en ändrad skala är en "
                         "ändrad fråga (ge den ett nytt id)").format(old=old_id, new=new_id),
                       old_id)
    for item_id in current.items:
        if item_id in previous.items and same.get(item_id) != item_id:
            raise fail(_("'{item}' behåller sitt id från {version} men anges inte som samma "
                         "fråga; ge den ändrade frågan ett nytt id, eller ange "
                         "{item} = \"{item}\" under [same]")
                       .format(item=item_id, version=previous.key), item_id)
    old_indices = {ix.id: ix for ix in previous.indices}
    for ix in current.indices:
        if ix.id in old_indices:
            carried = {same.get(m) for m in old_indices[ix.id].items}
            if carried != set(ix.items):
                raise fail(_("indexet '{index}' har andra frågor än i {version}; ett ändrat index "
                             "behöver ett nytt id, så att inget tal blandar de två")
                           .format(index=ix.id, version=previous.key))
    return Mapping(previous=previous_version, same=same, changed=changed)


def _table(data: dict[str, Any], key: str, fail: Any) -> dict[str, str]:
    table = data.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise fail(_("[{key}] ska vara en tabell med fråge-id = \"text\"").format(key=key),
                   f"[{key}]")
    return {str(k): str(v) for k, v in table.items()}
