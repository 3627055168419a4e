"""The shared database's registry: a login's regrouping of the units reaches the figures at the
next release, not at once (schema 0167).

Results are broken down by the registry's unit type, operating form and orientation (and the
index cube's unit_type column follows the registry through triggers on `unit`, store/cube.py).
An admin login edits the registry and reads the figures. Were its edits in force at once, it
could put a hidden unit (fewer than 3 follow-ups) in one type with one set of shown units,
read the type's count, move the hidden unit out, read again, and repeat with other sets: each
set is a new cell with its own draw of the cell-key noise, and the mean difference is the
hidden unit's count. Deleting a unit (its records fall to the group "not registered") and
adding it again does the same.

So, for every login but the database owner:

- a change of a unit's grouping columns (unit_type, operating_form, orientation) is held: the
  row keeps the grouping in force, and the change asked is written to `unit_change` (the unit,
  the grouping asked, the server's month, the login), which the admin can read. The latest
  statement naming a grouping column states the grouping asked: it replaces a held change of
  the same unit, and asking the grouping in force withdraws it;
- a deletion is held the same way, whether or not the unit has records: holding only those
  with records would tell the admin which units have any;
- adding a unit acts at once (a unit with no records regroups nothing; caseworkers need a new
  unit at once), except an id that once left the registry (a deletion, held or the owner's,
  is kept in `unit_change`): its records would come back into a group, so it is held too;
- the other columns (name, owner, organisation number, permit, active) act at once;
- a unit's id is not changed (add the unit under its new id instead).

Held changes are applied through the ordinary statements on `unit` (the index cube's sums of all
the units regrouped are moved in one statement, not unit by unit): by the owner's release (`ubu
db release`: those of earlier months; with --now all of them), and once a month by itself, at
the first record that comes in after the month turned (a statement trigger on `submission`; the
figure functions write nothing). So the registry a login can read figures under changes at most
once a month, as the released records do. The owner's own edits act at once and withdraw a
held change of the same unit.

What the monthly path lets a login see: the admin, reading `unit` or `unit_change.applied`,
learns that some record came in (somewhere in the country) after the month turned, and about
when. Nothing tells which unit or municipality, and the figures do not change with it; the
owner's release alone (or a scheduled `ubu db release` on the first of the month) would not
tell even that, at the cost of held changes waiting for the owner.

Which login asked is told by the role running the statement (current_user, not session_user):
inside the owner's functions (the release applying held changes) it is the owner. So the
trigger function runs with the caller's rights, and writes the held change through one
SECURITY DEFINER function that answers only inside a trigger.

SQLite has no logins: the registry of an office's own store acts at once, as before.
"""

from __future__ import annotations

from ubu_tui.store.pg_security import SEARCH_PATH, definer, private

TABLE_SQL = [
    """CREATE TABLE IF NOT EXISTS public.unit_change (
        seq bigserial PRIMARY KEY,
        unit_id integer NOT NULL,
        action varchar(6) NOT NULL CHECK (action IN ('update', 'delete', 'insert')),
        unit_type integer,
        operating_form integer,
        orientation integer,
        new_row jsonb,
        month varchar(7) NOT NULL,
        changed_by text NOT NULL,
        applied varchar(7),
        outcome text)""",
    # one held change a unit; applied ones are kept as the registry's history
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_unit_change_held ON public.unit_change (unit_id) "
    "WHERE applied IS NULL",
]

HOLD_SIGNATURE = "ubu_hold_unit_change(integer, text, jsonb)"

