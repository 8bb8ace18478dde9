"""File-level DOIs: the file of a ``kind = "file"`` row (its key and its content).

File DOIs are rows of ``doi_ext_dois`` like every other DOI; ``object_uuid`` is
the record (or draft) the file was added to, ``file_key`` the file's name there,
``file_id`` its file instance, which a new version's unchanged copy shares.
"""

import sqlalchemy as sa
import sqlalchemy_utils
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7e3b9a1f052"
down_revision = "a8d3f6b1c2e4"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column("doi_ext_dois", sa.Column("file_key", sa.Text(), nullable=True))
    op.add_column("doi_ext_dois", sa.Column("file_id", sqlalchemy_utils.types.UUIDType(), nullable=True))
    op.create_index("ix_doi_ext_dois_file", "doi_ext_dois", ["file_id"])


def downgrade():
    """Downgrade database (file DOI rows lose their file; remove them first if the feature is dropped)."""
    op.drop_index("ix_doi_ext_dois_file", table_name="doi_ext_dois")
    op.drop_column("doi_ext_dois", "file_id")
    op.drop_column("doi_ext_dois", "file_key")
