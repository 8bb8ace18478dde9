"""Test harness: the real InvenioRDM records service, a real database, the sandbox.

- Database: PostgreSQL on 127.0.0.1:5432 when reachable (``SQLALCHEMY_DATABASE_URI``
  wins when set), SQLite otherwise; ``DOI_EXT_TEST_SERVICES=none`` forces SQLite.
- Celery: eager with exceptions propagated; tests marked ``worker`` start real
  worker processes on a real broker and skip with a reason when none is reachable.
- Search: the one stand-in. OpenSearch cannot run on these machines, so the
  ``openmock`` fake client is installed, with its transport made to raise so that
  a call it does not implement fails loudly instead of reaching for the network.
- DataCite: always the sandbox, over real HTTP on loopback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask_principal import Identity, Need, UserNeed
from invenio_access.permissions import any_user, authenticated_user, system_identity
from tests_support import Person, broker_for_workers, in_process_services, reachable, services_allowed

from invenio_doi_ext.sandbox.pytest_fixtures import (  # noqa: F401
    datacite_sandbox,
    datacite_sandbox_server,
)

SANDBOX_PREFIX = "10.1234"

if not services_allowed():
    # "none" means none: a database URL left in the environment is not used either.
    os.environ.pop("SQLALCHEMY_DATABASE_URI", None)
elif "SQLALCHEMY_DATABASE_URI" not in os.environ and reachable("127.0.0.1", 5432):
    os.environ["SQLALCHEMY_DATABASE_URI"] = (
        "postgresql+psycopg2://postgres@127.0.0.1:5432/invenio_doi_ext_test"
    )


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    """Skip tests that need a real broker or PostgreSQL, saying why."""
    uri = os.environ.get("SQLALCHEMY_DATABASE_URI", "sqlite")
    for item in items:
        if "worker" in item.keywords and broker_for_workers() is None:
            reason = (
                "DOI_EXT_TEST_SERVICES=none: no broker is used"
                if not services_allowed()
                else "no broker on 127.0.0.1:5672 or :6379"
            )
            item.add_marker(pytest.mark.skip(reason=reason))
        if "postgresql" in item.keywords and not uri.startswith("postgresql"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (SQLite in use)"))


@pytest.fixture(scope="session")
def created_databases() -> Iterator[set[str]]:
    """Databases this run created (not those it found): dropped when the run ends."""
    from sqlalchemy_utils import database_exists, drop_database

    created: set[str] = set()
    yield created
    for url in sorted(created):
        if database_exists(url):
            drop_database(url)


@pytest.fixture(scope="module")
def missing_database(appctx: Any, created_databases: set[str]) -> None:
    """Note the application's PostgreSQL database if it does not exist yet."""
    from invenio_db import db as db_
    from sqlalchemy_utils import database_exists

    url = db_.engine.url.render_as_string(hide_password=False)
    if db_.engine.dialect.name == "postgresql" and not database_exists(url):
        created_databases.add(url)


@pytest.fixture(scope="module")
def database(missing_database: None, database: Any) -> Any:
    """pytest-invenio's database fixture, whose database is dropped if the run created it.

    pytest-invenio creates the database when it is missing and never drops it;
    ``missing_database`` (set up first) notes it, ``created_databases`` drops it
    at the end of the run. A database that existed before is left alone.
    """
    return database


@pytest.fixture(scope="module")
def create_app(instance_path: str) -> Callable:
    """The REST API application, as InvenioRDM builds it."""
    from invenio_app.factory import create_api

    return create_api


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Per-module configuration overrides (a module redefines this fixture)."""
    return {}


@pytest.fixture(scope="module")
def app_config(app_config: dict, datacite_sandbox_server: Any, extra_app_config: dict) -> dict:
    """InvenioRDM configured for the tests, DataCite pointing at the sandbox."""
    app_config.update(in_process_services())
    app_config.update(
        RECORDS_REFRESOLVER_CLS="invenio_records.resolver.InvenioRefResolver",
        RECORDS_REFRESOLVER_STORE="invenio_jsonschemas.proxies.current_refresolver_store",
        JSONSCHEMAS_HOST="not-used",
        THEME_FRONTPAGE=False,
        SITE_UI_URL="https://repo.example.org",
        SITE_API_URL="https://repo.example.org/api",
        THEME_SITENAME="Example Repository",
        DATACITE_ENABLED=True,
        DATACITE_USERNAME="sandbox",
        DATACITE_PASSWORD="sandbox",
        DATACITE_PREFIX=SANDBOX_PREFIX,
        DATACITE_TEST_MODE=True,
        DOI_EXT_DATACITE_URL=datacite_sandbox_server.url,
        DOI_EXT_COALESCE_SECONDS=0,
        DOI_EXT_HTTP_TIMEOUT=(2.0, 2.0),
        DOI_EXT_RATE_LIMIT="10000 per 1 second",
        DOI_EXT_SWEEP_INTERVAL=timedelta(seconds=60),
    )
    app_config.update(extra_app_config)
    return app_config


@pytest.fixture(scope="module")
def search(appctx: Any) -> Iterator[Any]:
    """The search stand-in (openmock), installed as the instance's search client."""
    from invenio_search import current_search

    from invenio_doi_ext.embedded import install_search_standin

    yield install_search_standin()
    current_search._client = None


