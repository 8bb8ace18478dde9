"""The alembic branch creates exactly the tables the models describe."""

from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy_utils import create_database, database_exists, drop_database

OUR_TABLES = {"doi_ext_dois", "doi_ext_events", "doi_ext_breaker"}


@pytest.fixture(scope="module")
def db_uri(instance_path):
    """A database of its own, empty: the branch is applied from scratch."""
    uri = os.environ.get("SQLALCHEMY_DATABASE_URI", "")
    if uri.startswith("postgresql"):
        uri = uri.rsplit("/", 1)[0] + "/invenio_doi_ext_migrations"
    else:
        uri = "sqlite:///" + tempfile.mkstemp(dir=instance_path, suffix=".db")[1]
    if database_exists(uri):
        drop_database(uri)
    create_database(uri)
    yield uri
    drop_database(uri)


def _our_diffs(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.metadata)

    # Every table of this package is named doi_ext_*; other packages' tables are
    # absent from this database on purpose.
    return [d for d in diffs if "doi_ext_" in repr(d)]


@pytest.mark.postgresql  # invenio-db's root revision alters constraints, which SQLite cannot
def test_branch_upgrade_matches_models_and_downgrades(base_app):
    from invenio_db import db

    with base_app.app_context():
        alembic = base_app.extensions["invenio-db"].alembic
        alembic.upgrade("invenio_doi_ext@head")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert tables >= OUR_TABLES
        assert _our_diffs(db) == []
        with db.engine.connect() as connection:
            breaker_rows = connection.execute(sa.text("SELECT id FROM doi_ext_breaker")).fetchall()
        assert [row[0] for row in breaker_rows] == [1]  # made with the table, never by a failure

        branch_head = alembic.script_directory.get_revision("invenio_doi_ext@head")
        assert branch_head.revision in {rev.revision for rev in alembic.current()}

        alembic.downgrade("invenio_doi_ext@base")
        assert not OUR_TABLES & set(sa.inspect(db.engine).get_table_names())