# Write (or withdraw) the held change of one unit; true when something is held. Only the
# trigger on `unit` calls it: outside a trigger it refuses.
HOLD_BODY = r"""
DECLARE
    v_in_force public.unit;
    v_type integer;
    v_form integer;
    v_orientation integer;
BEGIN
    IF pg_catalog.pg_trigger_depth() = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'held registry changes are written by the trigger on unit only';
    END IF;
    IF p_action = 'insert' THEN
        IF EXISTS (SELECT 1 FROM public.unit u WHERE u.id = p_unit) THEN
            RETURN false;                  -- the statement's own conflict handling decides
        END IF;
        IF NOT EXISTS (SELECT 1 FROM public.unit_change h WHERE h.unit_id = p_unit
                       AND h.action = 'delete' AND h.applied IS NOT NULL) THEN
            RETURN false;                  -- a new unit: nothing to regroup, at once
        END IF;
        PERFORM pg_catalog.jsonb_populate_record(NULL::public.unit, p_values);
    END IF;
    IF p_action IN ('update', 'insert') THEN
        v_type := (p_values->>'unit_type')::integer;
        v_form := (p_values->>'operating_form')::integer;
        v_orientation := (p_values->>'orientation')::integer;
        IF v_type IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'not_null_violation',
                MESSAGE = pg_catalog.format('unit %s: unit_type may not be empty', p_unit);
        END IF;
    END IF;
    IF p_action = 'insert' AND (p_values->>'name' IS NULL OR p_values->>'owner' IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'not_null_violation',
            MESSAGE = pg_catalog.format('unit %s: name and owner may not be empty', p_unit);
    END IF;
    IF p_action = 'update' THEN
        SELECT u.* INTO v_in_force FROM public.unit u WHERE u.id = p_unit;
        IF v_in_force.unit_type IS NOT DISTINCT FROM v_type
           AND v_in_force.operating_form IS NOT DISTINCT FROM v_form
           AND v_in_force.orientation IS NOT DISTINCT FROM v_orientation THEN
            -- the grouping in force, asked again: a held change of the unit is withdrawn
            DELETE FROM public.unit_change h WHERE h.unit_id = p_unit AND h.applied IS NULL;
            RETURN false;
        END IF;
    END IF;
    INSERT INTO public.unit_change AS h (unit_id, action, unit_type, operating_form,
                                         orientation, new_row, month, changed_by)
    VALUES (p_unit, p_action, v_type, v_form, v_orientation,
            CASE WHEN p_action = 'insert' THEN p_values END,
            pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM'), session_user::text)
    ON CONFLICT (unit_id) WHERE applied IS NULL DO UPDATE
    SET action = EXCLUDED.action, unit_type = EXCLUDED.unit_type,
        operating_form = EXCLUDED.operating_form, orientation = EXCLUDED.orientation,
        new_row = EXCLUDED.new_row, month = EXCLUDED.month, changed_by = EXCLUDED.changed_by;
    RETURN true;
END"""

# The trigger function runs with the rights of whoever changes `unit`: current_user is the
# owner in the owner's session and inside the owner's functions, a login's role otherwise.
TRIGGER_BODY = r"""
BEGIN
    IF pg_catalog.pg_has_role(current_user,
            (SELECT c.relowner FROM pg_catalog.pg_class c
             WHERE c.oid = 'public.submission'::pg_catalog.regclass), 'MEMBER') THEN
        -- the owner's word is the latest: a held change of the unit is withdrawn
        -- (the release marks a change applied before applying it)
        DELETE FROM public.unit_change h
        WHERE h.applied IS NULL
          AND h.unit_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        -- and a unit the owner deletes is written down like one a login's deletion removed,
        -- so that a login adding it again is held as well
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM public.unit_change h
                                            WHERE h.unit_id = OLD.id
                                              AND h.outcome = 'applying') THEN
            INSERT INTO public.unit_change (unit_id, action, unit_type, operating_form,
                                            orientation, month, changed_by, applied, outcome)
            VALUES (OLD.id, 'delete', OLD.unit_type, OLD.operating_form, OLD.orientation,
                    pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM'), session_user::text,
                    pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM'), 'applied');
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF public.ubu_hold_unit_change(NEW.id, 'insert', pg_catalog.to_jsonb(NEW)) THEN
            RETURN NULL;
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM public.ubu_hold_unit_change(OLD.id, 'delete', NULL);
        -- said, so that an admin in psql does not take "DELETE 0" for a failure
        RAISE NOTICE 'unit %: the deletion waits for the next release (see unit_change)',
            OLD.id;
        RETURN NULL;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('unit %s: a unit''s id is changed by the owner of the '
                                        'database only', OLD.id),
            HINT = 'add the unit under its new id instead';
    END IF;
    PERFORM public.ubu_hold_unit_change(OLD.id, 'update', pg_catalog.jsonb_build_object(
        'unit_type', NEW.unit_type, 'operating_form', NEW.operating_form,
        'orientation', NEW.orientation));
    IF (NEW.unit_type, NEW.operating_form, NEW.orientation)
            IS DISTINCT FROM (OLD.unit_type, OLD.operating_form, OLD.orientation) THEN
        -- said, so that an admin in psql does not take the unchanged row for a failure
        RAISE NOTICE 'unit %: the change of grouping waits for the next release (see %)',
            OLD.id, 'unit_change';
    END IF;
    NEW.unit_type := OLD.unit_type;
    NEW.operating_form := OLD.operating_form;
    NEW.orientation := OLD.orientation;
    RETURN NEW;
END"""

