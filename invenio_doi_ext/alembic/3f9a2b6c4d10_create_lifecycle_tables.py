"""Create the lifecycle tables: managed DOIs, their events, the circuit breaker."""

import sqlalchemy as sa
import sqlalchemy_utils
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "3f9a2b6c4d10"
down_revision = "7c1d0e5a9b21"
branch_labels = ()
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade():
    """Upgrade database."""
    op.create_table(
        "doi_ext_dois",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doi", sa.String(length=255), nullable=False),
        sa.Column("pid_value", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_uuid", sqlalchemy_utils.types.uuid.UUIDType(), nullable=True),
        sa.Column("desired_state", sa.String(length=16), nullable=False),
        sa.Column("desired_payload", JSONType, nullable=True),
        sa.Column("desired_url", sa.String(length=2048), nullable=True),
        sa.Column("desired_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("desired_changed", sa.DateTime(), nullable=True),
        sa.Column("remote_state", sa.String(length=16), nullable=False),
        sa.Column("remote_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("remote_url", sa.String(length=2048), nullable=True),
        sa.Column("remote_checked", sa.DateTime(), nullable=True),
        sa.Column("in_sync", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_dois")),
        sa.UniqueConstraint("doi", name=op.f("uq_doi_ext_dois_doi")),
    )
    op.create_index("ix_doi_ext_dois_due", "doi_ext_dois", ["in_sync", "failed", "next_attempt_at"])
    op.create_index("ix_doi_ext_dois_object", "doi_ext_dois", ["object_uuid", "kind"])
    op.create_index("ix_doi_ext_dois_updated", "doi_ext_dois", ["updated"])

    op.create_table(
        "doi_ext_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doi_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=True),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["doi_id"],
            ["doi_ext_dois.id"],
            name=op.f("fk_doi_ext_events_doi_id_doi_ext_dois"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_events")),
    )
    op.create_index("ix_doi_ext_events_doi_created", "doi_ext_events", ["doi_id", "created"])

    op.create_table(
        "doi_ext_breaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_breaker")),
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("doi_ext_breaker")
    op.drop_index("ix_doi_ext_events_doi_created", table_name="doi_ext_events")
    op.drop_table("doi_ext_events")
    op.drop_index("ix_doi_ext_dois_updated", table_name="doi_ext_dois")
    op.drop_index("ix_doi_ext_dois_object", table_name="doi_ext_dois")
    op.drop_index("ix_doi_ext_dois_due", table_name="doi_ext_dois")
    op.drop_table("doi_ext_dois")
