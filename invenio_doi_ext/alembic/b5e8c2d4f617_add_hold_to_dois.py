"""Add ``doi_ext_dois.hold``: pending DOIs and DOIs set aside by a qualification filter."""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5e8c2d4f617"
down_revision = "9d4e6f1a2b73"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column("doi_ext_dois", sa.Column("hold", sa.String(length=16), nullable=True))


def downgrade():
    """Downgrade database."""
    op.drop_column("doi_ext_dois", "hold")