# Apply the held changes (of earlier months; with p_all every one) through the ordinary
# statements on `unit`. A change that can no longer be applied (a constraint) is kept with the
# reason, and the others go on: the monthly path runs inside a caseworker's submission, which
# must not fail for it. The cube's sums are moved once for all the units regrouped, not unit by
# unit by the cube's row trigger (which skips a unit whose change is being applied): moving 20
# units one by one took 10 s at 20 000 follow-ups, every move updating the same cube rows again.
APPLY_BODY = r"""
DECLARE
    ch record;
    v_month text := pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM');
    v_n integer := 0;
    v_rows integer;
    v_before integer;
    v_after integer;
    v_units integer[] := '{}';
    v_befores integer[] := '{}';
    v_afters integer[] := '{}';
BEGIN
    -- the units first, then their held changes: the order in which a login's statement on
    -- unit takes them, so that the two wait for each other instead of deadlocking
    PERFORM 1 FROM public.unit u
    WHERE u.id IN (SELECT h.unit_id FROM public.unit_change h
                   WHERE h.applied IS NULL AND (p_all OR h.month < v_month))
    ORDER BY u.id FOR UPDATE OF u;
    -- marked first: the cube's trigger on unit leaves these units to the move below, and the
    -- owner's branch of the hold trigger (withdrawing a held change) leaves them alone
    UPDATE public.unit_change h SET applied = v_month, outcome = 'applying'
    WHERE h.applied IS NULL AND (p_all OR h.month < v_month);
    FOR ch IN SELECT h.* FROM public.unit_change h WHERE h.outcome = 'applying'
             ORDER BY h.seq LOOP
        v_before := NULL;
        SELECT COALESCE(u.unit_type, -1) INTO v_before FROM public.unit u
        WHERE u.id = ch.unit_id;
        v_before := COALESCE(v_before, -1);
        BEGIN
            IF ch.action = 'update' THEN
                UPDATE public.unit u SET unit_type = ch.unit_type,
                    operating_form = ch.operating_form, orientation = ch.orientation
                WHERE u.id = ch.unit_id;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
                v_after := CASE WHEN v_rows > 0 THEN ch.unit_type ELSE v_before END;
            ELSIF ch.action = 'delete' THEN
                DELETE FROM public.unit u WHERE u.id = ch.unit_id;
                v_after := -1;
            ELSE
                INSERT INTO public.unit AS u
                SELECT r.* FROM pg_catalog.jsonb_populate_record(NULL::public.unit,
                                                                ch.new_row) r
                ON CONFLICT (id) DO NOTHING;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
                v_after := CASE WHEN v_rows > 0 THEN ch.unit_type ELSE v_before END;
            END IF;
            IF v_after IS DISTINCT FROM v_before THEN
                v_units := v_units || ch.unit_id;
                v_befores := v_befores || v_before;
                v_afters := v_afters || v_after;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            UPDATE public.unit_change h SET outcome = 'not applied: ' || SQLERRM
            WHERE h.seq = ch.seq;
        END;
        v_n := v_n + 1;
    END LOOP;
    IF pg_catalog.cardinality(v_units) > 0 THEN
        {moves}
    END IF;
    UPDATE public.unit_change h SET outcome = 'applied' WHERE h.outcome = 'applying';
    RETURN v_n;
END"""