@pytest.fixture(scope="module")
def resource_types(app: Any, location: Any) -> None:
    """The resource types a DataCite payload needs (``types.resourceTypeGeneral``)."""
    from invenio_vocabularies.proxies import current_service as vocabulary_service
    from invenio_vocabularies.records.api import Vocabulary

    vocabulary_service.create_type(system_identity, "resourcetypes", "rsrct")
    for type_id, general, title in (
        ("dataset", "Dataset", "Dataset"),
        ("image-photo", "Image", "Photo"),
    ):
        vocabulary_service.create(
            system_identity,
            {
                "id": type_id,
                "icon": "table",
                "props": {
                    "csl": "dataset",
                    "datacite_general": general,
                    "datacite_type": "" if general == "Dataset" else title,
                    "openaire_resourceType": "21",
                    "openaire_type": "dataset",
                    "eurepo": "info:eu-repo/semantics/other",
                    "schema.org": "https://schema.org/Dataset",
                    "subtype": "" if general == "Dataset" else type_id,
                    "type": type_id.split("-")[0],
                },
                "title": {"en": title},
                "tags": ["depositable", "linkable"],
                "type": "resourcetypes",
            },
        )
    Vocabulary.index.refresh()


@pytest.fixture
def service(app: Any, resource_types: None) -> Any:
    """The real InvenioRDM records service."""
    from invenio_rdm_records.proxies import current_rdm_records_service

    return current_rdm_records_service


@pytest.fixture
def sandbox(datacite_sandbox: Any, app: Any) -> Any:
    """The reset sandbox, with the cached gateway dropped so each test starts clean."""
    from invenio_doi_ext.lifecycle.client import reset_gateway

    with app.app_context():
        reset_gateway()
    return datacite_sandbox


def minimal_record(**overrides: Any) -> dict[str, Any]:
    """A record InvenioRDM accepts and DataCite can register."""
    data: dict[str, Any] = {
        "pids": {},
        "access": {"record": "public", "files": "public"},
        "files": {"enabled": False},
        "metadata": {
            "publication_date": "2024-06-01",
            "resource_type": {"id": "dataset"},
            "creators": [
                {
                    "person_or_org": {
                        "family_name": "Brown",
                        "given_name": "Troy",
                        "type": "personal",
                    }
                }
            ],
            "title": "Sea surface temperatures of the Ligurian Sea",
            "publisher": "Example Repository",
        },
    }
    for key, value in overrides.items():
        if key in ("title", "publisher", "creators", "publication_date", "description"):
            data["metadata"][key] = value
        else:
            data[key] = value
    return data


@pytest.fixture
def record_data() -> Callable[..., dict[str, Any]]:
    """Factory of minimal record data."""
    return minimal_record


@pytest.fixture
def identity() -> Identity:
    """An authenticated depositor identity (user 1 need not exist for the service)."""
    identity = Identity(1)
    identity.provides.add(UserNeed(1))
    identity.provides.add(any_user)
    identity.provides.add(authenticated_user)
    identity.provides.add(Need(method="system_role", value="authenticated_user"))
    return identity


@pytest.fixture
def db(db: Any) -> Any:
    """pytest-invenio's db fixture, made to roll back on SQLite too.

    pysqlite runs its own transactions (BEGIN only before writes, COMMIT before
    SAVEPOINT statements), which breaks the savepoints each test is rolled back
    with: rows leaked from test to test. On the test's one connection, SQLite is
    told to leave transactions to us, and the outer transaction really begins.
    """
    connection = db.session.get_bind()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        raw.isolation_level = None
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    return db


