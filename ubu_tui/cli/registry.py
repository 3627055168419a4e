"""The provider unit registry: registry import, registry export."""

from __future__ import annotations

import sys
from typing import Any

from ubu_tui.cli.common import Context, command, file_arg, say, subcommands, warn
from ubu_tui.i18n import _, ngettext


def import_units(ctx: Context) -> int:
    from ubu_tui.store import registry

    report = registry.import_units(ctx.store, ctx.args.file)
    for warning in report.warnings:
        warn(_("varning: {warning}").format(warning=warning))
    say(_("registret: {added} enheter tillagda, {updated} uppdaterade").format(
        added=report.added, updated=report.updated))
    if report.held:
        say(ngettext("{n} ändring av gruppering gäller från nästa utgåva",
                     "{n} ändringar av gruppering gäller från nästa utgåva",
                     report.held).format(n=report.held))
    return 0


def export_units(ctx: Context) -> int:
    from ubu_tui.store import registry

    text = registry.export_units(ctx.store)
    held = registry.held_changes(ctx.store)
    if held:
        warn(ngettext("{n} ändring av gruppering väntar på nästa utgåva; exporten visar "
                      "grupperingen som gäller nu",
                      "{n} ändringar av gruppering väntar på nästa utgåva; exporten visar "
                      "grupperingen som gäller nu", held).format(n=held))
    if ctx.args.file:
        from ubu_tui.outputs import write_text

        write_text(ctx.args.file, text)
    else:
        sys.stdout.write(text)
    return 0


def register(sub: Any) -> None:
    group = command(sub, "registry", _("importera eller exportera registret över utförare och "
                                       "enheter (CSV)"), None,
                    "ubu registry import enheter.csv", "ubu registry export > enheter.csv")
    actions = subcommands(group, "action")
    p = command(actions, "import", _("läs in enheter från en CSV-fil med rubrikraden "
                                     "id,name,owner,org_number,unit_type,permit_ref,"
                                     "operating_form,orientation"),
                import_units, "ubu registry import enheter.csv",
                details=_("Befintliga enheter uppdateras; inget tas bort."))
    file_arg(p, "file", metavar="FILE", help=_("CSV-filen som läses"))
    p = command(actions, "export", _("skriv registret som CSV, i samma form som import läser"),
                export_units, "ubu registry export enheter.csv")
    file_arg(p, "file", nargs="?", metavar="FILE",
             help=_("filen som skrivs (standard: standard ut)"))
