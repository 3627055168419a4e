"""The database itself: db upgrade, db roles, db release."""

from __future__ import annotations

from typing import Any

from ubu_tui.cli.common import Context, command, say, subcommands
from ubu_tui.i18n import _, ngettext


def upgrade(ctx: Context) -> int:
    from ubu_tui.store import default_url, make_engine
    from ubu_tui.store.schema import ensure_schema
    from ubu_tui.store.shared import sync_instruments

    engine = make_engine(ctx.settings.database_url or default_url())
    say(_("databas: {state}").format(state=ensure_schema(engine)))
    versions = sync_instruments(engine)   # a new release may ship a new instrument version
    if versions:
        say(_("instrumentversioner i databasen: {n}").format(n=versions))
    return 0


def release(ctx: Context) -> int:
    from ubu_tui.store.shared import make_release

    made = make_release(ctx.store, now=ctx.args.now)
    say(ngettext("{n} väntande ändring av gruppering i registret gäller från den här utgåvan",
                 "{n} väntande ändringar av gruppering i registret gäller från den här utgåvan",
                 made.registry_changes).format(n=made.registry_changes))
    say(_("{n} poster väntar på nästa utgåva (den kommer av sig själv vid nästa "
          "månadsskifte)").format(n=made.waiting))
    return 0


def roles(ctx: Context) -> int:
    from ubu_tui.store.shared import create_roles, login_statements, map_login, role_statements

    if ctx.args.login or ctx.args.login_municipality:
        login, where = ctx.args.login or "", ctx.args.login_municipality or ""
        if ctx.args.show:
            say(";\n".join(login_statements(login, where, ctx.args.prefix)) + ";")
            return 0
        map_login(ctx.store, login, where, ctx.args.prefix)
        say(_("inloggning {login}: {role} för kommun {municipality}").format(
            login=login, role=f"{ctx.args.prefix}_caseworker", municipality=where))
        return 0
    if ctx.args.show:
        say(";\n".join(role_statements(ctx.args.prefix)) + ";")
        return 0
    from ubu_tui.store.shared import statistics_revoked

    for line in create_roles(ctx.store, ctx.args.prefix):
        say(_("roll {role}").format(role=line))
    if not statistics_revoked(ctx.store):
        say(_("statistikvyerna (pg_stat_*) går fortfarande att läsa för alla inloggningar: kör "
              "db roles som superanvändare för att ta bort den rätten"))
    return 0


def register(sub: Any) -> None:
    group = command(sub, "db", _("skapa eller uppgradera databasen; skapa PostgreSQL-rollerna"),
                    None, "ubu --database-url postgresql+psycopg://postgres@db/ubu db upgrade")
    actions = subcommands(group, "action")
    command(actions, "upgrade", _("skapa databasens tabeller eller uppgradera dem till den "
                                  "senaste versionen (Alembic)"), upgrade,
            "ubu db upgrade", "ubu --database-url postgresql+psycopg://postgres@db/ubu db upgrade")
    p = command(actions, "roles", _("skapa PostgreSQL-rollerna och deras rättigheter"), roles,
                "ubu db roles --show", "ubu --database-url postgresql+psycopg://postgres@db/ubu "
                "db roles --prefix ubu", "ubu db roles --login kw_0180 --municipality 0180")
    p.add_argument("--prefix", default="ubu",
                   help=_("prefix för rollernas namn (standard: %(default)s)"))
    p.add_argument("--show", action="store_true",
                   help=_("skriv ut SQL-satserna i stället för att köra dem"))
    p.add_argument("--login", metavar="NAME",
                   help=_("gör inloggningen till handläggare för en kommun (med --municipality): "
                          "den når bara kommunens utkast, export och återkallande"))
    p.add_argument("--municipality", dest="login_municipality", metavar="NNNN",
                   help=_("kommunkoden som --login arbetar för"))
    p = command(actions, "release", _("släpp det som kommit in till resultaten: inloggningarnas "
                                      "poster räknas först efter en utgåva (varje månadsskifte, "
                                      "eller nu med --now)"), release,
                "ubu db release", "ubu db release --now")
    p.add_argument("--now", action="store_true",
                   help=_("räkna med allt som kommit in hittills (annars: det som kom in före "
                          "den här månaden)"))