@pytest.fixture
def make_user(app: Any, db: Any) -> Callable[..., Person]:
    """A confirmed account with the given roles and actions, committed with ``db.session``.

    ``UserFixture.create`` commits through the accounts datastore, whose post-commit
    hook reindexes the user through a sorted search the search stand-in cannot
    answer; these tests never search users.
    """
    from invenio_access.models import ActionUsers
    from invenio_access.utils import get_identity
    from invenio_accounts.proxies import current_datastore
    from invenio_accounts.utils import hash_password
    from invenio_cache import current_cache

    from invenio_doi_ext.lifecycle.models import utcnow

    # SQLite reuses the ids of rolled-back users, and invenio-access caches what
    # a user id may do: forget what earlier tests' users were allowed.
    current_cache.clear()

    def _make(email: str, *roles: str, actions: tuple = ()) -> Person:
        user = current_datastore.create_user(
            email=email, password=hash_password("secret-password"), active=True, confirmed_at=utcnow()
        )
        for name in roles:
            role = current_datastore.find_role(name) or current_datastore.create_role(name=name)
            current_datastore.add_role_to_user(user, role)
        for action in actions:
            db.session.add(ActionUsers.allow(action, user=user))
        db.session.commit()
        identity = get_identity(user)
        identity.provides.add(authenticated_user)
        return Person(email=email, user=user, identity=identity)

    return _make


@pytest.fixture
def admin(make_user: Callable[..., Person]) -> Person:
    """An administrator (``administration-access``)."""
    from invenio_administration.permissions import administration_access_action

    return make_user("admin@example.org", actions=(administration_access_action,))


@pytest.fixture
def owner(make_user: Callable[..., Person]) -> Person:
    """A depositor."""
    return make_user("owner@example.org")


@pytest.fixture
def login(app: Any, client: Any) -> Callable[[Any], Any]:
    """Log the test client in as a user; returns the client, with its CSRF token set.

    InvenioRDM's REST API checks a CSRF token on writes made with a session
    cookie: the browser sends the ``csrftoken`` cookie back as ``X-CSRFToken``.
    """
    from invenio_accounts.testutils import login_user_via_session
    from invenio_rest.csrf import _get_new_csrf_token

    def _login(user: Any) -> Any:
        login_user_via_session(client, email=user.email)
        with app.test_request_context():
            token = _get_new_csrf_token()
        client.set_cookie(app.config["CSRF_COOKIE_NAME"], token)
        client.environ_base["HTTP_X_CSRFTOKEN"] = token
        return client

    return _login


@pytest.fixture
def run(app: Any, db: Any) -> Callable[..., Any]:
    """Invoke ``invenio doi ARGS...`` through click; a traceback fails the test."""
    from invenio_doi_ext.cli import doi

    def _run(*args: str) -> Any:
        result = app.test_cli_runner().invoke(doi, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return _run


@pytest.fixture
def set_config(app: Any) -> Iterator[Callable[..., None]]:
    """Change configuration for one test and put it back afterwards."""
    saved: dict[str, Any] = {}

    def _set(**values: Any) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield _set
    app.config.update(saved)


@pytest.fixture
def community(app: Any, db: Any) -> Callable[[str], Any]:
    """A community (slug) as a record, without the search index the service would need."""
    from invenio_communities.communities.records.api import Community

    def _make(slug: str) -> Any:
        record = Community.create({"metadata": {"title": slug.title()}, "access": {}}, slug=slug)
        record.commit()
        db.session.commit()
        return record

    return _make


@pytest.fixture
def publish(service: Any, db: Any) -> Callable[..., Any]:
    """Create and publish a record through the real service; returns the result item."""

    def _publish(data: dict[str, Any] | None = None) -> Any:
        draft = service.create(system_identity, data or minimal_record())
        return service.publish(system_identity, draft.id)

    return _publish


@pytest.fixture
def in_community(db: Any, service: Any) -> Callable[[str, Any], None]:
    """Put a draft's parent in a community (as accepting its submission does)."""

    def _put(draft_id: str, comm: Any) -> None:
        draft = service.draft_cls.pid.resolve(draft_id, registered_only=False)
        draft.parent.communities.add(comm, default=True)
        draft.parent.commit()
        db.session.commit()

    return _put
