"""Anonymous records between databases: export, import, push, withdraw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ubu_tui.cli.common import Context, command, file_arg, say, warn
from ubu_tui.i18n import _


def export(ctx: Context) -> int:
    from ubu_tui.store import transfer

    only = ctx.args.only_municipality
    if only:
        from ubu_tui.store.submissions import check_municipality

        check_municipality(only)
    out = Path(ctx.args.file)
    write = transfer.export_csv if ctx.args.format == "csv" else transfer.export_jsonl
    n = write(ctx.store, out, only)
    say(_("exporterade {n} poster till {file} (kodbok: {codebook})").format(
        n=n, file=out, codebook=f"{out.name}.codebook.txt"))
    return 0


def import_records(ctx: Context) -> int:
    from ubu_tui.store import transfer

    imported = transfer.import_jsonl(ctx.store, Path(ctx.args.file))
    say(_("importerade {added} poster; {present} fanns redan").format(
        added=imported.added, present=imported.already_present))
    return 0


def push(ctx: Context) -> int:
    from ubu_tui.store import open_store
    from ubu_tui.store.shared import push as send

    target = open_store(ctx.args.to)

    def progress(sent: int, already: int) -> None:
        warn(_("  … {sent} skickade, {already} fanns redan").format(sent=sent, already=already))

    pushed = send(ctx.store, target, municipality=ctx.args.only_municipality, on_batch=progress,
                  skip_local=ctx.args.skip_local)
    say(_("skickade {sent} poster; {already} fanns redan i den gemensamma databasen").format(
        sent=pushed.sent, already=pushed.already))
    if pushed.kept_local:
        say(_("{kept} poster från en lokal version skickades inte; de stannar här och slås "
              "aldrig ihop med nationella resultat").format(kept=pushed.kept_local))
    return 0


def withdraw(ctx: Context) -> int:
    from ubu_tui.errors import InputRejected
    from ubu_tui.store.shared import withdraw as delete_all

    municipality = ctx.args.municipality
    if not ctx.args.yes:
        raise InputRejected(_("att dra tillbaka tar bort varje post från kommun {municipality} "
                              "och kan inte ångras; lägg till --yes").format(
                                  municipality=municipality))
    say(_("drog tillbaka {n} poster från kommun {municipality}").format(
        n=delete_all(ctx.store, municipality), municipality=municipality))
    return 0


def register(sub: Any) -> None:
    p = command(sub, "export", _("exportera alla anonyma poster (JSON Lines eller CSV), med "
                                 "kodboken i FILE.codebook.txt"), export,
                "ubu export poster.jsonl", "ubu export poster.csv --format csv",
                "ubu export egna.jsonl --only-municipality 0180")
    file_arg(p, "file", metavar="FILE", help=_("filen som skrivs"))
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                   help=_("jsonl (för import) eller csv (för kalkylark) (standard: "
                          "%(default)s)"))
    p.add_argument("--only-municipality", metavar="NNNN",
                   help=_("bara den här kommunens poster (standard: alla)"))
    p = command(sub, "import", _("importera poster från `ubu export` (JSON Lines); allt eller "
                                 "inget, en post som redan finns hoppas över"), import_records,
                "ubu import poster.jsonl")
    file_arg(p, "file", metavar="FILE", help=_("JSON Lines-filen från ubu export"))
    p = command(sub, "push", _("skicka den här databasens poster till den gemensamma databasen "
                               "(kör igen efter ett avbrott)"), push,
                "ubu push --to postgresql+psycopg://ubu@db.example/ubu")
    p.add_argument("--to", required=True, metavar="URL",
                   help=_("den gemensamma databasens SQLAlchemy-URL (krävs)"))
    p.add_argument("--only-municipality", metavar="NNNN",
                   help=_("bara den här kommunens poster (standard: alla)"))
    p.add_argument("--skip-local", action="store_true",
                   help=_("skicka de nationella posterna och behåll posterna från en lokal "
                          "version här (utan flaggan skickas ingenting när sådana finns)"))
    p = command(sub, "withdraw", _("ta bort alla poster från en kommun (kommunens eget beslut; "
                                   "aldrig en enskild post)"), withdraw,
                "ubu withdraw --municipality 0180 --yes")
    p.add_argument("--municipality", required=True, metavar="NNNN",
                   help=_("kommunkoden, fyra siffror (krävs)"))
    p.add_argument("--yes", action="store_true",
                   help=_("bekräfta: det går inte att ångra"))
