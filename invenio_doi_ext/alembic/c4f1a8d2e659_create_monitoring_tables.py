"""Create the monitoring tables: the digest's marker and the metrics' maintained summary.

On PostgreSQL also the triggers that keep the summary (``monitoring/ddl.py``), the
summary counted from the existing rows, and the partial index that finds the
oldest out-of-sync DOI. The digest starts after the events already recorded:
an upgrade does not mail years of history (``invenio doi list --failed`` shows it).
"""

import sqlalchemy as sa
from alembic import op

from invenio_doi_ext.monitoring import ddl

# revision identifiers, used by Alembic.
revision = "c4f1a8d2e659"
down_revision = "c4f1a8e2d905"
branch_labels = ()
depends_on = None


def _count_table(name, *columns):
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        *columns,
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )


def upgrade():
    """Upgrade database."""
    op.create_table(
        "doi_ext_digest_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("breaker_paused_until", sa.DateTime(), nullable=True),
        sa.Column("breaker_open", sa.Boolean(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_digest_state")),
    )
    _count_table(
        "doi_ext_state_counts",
        sa.Column("desired_state", sa.String(length=16), nullable=False),
        sa.Column("remote_state", sa.String(length=16), nullable=False),
        sa.Column("in_sync", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("hold", sa.String(length=16), nullable=True),
        sa.Column("retried", sa.Boolean(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
    )
    _count_table(
        "doi_ext_call_counts",
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("status_class", sa.String(length=8), nullable=False),
        sa.Column("rate_limited", sa.String(length=16), nullable=True),
    )
    op.create_index(
        "ix_doi_ext_dois_out_of_sync_since",
        "doi_ext_dois",
        [sa.text("coalesce(desired_changed, created)")],
        postgresql_where=sa.text("in_sync = false"),
    )
    op.execute(
        "INSERT INTO doi_ext_digest_state (id, last_event_id, breaker_open, pending, updated) "
        "SELECT 1, coalesce(max(id), 0), false, NULL, now() FROM doi_ext_events"
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in ddl.CREATE:
            op.execute(statement)


def downgrade():
    """Downgrade database."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in ddl.DROP:
            op.execute(statement)
    op.drop_index("ix_doi_ext_dois_out_of_sync_since", table_name="doi_ext_dois")
    op.drop_table("doi_ext_call_counts")
    op.drop_table("doi_ext_state_counts")
    op.drop_table("doi_ext_digest_state")
