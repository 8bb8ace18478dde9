"""Create the table of asynchronous DOI sync jobs (REST API ``/api/dois/jobs``)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "9d4e6f1a2b73"
down_revision = "3f9a2b6c4d10"
branch_labels = ()
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade():
    """Upgrade database."""
    op.create_table(
        "doi_ext_sync_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("doi_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=True),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doi_id"],
            ["doi_ext_dois.id"],
            name=op.f("fk_doi_ext_sync_jobs_doi_id_doi_ext_dois"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_sync_jobs")),
        sa.UniqueConstraint("token", name=op.f("uq_doi_ext_sync_jobs_token")),
    )
    op.create_index("ix_doi_ext_sync_jobs_expires", "doi_ext_sync_jobs", ["expires_at"])


def downgrade():
    """Downgrade database."""
    op.drop_index("ix_doi_ext_sync_jobs_expires", table_name="doi_ext_sync_jobs")
    op.drop_table("doi_ext_sync_jobs")
