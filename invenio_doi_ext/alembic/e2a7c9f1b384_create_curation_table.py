"""Create the table linking record versions to their DOI requests (curated DOIs)."""

import sqlalchemy as sa
import sqlalchemy_utils
from alembic import op

# revision identifiers, used by Alembic.
revision = "e2a7c9f1b384"
down_revision = "b5e8c2d4f617"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.create_table(
        "doi_ext_curation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sqlalchemy_utils.types.uuid.UUIDType(), nullable=False),
        sa.Column("parent_id", sqlalchemy_utils.types.uuid.UUIDType(), nullable=False),
        sa.Column("request_id", sqlalchemy_utils.types.uuid.UUIDType(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("notified_findable", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doi_ext_curation")),
        sa.UniqueConstraint("record_id", name=op.f("uq_doi_ext_curation_record_id")),
        sa.UniqueConstraint("request_id", name=op.f("uq_doi_ext_curation_request_id")),
    )
    op.create_index(op.f("ix_doi_ext_curation_parent_id"), "doi_ext_curation", ["parent_id"])
    op.create_index(op.f("ix_doi_ext_curation_status"), "doi_ext_curation", ["status"])


def downgrade():
    """Downgrade database."""
    op.drop_index(op.f("ix_doi_ext_curation_status"), table_name="doi_ext_curation")
    op.drop_index(op.f("ix_doi_ext_curation_parent_id"), table_name="doi_ext_curation")
    op.drop_table("doi_ext_curation")
