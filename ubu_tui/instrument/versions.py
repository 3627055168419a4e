"""The version rule for results: which answers of different versions may be counted together.

Answers combine across versions only through a declared mapping (`mapping.toml`), and only
among national versions. Given the versions present in a selection, `combination()` says, for
every item of every version, the key its answers are counted under:

- an item of a national version that a chain of [same] declarations links to the newest
  national version present is counted under that newest version's id;
- any other item of a national version (a changed question, or one the newest present version
  no longer asks) is counted under its own id, which the mapping rules make unique to it;
- every item of a local version is counted under `item@version`, apart, and is never national.

Pure Python: the results layer asks this module and applies the answer in its own queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ubu_tui.instrument.model import Instrument, Item


@dataclass(frozen=True)
class Key:
    key: str          # what results group the answers under
    national: bool    # whether the answers may enter national comparisons


@dataclass(frozen=True)
class Combination:
    keys: dict[tuple[str, str, str], Key]     # (instrument id, version, item id) → key

    def key(self, instrument_id: str, version: str, item_id: str) -> Key:
        return self.keys[(instrument_id, version, item_id)]

    def members(self, key: str) -> set[tuple[str, str, str]]:
        """Every (instrument id, version, item id) counted under `key`."""
        return {k for k, v in self.keys.items() if v.key == key}

    def aliases(self) -> dict[str, str]:
        """National item ids counted under another id (a question renamed by a mapping)."""
        return {item: k.key for (_i, _v, item), k in self.keys.items()
                if k.national and k.key != item}


def _version_order(version: str) -> tuple[int, ...]:
    base = version.split("+", 1)[0]
    return tuple(int(p) if p.isdigit() else 0 for p in base.split("."))


def combination(instruments: Iterable[Instrument]) -> Combination:
    """The keys for `instruments`: the versions present, and any national version between
    them (a chain of mappings is only followed through the versions given)."""
    present = {i.key: i for i in instruments}
    keys: dict[tuple[str, str, str], Key] = {}
    by_id: dict[str, list[Instrument]] = {}
    for ins in present.values():
        if ins.national:
            by_id.setdefault(ins.id, []).append(ins)
        else:
            for item_id in ins.items:
                keys[(ins.id, ins.version, item_id)] = Key(f"{item_id}@{ins.version}", False)
    for versions in by_id.values():
        versions.sort(key=lambda i: _version_order(i.version))
        # Walk from the newest back: each item carries the key of its newest descendant.
        newest = versions[-1]
        carried: dict[str, str] = {item_id: item_id for item_id in newest.items}
        for item_id in newest.items:
            keys[(newest.id, newest.version, item_id)] = Key(item_id, True)
        later_ids: set[str] = set(newest.items)
        for later, earlier in zip(reversed(versions), list(reversed(versions))[1:], strict=False):
            mapping = later.mapping
            same = mapping.same if mapping is not None and mapping.previous == earlier.version \
                else {}
            back: dict[str, str] = {}
            for item_id in earlier.items:
                target = same.get(item_id)
                key = carried.get(target) if target is not None else None
                if key is None:
                    # Not the same question as anything later: its own id, unless a later
                    # version uses that id for something else (or no mapping links the two).
                    key = item_id if item_id not in later_ids else f"{item_id}@{earlier.version}"
                back[item_id] = key
                keys[(earlier.id, earlier.version, item_id)] = Key(key, True)
            carried = back
            later_ids |= set(earlier.items)
    return Combination(keys)


@cache
def shipped_combination() -> Combination:
    """The rule over every shipped version (what a store may hold)."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    return combination(instrument_by_version(i, v) for i, v in available_instruments())


def fold_aliases(rows: dict[tuple[str, object], dict[int, tuple[int, int]]],
                 aliases: dict[str, str]) -> dict[tuple[str, object], dict[int, tuple[int, int]]]:
    """Add the cells (count, key sum) of (item, group) rows under renamed ids to the id they are
    counted under: a cell's key is the sum of its records' keys, so a folded cell's key is the
    sum of the folded keys and the cell-key method perturbs it as any other cell."""
    if not aliases:
        return rows
    out: dict[tuple[str, object], dict[int, tuple[int, int]]] = {}
    for (item_id, grp), cells in rows.items():
        merged = out.setdefault((aliases.get(item_id, item_id), grp), {})
        for code, (n, key) in cells.items():
            had_n, had_key = merged.get(code, (0, 0))
            merged[code] = (had_n + n, had_key + key)
    return out


def reported_apart(current: Instrument, present: Iterable[tuple[str, str]]
                   ) -> list[tuple[Item, str]]:
    """Items of other national versions present that are not counted under any of `current`'s
    items: each with its version, to be reported on its own, never folded into a figure of
    `current`. A version this release does not ship is left out (its records stay counted
    only where ids are declared the same)."""
    from ubu_tui.errors import InstrumentError
    from ubu_tui.instrument.loader import instrument_by_version

    others = []
    for instrument_id, version in sorted(set(present)):
        if (instrument_id, version) == (current.id, current.version) or is_local(version):
            continue
        try:
            others.append(instrument_by_version(instrument_id, version))
        except InstrumentError:
            continue
    rule = combination([current, *others])
    out: list[tuple[Item, str]] = []
    for ins in others:
        for item_id, item in ins.items.items():
            key = rule.key(ins.id, ins.version, item_id).key
            if key not in current.items and key == item_id:
                out.append((item, ins.version))
    return out


def is_local(version: str) -> bool:
    """A local version carries a local label after '+' (the loader enforces this)."""
    return "+" in version
