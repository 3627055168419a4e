"""Each stored record is also scored on every index's part per respondent (`<index>.<respondent>`,
Instrument.scored_indices), as new records are from now on: the per-respondent index figures
then come from the sums the database keeps (index_count, index_cube) like the indices', not from
a pass over every answer; and a restricted login gets them through ubu_index_figures.

Revision ID: 0092
Revises: 0091
"""

import sqlalchemy as sa
from alembic import op

revision = "0092"
down_revision = "0091"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.errors import InstrumentError
    from ubu_tui.instrument.loader import instrument_by_version

    bind = op.get_bind()
    versions = bind.execute(sa.text("SELECT DISTINCT instrument_id, instrument_version "
                                    "FROM submission")).all()
    for instrument_id, version in versions:
        try:
            instrument = instrument_by_version(instrument_id, version)
        except InstrumentError:
            continue          # an instrument this release does not ship: no indices known
        members = [(part.id, item) for _ix, _r, part in instrument.respondent_indices()
                   for item in part.items]
        if not members:
            continue
        # ids and items are the instrument's validated identifiers ([a-z0-9_.]): literals
        values = ", ".join(f"('{ix}', '{item}')" for ix, item in members)
        bind.execute(sa.text(
            f"WITH im(index_id, item_id) AS (VALUES {values}) "
            "INSERT INTO index_score (submission_id, index_id, n, total) "
            "SELECT a.submission_id, im.index_id, COUNT(*), SUM(a.code) "
            "FROM answer_record a JOIN submission s ON s.id = a.submission_id "
            "JOIN im ON im.item_id = a.item_id "
            "WHERE a.outcome = 'value' AND s.instrument_id = :i AND s.instrument_version = :v "
            "GROUP BY a.submission_id, im.index_id"), {"i": instrument_id, "v": version})


def downgrade() -> None:
    op.execute("DELETE FROM index_score WHERE index_id LIKE '%.%'")
