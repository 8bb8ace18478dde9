"""Add ``doi_ext_dois.claim_token`` and make the one breaker row with the table.

The token ties a call's outcome to the claim that made it, so that a worker
answering after its lease expired cannot overwrite a newer outcome. The breaker
row used to be inserted by the first failure, and two first failures at once
collided on its id.
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4f1a8e2d905"
down_revision = "e2a7c9f1b384"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column("doi_ext_dois", sa.Column("claim_token", sa.String(length=32), nullable=True))
    breaker = sa.table(
        "doi_ext_breaker",
        sa.column("id", sa.Integer),
        sa.column("consecutive_failures", sa.Integer),
        sa.column("updated", sa.DateTime),
    )
    connection = op.get_bind()
    present = connection.execute(sa.select(breaker.c.id).where(breaker.c.id == 1)).first()
    if present is None:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        op.bulk_insert(breaker, [{"id": 1, "consecutive_failures": 0, "updated": now}])
    # Discarded drafts that DataCite deleted are now told apart from never-sent DOIs by
    # hold = 'deleted' (DSpace's DELETED vs MINTED); mark the ones deleted before.
    op.execute(
        "UPDATE doi_ext_dois SET hold = 'deleted' WHERE in_sync AND desired_state = 'none' "
        "AND hold IS NULL AND id IN (SELECT doi_id FROM doi_ext_events "
        "WHERE action = 'call' AND operation = 'delete_draft' AND outcome = 'success')"
    )


def downgrade():
    """Downgrade database (the breaker row stays: older code reads it as it is)."""
    op.drop_column("doi_ext_dois", "claim_token")
