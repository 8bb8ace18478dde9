"""Add ``doi_ext_dois.desired_source``: a published DOI's payload is built by a worker.

The request commits the desired state with a hash of the record content it
derives from; the worker serializes that content. Existing rows keep the payload
they have (their source is unknown, ``NULL``), so nothing is rebuilt or resent.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a9c27d5e18"
down_revision = "d7e3b9a1f052"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column("doi_ext_dois", sa.Column("desired_source", sa.String(length=64), nullable=True))


def downgrade():
    """Downgrade database.

    A row still waiting for its payload would have nothing to send afterwards: it
    is marked failed, with the fix in its error, so that no worker sends it empty.
    """
    op.execute(
        "UPDATE doi_ext_dois SET failed = true, last_error = 'The DataCite metadata of this DOI "
        "was not built before the downgrade: publish the record again (or edit and save it) "
        "to recompute it.' WHERE desired_source IS NOT NULL AND desired_fingerprint IS NULL "
        "AND desired_state <> 'none'"
    )
    op.drop_column("doi_ext_dois", "desired_source")
