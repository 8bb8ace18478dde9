"""Create the invenio_doi_ext branch."""

# revision identifiers, used by Alembic.
revision = "7c1d0e5a9b21"
down_revision = None
branch_labels = ("invenio_doi_ext",)
depends_on = "dbdbc1b19cf2"


def upgrade():
    """Upgrade database."""


def downgrade():
    """Downgrade database."""
