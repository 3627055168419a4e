"""Where ubu's shipped files are: instruments, scenarios, the demo registry and catalogues.

The checkout keeps them in the top-level `data/` and `locales/`; the build maps those folders
into the package as `ubu_tui.data` and `ubu_tui.locales` (see setup.py), so a wheel or a pipx
install finds them through the package, whatever the working directory. An editable install
maps the same names onto the checkout's folders, so there is one way to find them.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from ubu_tui.errors import UbuError


def _folder(package: str) -> Path:
    root = files(package)
    # Callers glob and stat these files, so they must be real files on disk: ubu is installed
    # unpacked (pip, pipx), never imported from a zip.
    if not isinstance(root, Path):
        raise UbuError(f"ubu-tui's {package} is not a folder on disk ({root}); reinstall "
                       "ubu-tui with pip or pipx")
    return root


def data_dir() -> Path:
    """The shipped data folder, or UBU_DATA_DIR where set (another organisation's files)."""
    env = os.environ.get("UBU_DATA_DIR")
    return Path(env) if env else _folder("ubu_tui.data")


def locales_dir() -> Path:
    """The gettext catalogues: `<lang>/LC_MESSAGES/<domain>.mo` (built) or `.po` (checkout)."""
    return _folder("ubu_tui.locales")