def _moves() -> str:
    """The cube sums of the regrouped units' records (v_units), subtracted under their unit
    type before (v_befores) and added under the one after (v_afters), in one statement per
    kind of cube row, as cube.unit_moves does for one unit. Each unit's rows are summed once
    (`a`), then counted under both types (`mv`, signed)."""
    from ubu_tui.store.cube import CUBE_KEY, DIM_ROWS, GROUP, SUMS

    high = "CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END"
    pairs = ("ROWS FROM (pg_catalog.unnest(v_units), pg_catalog.unnest(v_befores), "
             "pg_catalog.unnest(v_afters)) AS m(unit, before, after)")
    moved = (f"(SELECT m.unit, m.before AS unit_type, -1 AS sign FROM {pairs} UNION ALL "
             f"SELECT m.unit, m.after, 1 FROM {pairs}) mv")
    per_unit = ("pg_catalog.count(*) AS n, pg_catalog.sum(x.total * 1.0 / x.n) AS total, "
                f"pg_catalog.sum({high}) AS high, pg_catalog.sum(s.record_key) AS ckey, "
                f"pg_catalog.sum({high} * s.record_key) AS hkey")
    signed = ", ".join(f"pg_catalog.sum(mv.sign * a.{f})" for f in SUMS)
    into = f"INSERT INTO public.index_cube AS c ({CUBE_KEY}, {', '.join(SUMS)}) "
    add = (f" ON CONFLICT ({CUBE_KEY}) DO UPDATE SET "
           + ", ".join(f"{c} = c.{c} + excluded.{c}" for c in SUMS))
    scores = ("FROM public.submission s JOIN public.index_score x ON x.submission_id = s.id ")
    where = "WHERE s.unit_id = ANY(v_units) AND x.n > 0"
    methods = ("(SELECT DISTINCT submission_id, method FROM public.method_record WHERE "
               "submission_id IN (SELECT id FROM public.submission WHERE unit_id = "
               "ANY(v_units)))")
    dims = (f"(SELECT s.unit_id, d.dim, x.index_id, s.period, {GROUP} AS grp, {per_unit} "
            f"{scores}CROSS JOIN {DIM_ROWS} d {where} "
            f"GROUP BY s.unit_id, d.dim, x.index_id, s.period, {GROUP}) a")
    by_method = (f"(SELECT s.unit_id, 'method' AS dim, x.index_id, s.period, m.method AS grp, "
                 f"{per_unit} {scores}JOIN {methods} m ON m.submission_id = s.id {where} "
                 "GROUP BY s.unit_id, x.index_id, s.period, m.method) a")
    return ";\n        ".join(
        f"{into}SELECT a.dim, a.index_id, a.period, mv.unit_type, a.grp, {signed} "
        f"FROM {rows} JOIN {moved} ON mv.unit = a.unit_id "
        f"GROUP BY a.dim, a.index_id, a.period, mv.unit_type, a.grp{add}"
        for rows in (dims, by_method)) + ";"


# The cube's row trigger on unit (store/cube.py, schema 0131), leaving a unit whose held change
# is being applied to the move above. Only the owner's functions write unit_change, and a
# change is 'applying' only inside the transaction that applies it.
CUBE_GUARD = """    IF EXISTS (SELECT 1 FROM public.unit_change h WHERE h.outcome = 'applying'
               AND h.unit_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) THEN
        RETURN NULL;
    END IF;
"""


def cube_unit_trigger_sql() -> list[str]:
    from ubu_tui.store import cube

    out = cube.pg_unit_trigger()
    anchor = "AS $fn$\nBEGIN\n"
    assert anchor in out[0], "the cube's trigger on unit changed: see CUBE_GUARD"
    return [out[0].replace(anchor, anchor + CUBE_GUARD, 1), *out[1:]]


# The monthly path: the first statement that adds records after the month turned applies the
# changes held in earlier months (one indexed look-up a statement otherwise).
DUE_BODY = r"""
BEGIN
    IF EXISTS (SELECT 1 FROM public.unit_change h WHERE h.applied IS NULL
               AND h.month < pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM')) THEN
        PERFORM public.ubu_apply_unit_changes(false);
    END IF;
    RETURN NULL;
END"""

