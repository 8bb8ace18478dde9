"""Several DataCite accounts: ``doi_ext_dois.account`` and one breaker row per account.

Every DOI row names the account that writes it at DataCite; the rows made
before there were several accounts were all written with the ``DATACITE_*``
account, named ``default``. The breaker pauses one account, not the instance:
its one row becomes the ``default`` account's, and other accounts get theirs
when they first need one; the operator digest remembers which accounts' breakers
it saw engaged.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8d3f6b1c2e4"
down_revision = "c4f1a8d2e659"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column(
        "doi_ext_dois",
        sa.Column("account", sa.String(length=64), nullable=False, server_default="default"),
    )
    op.create_index("ix_doi_ext_dois_account", "doi_ext_dois", ["account"])
    op.add_column(
        "doi_ext_breaker",
        sa.Column("account", sa.String(length=64), nullable=False, server_default="default"),
    )
    op.create_unique_constraint("uq_doi_ext_breaker_account", "doi_ext_breaker", ["account"])
    op.add_column("doi_ext_digest_state", sa.Column("open_accounts", sa.JSON(), nullable=True))


def downgrade():
    """Downgrade database (the other accounts' breaker rows go; their DOIs lose their account)."""
    op.drop_column("doi_ext_digest_state", "open_accounts")
    op.execute("DELETE FROM doi_ext_breaker WHERE account <> 'default'")
    op.drop_constraint("uq_doi_ext_breaker_account", "doi_ext_breaker", type_="unique")
    op.drop_column("doi_ext_breaker", "account")
    op.drop_index("ix_doi_ext_dois_account", table_name="doi_ext_dois")
    op.drop_column("doi_ext_dois", "account")
