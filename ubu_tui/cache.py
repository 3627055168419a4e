"""Work worth keeping between starts, remembered by the bytes it was done on.

Two things are redone on every start otherwise: the identifier screen over every text of the
instrument (about 1 650 strings; `instrument.loader`) and compiling the `.po` catalogues of a
checkout (`i18n`). Each entry is named by a SHA-256 of its input together with the code that
judges it, so an edited file, or a changed screen, is judged afresh; nothing in the cache is
ever trusted on its name alone.

The folder is UBU_CACHE_DIR or the user's cache folder. A cache that cannot be read or written
(read-only home, full disk) only costs the time it would have saved: every failure here is
silent and the work is done as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path


@cache
def cache_dir() -> Path:
    env = os.environ.get("UBU_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ubu-tui", appauthor=False))


def key(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))     # so that parts cannot run together
        digest.update(part)
    return digest.hexdigest()


def entry(kind: str, name: str) -> Path:
    return cache_dir() / kind / name


def read(kind: str, name: str) -> bytes | None:
    try:
        return entry(kind, name).read_bytes()
    except OSError:
        return None


def write(kind: str, name: str, data: bytes) -> None:
    """Store `data` whole or not at all (a reader never sees half an entry)."""
    path = entry(kind, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


@cache
def source_of(module_file: str) -> bytes:
    """A module's own source, for keys that must change when the code that judges changes."""
    try:
        return Path(module_file).read_bytes()
    except OSError:          # no source beside the bytecode: never match an older entry
        return os.urandom(16)