# Roles that may write the registry (the admin role, in a database whose roles were made
# before this schema) get what the trigger needs: to read the held changes, and to hold one.
GRANT_TO_WRITERS = (
    "DO $$ DECLARE r regrole; BEGIN FOR r IN SELECT DISTINCT a.grantee::regrole "
    "FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a "
    "WHERE c.oid = 'public.unit'::pg_catalog.regclass AND a.grantee <> 0 "
    "AND a.grantee <> c.relowner AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE') "
    "LOOP EXECUTE pg_catalog.format('GRANT SELECT ON public.unit_change TO %s', r); "
    f"EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION public.{HOLD_SIGNATURE} TO %s', r); "
    "END LOOP; END $$")


def install_sql() -> list[str]:
    return [
        *TABLE_SQL,
        definer("ubu_hold_unit_change", "p_unit integer, p_action text, p_values jsonb",
                "boolean", HOLD_BODY, volatility="VOLATILE"),
        private(HOLD_SIGNATURE),
        "CREATE OR REPLACE FUNCTION public.ubu_unit_hold() RETURNS trigger\n"
        f"LANGUAGE plpgsql VOLATILE SET search_path = {SEARCH_PATH}\nAS $fn$\n"
        f"{TRIGGER_BODY}\n$fn$",
        "REVOKE ALL ON FUNCTION public.ubu_unit_hold() FROM PUBLIC",
        "DROP TRIGGER IF EXISTS unit_hold ON public.unit",
        "DROP TRIGGER IF EXISTS unit_hold_grouping ON public.unit",
        "CREATE TRIGGER unit_hold BEFORE INSERT OR DELETE ON public.unit "
        "FOR EACH ROW EXECUTE FUNCTION public.ubu_unit_hold()",
        # only a statement naming a grouping column (or the id) asks a regrouping
        "CREATE TRIGGER unit_hold_grouping BEFORE UPDATE OF id, unit_type, operating_form, "
        "orientation ON public.unit FOR EACH ROW EXECUTE FUNCTION public.ubu_unit_hold()",
        "CREATE INDEX IF NOT EXISTS ix_unit_change_applying ON public.unit_change (unit_id) "
        "WHERE outcome = 'applying'",
        *cube_unit_trigger_sql(),
        definer("ubu_apply_unit_changes", "p_all boolean", "integer",
                APPLY_BODY.replace("{moves}", _moves()), volatility="VOLATILE"),
        private("ubu_apply_unit_changes(boolean)"),
        definer("ubu_unit_changes_due", "", "trigger", DUE_BODY, volatility="VOLATILE"),
        private("ubu_unit_changes_due()"),
        "DROP TRIGGER IF EXISTS unit_changes_due ON public.submission",
        "CREATE TRIGGER unit_changes_due AFTER INSERT ON public.submission "
        "FOR EACH STATEMENT EXECUTE FUNCTION public.ubu_unit_changes_due()",
        GRANT_TO_WRITERS,
    ]


def remove_sql() -> list[str]:
    """What the downgrade from 0167 runs."""
    from ubu_tui.store import cube

    return [
        *cube.pg_unit_trigger(),
        "DROP TRIGGER IF EXISTS unit_changes_due ON public.submission",
        "DROP TRIGGER IF EXISTS unit_hold ON public.unit",
        "DROP TRIGGER IF EXISTS unit_hold_grouping ON public.unit",
        "DROP FUNCTION IF EXISTS public.ubu_unit_changes_due()",
        # ubu_release calls it: nothing is held any more
        definer("ubu_apply_unit_changes", "p_all boolean", "integer", "SELECT 0",
                language="sql", volatility="VOLATILE"),
        private("ubu_apply_unit_changes(boolean)"),
        "DROP FUNCTION IF EXISTS public.ubu_unit_hold()",
        f"DROP FUNCTION IF EXISTS public.{HOLD_SIGNATURE}",
        "DROP TABLE IF EXISTS public.unit_change",
    ]
