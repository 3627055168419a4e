"""Writing many records in one transaction, with the kept counts added per batch.

The count triggers (item_count, index_count, disposition_count and the cubes) fire once per
row and, for the cubes, once per dimension: fine for one submission, a minute for ten thousand
imported ones. A bulk writer (the import, the synthesiser) pauses
them inside its transaction, writes the rows, lists the new records in `bulk_new`, and adds
their counts with grouped statements (store/cube.py: ADD_COUNTS; the index figures from one
read of the batch's scores), then restores the triggers, all before it commits: other
connections never see the triggers gone, and the counts are exactly what the triggers keep.
The SQLite import hands `new_records` the rows it has just written as well: their index
figures are then grouped in memory (store/cube_batch.py) rather than by the grouped
statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ubu_tui.store.cube import (
    ADD_COUNTS,
    ADD_CUBE_ROW,
    ADD_INDEX_COUNT_ROW,
    ADD_YEAR_ROW,
    COUNT_TRIGGERS,
    PG_COUNT_TRIGGERS,
    RECORD_COUNTS,
)

BULK_CACHE_KIB = 256 * 1024
# A caller's mistake, never a person's: for developers, so not in the catalogue
MIXED_BATCHES = "new_records: give every batch of a block its rows, or none"
# conn.info key: how this block's index figures are counted, "memory" (store/cube_batch.py,
# from the rows handed to new_records, added there) or "sql" (store/cube.py's INDEX_COUNTS,
# grouped from the records when the block ends)
_CUBE_FROM = "ubu_bulk_cube_from"
# what is left to add when the block ends once the index figures are added already
ADD_AFTER_GROUPING: tuple[str, ...] = RECORD_COUNTS


@contextmanager
def counted_in_bulk(conn: Connection) -> Iterator[None]:
    """Within the caller's transaction: triggers paused, new records' counts added at the end.

    The caller writes the records and calls `new_records` with their ids before the block ends.
    """
    postgres = conn.dialect.name == "postgresql"
    if postgres and not owns_records(conn):
        # Only the tables' owner may pause their triggers (or, once the roles are made, make
        # a temporary table): other logins write row by row, counted by the triggers as ever
        # (slower, the same counts).
        yield
        return
    if postgres:
        # Pausing a trigger locks its table against writers until commit. Taken all at once,
        # in the order a submission writes them, so that a submission already under way is
        # waited for instead of deadlocking with it halfway, and none starts meanwhile (which
        # also keeps the list of the batch's new records exact).
        conn.execute(text("LOCK TABLE submission, session_record, answer_record, "
                          "method_record, index_score IN SHARE ROW EXCLUSIVE MODE"))
    if not postgres and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # the driver would run the DDL below outside any transaction: take the write lock now
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    if not postgres:
        # random record ids land all over the indexes: a page cache big enough for them
        # makes a batch several times faster than the default 2 MB
        conn.exec_driver_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS bulk_new "
                      "(id VARCHAR(32) PRIMARY KEY)"))
    conn.execute(text("DELETE FROM bulk_new"))
    saved: list[str] = []
    paused = PG_COUNT_TRIGGERS if postgres else COUNT_TRIGGERS
    for table, names in paused.items():
        for name in names:
            if postgres:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {name}"))
            else:
                sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name = :n"), {"n": name}).scalar()
                if sql:
                    saved.append(sql)
                    conn.execute(text(f"DROP TRIGGER {name}"))
    conn.info.pop(_CUBE_FROM, None)
    try:
        yield
        grouped = conn.info.get(_CUBE_FROM) == "memory"
    finally:
        conn.info.pop(_CUBE_FROM, None)
    for statement in ADD_AFTER_GROUPING if grouped else ADD_COUNTS:
        conn.execute(text(statement))
    for table, names in paused.items():
        for name in names:
            if postgres:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {name}"))
    for sql in saved:
        conn.exec_driver_sql(sql)
    conn.execute(text("DROP TABLE bulk_new"))
    if not postgres:
        conn.exec_driver_sql("PRAGMA cache_size = -2000")   # SQLite's default again


def new_records(conn: Connection, ids: Iterable[str],
                rows: Mapping[str, Sequence[tuple[Any, ...]]] | None = None) -> None:
    """Name the records written in this batch, whose counts are added when the block ends
    (nothing to do where the triggers were not paused: they counted the records).

    `rows` (SQLite): the row tuples just written for exactly these records, table → tuples
    with store/submissions.py's ROW_COLUMNS. Their index figures (cube, yearly sums,
    index_count) are then grouped in memory (store/cube_batch.py) and added here, instead of
    by ten sorts in SQLite when the block ends: the same rows. Every batch of a block must
    then come with its rows (the index figures' triggers are paused for the whole block).
    """
    listed = [(i,) for i in ids]
    if not listed or (conn.dialect.name == "postgresql" and not owns_records(conn)):
        return
    cube_from = "memory" if rows is not None and conn.dialect.name == "sqlite" else "sql"
    if conn.info.setdefault(_CUBE_FROM, cube_from) != cube_from:
        # one way per block: the grouped statements at the end would count every record in
        # bulk_new, those already added in memory a second time; and in a block added in
        # memory, where they do not run, a batch without its rows would not be counted
        raise ValueError(MIXED_BATCHES)
    # (the driver's executemany on SQLite: SQLAlchemy's per-row parameter dicts cost more)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO bulk_new (id) VALUES (?)", listed)
    else:
        conn.execute(text("INSERT INTO bulk_new (id) VALUES (:id)"),
                     [{"id": i} for (i,) in listed])
    if cube_from == "memory":
        # (here: numpy is imported only by a bulk write)
        from ubu_tui.store.cube_batch import cube_rows
        from ubu_tui.store.submissions import ROW_COLUMNS

        assert rows is not None
        unit_types: dict[int, int | None] = {
            u: t for u, t in conn.exec_driver_sql("SELECT id, unit_type FROM unit")}
        for made in cube_rows(rows, ROW_COLUMNS["submission"], unit_types):
            for statement, added in ((ADD_CUBE_ROW, made.cube), (ADD_YEAR_ROW, made.year),
                                     (ADD_INDEX_COUNT_ROW, made.index_count)):
                if added:
                    conn.exec_driver_sql(statement, added)


def owns_records(conn: Connection) -> bool:
    """On PostgreSQL: whether this login owns the record tables (and may pause their
    triggers)."""
    return bool(conn.execute(text("SELECT tableowner = current_user FROM pg_tables "
                                  "WHERE schemaname = 'public' AND tablename = 'answer_record'")
                             ).scalar())


@contextmanager
def parents_in_the_same_batch(conn: Connection) -> Iterator[None]:
    """On SQLite, around a whole transaction (commit included) that writes records together
    with their parts: no foreign-key probe per row.

    Every part row of an import names a submission written earlier in the same transaction
    (submissions first, `write_rows`), so the probe of submission's key for each of ~970 000
    answers of 10 000 records can only ever succeed; it was a quarter of their insert.
    SQLite changes the setting only outside a transaction, so the caller enters this block
    before its first write and commits inside it. Afterwards the connection goes back to the
    pool probing as before, also when the block fails (rolled back here first: the setting
    cannot be restored inside the failed transaction). Elsewhere, and when a transaction is
    already open, nothing changes.
    """
    raw = conn.connection.dbapi_connection
    if conn.dialect.name != "sqlite" or raw is None or raw.in_transaction:  # type: ignore[attr-defined]
        yield
        return
    raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if raw.in_transaction:  # type: ignore[attr-defined]
            raw.rollback()     # it failed before its commit: nothing of it stays, as ever
        raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[attr-defined]
        if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 1:  # type: ignore[attr-defined]
            conn.invalidate()  # never hand on a connection that does not probe
