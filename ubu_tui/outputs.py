"""Files ubu writes (exports, reports, paper forms): checked before any work, failures as messages.

Every command that writes a file goes through `writing(path)`, so a folder given as the output,
a missing folder, a file or folder without write permission, or a full disk ends in one message
(what, where, what to do) instead of a traceback, and before the database is read.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _


def output_path(path: Path | str) -> Path:
    """`path` as a Path if a file can be written there; else InputRejected saying why."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InputRejected(_("{path} är en mapp; ange ett filnamn i den, till exempel {example}.")
                             .format(path=path, example=path / ('out' + (path.suffix or '.txt'))))
    folder = path.parent
    if not folder.is_dir():
        raise InputRejected(_("Mappen {folder} finns inte; skapa den eller ange en annan "
                              "utdatafil än {path}.").format(folder=folder, path=path))
    if (path.exists() and not os.access(path, os.W_OK)) or (
            not path.exists() and not os.access(folder, os.W_OK)):
        raise InputRejected(_("{path} kan inte skrivas (behörighet saknas); välj en fil i en "
                              "mapp du får skriva i.").format(path=path))
    return path


def _explain(path: Path, err: OSError) -> InputRejected:
    if err.errno == errno.ENOSPC:
        return InputRejected(f"the disk is full: {path} could not be written; free some space "
                             "and run the command again")
    return InputRejected(f"{path} could not be written ({err.strerror or err}); choose another "
                         "file or folder")


@contextmanager
def writing(path: Path | str) -> Iterator[Path]:
    """Check `path` first, then turn any failure while writing it into a message."""
    checked = output_path(path)
    try:
        yield checked
    except OSError as err:
        raise _explain(checked, err) from None


def write_text(path: Path | str, text: str) -> Path:
    with writing(path) as checked:
        checked.write_text(text, encoding="utf-8")
    return checked
