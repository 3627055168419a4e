"""Packaging that pyproject.toml cannot say: the top-level `data/` and `locales/` folders become
the packages `ubu_tui.data` and `ubu_tui.locales`, and the catalogues are compiled to `.mo` as
the wheel is built. Everything else is in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

SHIPPED = {"ubu_tui.data": "data", "ubu_tui.locales": "locales"}


class BuildPyWithCatalogues(build_py):
    """Compile every `locales/<lang>/LC_MESSAGES/*.po` into the `.mo` the installed app reads.

    Fuzzy entries are left out, as msgfmt does, so an installed app shows the same Swedish
    fallback as the checkout, which reads the `.po` files directly."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target = Path(self.build_lib, "ubu_tui", "locales")
        for po in sorted(Path("locales").glob("*/LC_MESSAGES/*.po")):
            mo = target / po.relative_to("locales").with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as fp:
                catalog = read_po(fp, locale=po.parts[-3])
            with mo.open("wb") as fp:
                write_mo(fp, catalog)


setup(
    packages=find_packages(include=["ubu_tui*"]) + list(SHIPPED),
    package_dir=SHIPPED,
    package_data={
        "ubu_tui": ["*.tcss", "store/migrations/*.py", "store/migrations/versions/*.py"],
        "ubu_tui.data": ["instruments/**/*.toml", "scenarios/*.toml", "registry/*.csv"],
        "ubu_tui.locales": ["*/translation.toml"],
    },
    cmdclass={"build_py": BuildPyWithCatalogues},
)
