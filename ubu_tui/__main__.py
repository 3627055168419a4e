"""The `ubu` command: the interview app, and subcommands for instruments, registry and records.

Every failure a user can cause ends in one plain message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ubu_tui.errors import UbuError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ubu", description="UBU follow-up interviews in the terminal")
    p.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in your data folder; "
                   "env UBU_DATABASE_URL)")
    p.add_argument("--municipality", help="four-digit municipality code (env UBU_MUNICIPALITY)")
    p.add_argument("--theme", help="Textual theme, e.g. ubu-high-contrast (env UBU_THEME)")
    p.add_argument("--language", help="interface language: sv, en, fi, so, ar (env "
                   "UBU_LANGUAGE); interview languages are chosen per respondent")
    p.add_argument("--practice", action="store_true",
                   help="run the app on the practice store only (env UBU_PRACTICE_DATABASE_URL "
                   "sets it; default: a separate SQLite file)")
    sub = p.add_subparsers(dest="command")
    cb = sub.add_parser("codebook", help="print an instrument as a codebook")
    cb.add_argument("folder", nargs="?", help="instrument folder (default: the shipped one)")
    pf = sub.add_parser("paper-form", help="a printable form for one respondent, in a "
                        "language (HTML)")
    pf.add_argument("respondent", choices=("youth", "guardian", "caseworker"))
    pf.add_argument("output")
    pf.add_argument("--in", dest="interview_language", default="sv",
                    help="sv, en, fi, so or ar (default sv)")
    ci = sub.add_parser("check-instrument", help="validate an instrument folder")
    ci.add_argument("folder")
    reg = sub.add_parser("registry", help="import or export the provider unit registry (CSV)")
    reg_sub = reg.add_subparsers(dest="action", required=True)
    reg_sub.add_parser("import").add_argument("file")
    reg_sub.add_parser("export").add_argument("file", nargs="?", help="default: stdout")
    ex = sub.add_parser("export", help="export all anonymous records (JSON Lines or CSV)")
    ex.add_argument("file")
    ex.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    ex.add_argument("--only-municipality", help="export only this municipality's records")
    im = sub.add_parser("import", help="import records exported by `ubu export` (JSON Lines)")
    im.add_argument("file")
    sc = sub.add_parser("check-scenario", help="validate practice scenario files")
    sc.add_argument("files", nargs="+")
    tr = sub.add_parser("trainer", help="the trainer's view of a running practice: what the "
                        "respondent says next, and the key")
    tr.add_argument("--once", action="store_true", help="print the view once and exit")
    rp = sub.add_parser("report", help="the standard results report for a period, "
                        "suppressed (for scheduled monthly runs)")
    rp.add_argument("--from", dest="period_from", required=True, help="first month, YYYY-MM")
    rp.add_argument("--to", dest="period_to", help="last month, YYYY-MM (default: --from)")
    rp.add_argument("--format", choices=("html", "pptx", "xlsx", "csv"), default="html")
    rp.add_argument("--threshold", type=int, help="raise the suppression threshold (env "
                    "UBU_THRESHOLD); it is printed in the report")
    rp.add_argument("output", help="file to write")
    sub.add_parser("practice-scores", help="practice results, for a trainer to compare a group")
    db = sub.add_parser("db", help="create or migrate the database (upgrade); create the "
                        "PostgreSQL roles (roles)")
    db.add_argument("action", choices=("upgrade", "roles"))
    db.add_argument("--prefix", default="ubu", help="role name prefix (default ubu)")
    db.add_argument("--show", action="store_true", help="print the SQL instead of running it")
    pu = sub.add_parser("push", help="send this store's submissions to the shared database "
                        "(idempotent; run again after a dropped connection)")
    pu.add_argument("--to", required=True, help="the shared database URL")
    pu.add_argument("--only-municipality", help="push only this municipality's records")
    wd = sub.add_parser("withdraw", help="delete all records of one municipality (its own)")
    wd.add_argument("--municipality", required=True)
    wd.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    return p


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from ubu_tui.config import Settings

    if args.municipality is not None:
        from ubu_tui.store.submissions import check_municipality

        check_municipality(args.municipality)
    settings = Settings.from_env(database_url=args.database_url,
                                 municipality=args.municipality, theme=args.theme,
                                 practice=args.practice or None, language=args.language,
                                 threshold=str(args.threshold) if getattr(
                                     args, "threshold", None) is not None else None)
    if args.command in ("codebook", "check-instrument"):
        from ubu_tui.instrument.codebook import codebook
        from ubu_tui.instrument.loader import default_instrument, load_instrument

        instrument = load_instrument(Path(args.folder)) if args.folder else default_instrument()
        if args.command == "codebook":
            sys.stdout.write(codebook(instrument))
        else:
            counts = ", ".join(f"{r} {len(f.items)}" for r, f in instrument.forms.items())
            mapped = (f"; {len(instrument.mapping.same)} items the same as "
                      f"{instrument.mapping.previous}" if instrument.mapping else "")
            print(f"{instrument.key}: valid, {instrument.scope} ({counts} items, "
                  f"{len(instrument.indices)} indices{mapped})")
        return 0

    if args.command == "paper-form":
        from ubu_tui.errors import InputRejected
        from ubu_tui.i18n import LANGUAGES
        from ubu_tui.instrument.loader import default_instrument
        from ubu_tui.instrument.paper import paper_form

        if args.interview_language not in LANGUAGES:
            raise InputRejected(f"no language '{args.interview_language}'; use one of "
                                f"{', '.join(LANGUAGES)}")
        Path(args.output).write_text(paper_form(default_instrument(), args.respondent,
                                                args.interview_language), encoding="utf-8")
        print(f"paper form for {args.respondent} in {args.interview_language}: {args.output}")
        return 0
    if args.command == "check-scenario":
        from ubu_tui.practice.scenario import load_scenario

        for file in args.files:
            scenario = load_scenario(file)
            print(f"{file}: valid ({scenario.id}, "
                  f"{sum(len(s.lines) for s in scenario.scripts.values())} lines)")
        return 0

    if args.command is None:
        from ubu_tui.app import make_app

        app = make_app(settings)          # opens the store itself, after the first frame
        app.run()
        return app.return_code or 0

    from ubu_tui.store import open_store

    if args.command in ("trainer", "practice-scores"):
        practice = open_store(settings.practice_url, practice=True)
        if args.command == "practice-scores":
            from ubu_tui.store.practice import format_results, list_results

            sys.stdout.write(format_results(list_results(practice)))
        elif args.once:
            from ubu_tui.practice.trainer import trainer_view

            print(trainer_view(practice))
        else:
            from ubu_tui.practice.trainer import follow

            follow(practice)
        return 0
    if args.command == "db":
        from ubu_tui.store import make_engine
        from ubu_tui.store.schema import ensure_schema

        if args.action == "roles":
            from ubu_tui.store.shared import create_roles, role_statements

            if args.show:
                print(";\n".join(role_statements(args.prefix)) + ";")
                return 0
            engine = open_store(settings.database_url)
            for line in create_roles(engine, args.prefix):
                print(f"role {line}")
            return 0
        print(f"database: {ensure_schema(make_engine(settings.database_url or _default()))}")
        return 0
    engine = open_store(settings.database_url)
    if args.command == "registry":
        from ubu_tui.store import registry

        if args.action == "import":
            report = registry.import_units(engine, args.file)
            for warning in report.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(f"registry: {report.added} units added, {report.updated} updated")
        else:
            text = registry.export_units(engine)
            if args.file:
                Path(args.file).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
        return 0
    if args.command == "report":
        from ubu_tui.instrument.codebook import codebook
        from ubu_tui.instrument.loader import default_instrument
        from ubu_tui.results.query import Selection
        from ubu_tui.results.render import write
        from ubu_tui.results.report import standard_report
        from ubu_tui.store.transfer import _require_real

        _require_real(engine, "reported")
        selection = Selection(args.period_from, args.period_to or args.period_from)
        instrument = default_instrument()
        results = standard_report(engine, instrument, selection, settings.threshold_in_force())
        out = Path(args.output)
        write(results, out, args.format, codebook(instrument))
        hidden = len(results.suppression_notes()) - 1
        print(f"report {results.period}: {results.followups or 'fewer than threshold'} "
              f"follow-ups, {hidden} suppressed figures listed; written to {out}")
        return 0
    if args.command == "push":
        from ubu_tui.store.shared import push

        target = open_store(args.to)

        def progress(sent: int, already: int) -> None:
            print(f"  … {sent} sent, {already} already there", file=sys.stderr)

        pushed = push(engine, target, municipality=args.only_municipality, on_batch=progress)
        print(f"pushed {pushed.sent} records; {pushed.already} were already in the shared "
              "database")
        return 0
    if args.command == "withdraw":
        from ubu_tui.errors import InputRejected
        from ubu_tui.store.shared import withdraw

        if not args.yes:
            raise InputRejected(f"withdrawing deletes every record of municipality "
                                f"{args.municipality} and cannot be undone; add --yes")
        print(f"withdrew {withdraw(engine, args.municipality)} records of municipality "
              f"{args.municipality}")
        return 0
    if args.command == "export":
        from ubu_tui.store import transfer

        only = args.only_municipality
        if only:
            from ubu_tui.store.submissions import check_municipality

            check_municipality(only)
        out = Path(args.file)
        n = (transfer.export_csv if args.format == "csv" else transfer.export_jsonl)(
            engine, out, only)
        print(f"exported {n} records to {out} (codebook: {out.name}.codebook.txt)")
        return 0
    if args.command == "import":
        from ubu_tui.store import transfer

        imported = transfer.import_jsonl(engine, Path(args.file))
        print(f"imported {imported.added} records; {imported.already_present} were already "
              "present")
    return 0


def _default() -> str:
    from ubu_tui.store import default_url

    return default_url()


def main(argv: list[str] | None = None) -> None:
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except UbuError as err:
        print(f"ubu: {err}", file=sys.stderr)
        code = err.exit_code
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
