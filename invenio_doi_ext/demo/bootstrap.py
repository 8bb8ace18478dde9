"""Create the demo instance: tables, a files location, vocabularies, a depositor, an operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy_utils import create_database, database_exists

MARKER_TABLE = "doi_ext_demo_marker"

RESOURCE_TYPES = (
    ("dataset", "Dataset", "", "Dataset"),
    ("image-photo", "Image", "Photo", "Photo"),
    ("software", "Software", "", "Software"),
)


class DemoDatabaseInUse(RuntimeError):
    """The given database holds tables the demo did not create: it will not touch them."""


def prepare_database(url: str) -> None:
    """Create the database, or empty it if (and only if) an earlier demo created it."""
    import sqlalchemy as sa

    if not database_exists(url):
        create_database(url)
        return
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        if tables and MARKER_TABLE not in tables:
            raise DemoDatabaseInUse(
                f"{len(tables)} tables already exist in that database and were not made by the demo: "
                "give DEMO_DATABASE_URL a new database name (it is created for you)."
            )
        if tables:
            metadata = sa.MetaData()
            metadata.reflect(bind=engine)
            metadata.drop_all(bind=engine)
    finally:
        engine.dispose()


def create_instance(config: dict[str, Any], instance_path: Path) -> Flask:
    """The REST API application of InvenioRDM with this package, tables created."""
    from invenio_app.factory import create_api
    from invenio_db import db

    app = create_api(instance_path=str(instance_path), **config)
    with app.app_context():
        db.create_all()
        db.session.execute(db.text(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id INTEGER)"))
        db.session.commit()
    return app


def populate(files_path: Path) -> Any:
    """A files location, the resource types DataCite needs, and one depositor.

    Returns the depositor's identity. Must run inside an app context with the
    search stand-in installed.
    """
    from flask_principal import Identity
    from invenio_access.permissions import any_user, authenticated_user, system_identity
    from invenio_accounts.proxies import current_datastore
    from invenio_db import db
    from invenio_files_rest.models import Location
    from invenio_vocabularies.proxies import current_service as vocabularies
    from invenio_vocabularies.records.api import Vocabulary

    files_path.mkdir(parents=True, exist_ok=True)
    db.session.add(Location(name="demo", uri=str(files_path), default=True))
    db.session.commit()

    vocabularies.create_type(system_identity, "resourcetypes", "rsrct")
    for type_id, general, specific, title in RESOURCE_TYPES:
        vocabularies.create(
            system_identity,
            {
                "id": type_id,
                "title": {"en": title},
                "props": {
                    "csl": "dataset",
                    "datacite_general": general,
                    "datacite_type": specific,
                    "openaire_resourceType": "21",
                    "openaire_type": "dataset",
                    "eurepo": "info:eu-repo/semantics/other",
                    "schema.org": "https://schema.org/Dataset",
                    "subtype": type_id if specific else "",
                    "type": type_id.split("-")[0],
                },
                "tags": ["depositable", "linkable"],
                "type": "resourcetypes",
            },
        )
    Vocabulary.index.refresh()

    user = current_datastore.create_user(
        email="depositor@demo.example.org", password="demo-password", active=True
    )
    add_operator()
    db.session.commit()
    identity = Identity(user.id)
    identity.provides.update({any_user, authenticated_user})
    from flask_principal import UserNeed

    identity.provides.add(UserNeed(user.id))
    return identity


OPERATOR_EMAIL = "operator@demo.example.org"


def add_operator() -> None:
    """An operator in the role that receives the digest (``DOI_EXT_NOTIFY_ROLE``)."""
    from invenio_accounts.proxies import current_datastore

    from .. import settings

    operator = current_datastore.create_user(email=OPERATOR_EMAIL, password="demo-password", active=True)
    role = current_datastore.find_or_create_role(name=settings.notify_role())
    current_datastore.add_role_to_user(operator, role)
