# setup.cfg, [options.entry_points], needed for /api/dois in a real instance:
#     invenio_base.api_blueprints =
#         invenio_doi_ext = invenio_doi_ext.resources:create_blueprint
# Until it is there, ``extra_entry_points`` below injects the same line for these tests.
"""Fixtures of the REST API tests: users with and without rights, logged-in clients, records."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cachelib import SimpleCache
from flask_security.utils import hash_password
from invenio_access.models import ActionUsers
from invenio_access.permissions import authenticated_user, superuser_access, system_identity
from invenio_access.utils import get_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_administration.permissions import administration_access_action
from invenio_communities.cache.redis import IdentityRedisCache
from invenio_rest.csrf import _get_new_csrf_token

from invenio_doi_ext.lifecycle.desired import Target, set_desired
from invenio_doi_ext.lifecycle.enqueue import take_touched
from invenio_doi_ext.lifecycle.models import utcnow

BLUEPRINT_ENTRY_POINT = "invenio_doi_ext = invenio_doi_ext.resources:create_blueprint"


def _entry_point_installed() -> bool:
    group = importlib.metadata.entry_points(group="invenio_base.api_blueprints")
    return any(ep.value == "invenio_doi_ext.resources:create_blueprint" for ep in group)


@pytest.fixture(scope="module")
def extra_entry_points() -> dict[str, list[str]]:
    """The API blueprint, unless setup.cfg already declares it."""
    if _entry_point_installed():
        return {}
    return {"invenio_base.api_blueprints": [BLUEPRINT_ENTRY_POINT]}


@pytest.fixture(scope="module")
def create_app(instance_path: str, entry_points: Any) -> Callable:
    """The REST API application, built with the extra entry points."""
    from invenio_app.factory import create_api

    return create_api


class MemoryIdentityCache(IdentityRedisCache):
    """invenio-communities' identity cache kept in memory (see tests/cli/conftest.py for why here)."""

    def __init__(self, app: Any = None) -> None:
        """A process-local cache instead of a Redis connection."""
        self._app = app
        self.cache = SimpleCache()


@pytest.fixture(scope="module")
def app_config(app_config: dict) -> dict:
    """The harness configuration with an identity cache that resolves from any directory."""
    app_config["COMMUNITIES_IDENTITIES_CACHE_HANDLER"] = MemoryIdentityCache
    return app_config


@dataclass
class Person:
    """A user account, and the identity services see for it."""

    email: str
    user: Any
    identity: Any


def _user(app: Any, db: Any, email: str, action: Any = None) -> Person:
    """A confirmed account, committed with ``db.session`` rather than the datastore.

    ``UserFixture.create`` commits through the accounts datastore, whose post-commit
    hook reindexes the user and notifies related records through a sorted search
    that the openmock stand-in cannot answer; these tests never search users.
    """
    datastore = app.extensions["security"].datastore
    user = datastore.create_user(
        email=email, password=hash_password("secret-password"), active=True, confirmed_at=utcnow()
    )
    if action is not None:
        db.session.add(ActionUsers.allow(action, user=user))
    db.session.commit()
    identity = get_identity(user)
    identity.provides.add(authenticated_user)
    return Person(email=email, user=user, identity=identity)


@pytest.fixture
def owner(app: Any, db: Any) -> Person:
    """A depositor who owns the records made by ``owned_record``."""
    return _user(app, db, "owner@example.org")


@pytest.fixture
def other(app: Any, db: Any) -> Person:
    """An authenticated user with no relation to the records."""
    return _user(app, db, "other@example.org")


@pytest.fixture
def admin(app: Any, db: Any) -> Person:
    """An administrator (``administration-access``)."""
    return _user(app, db, "admin@example.org", administration_access_action)


@pytest.fixture
def superuser(app: Any, db: Any) -> Person:
    """A superuser (``superuser-access``)."""
    return _user(app, db, "root@example.org", superuser_access)


@pytest.fixture
def login(app: Any, client: Any) -> Callable[[Any], Any]:
    """Log the test client in as a user; returns the client, with its CSRF token set.

    InvenioRDM's REST API checks a CSRF token on writes made with a session
    cookie: the browser sends the ``csrftoken`` cookie back as ``X-CSRFToken``.
    """

    def _login(user: Any) -> Any:
        login_user_via_session(client, email=user.email)
        with app.test_request_context():
            token = _get_new_csrf_token()
        client.set_cookie(app.config["CSRF_COOKIE_NAME"], token)
        client.environ_base["HTTP_X_CSRFTOKEN"] = token
        return client

    return _login


@pytest.fixture
def owned_record(service: Any, owner: Any, record_data: Callable, sandbox: Any) -> Callable[..., Any]:
    """Publish a record as ``owner`` through the real service (its DOI converges at once)."""

    def _publish(**overrides: Any) -> Any:
        draft = service.create(owner.identity, record_data(**overrides))
        return service.publish(owner.identity, draft.id)

    return _publish


@pytest.fixture
def waiting_draft(service: Any, db: Any, record_data: Callable, sandbox: Any) -> Callable[[], str]:
    """A never-published draft whose DataCite DOI is minted but not reserved; returns the DOI."""

    def _draft() -> str:
        draft = service.create(system_identity, record_data())
        result = service.pids.create(system_identity, draft.id, "doi")
        take_touched(db.session)  # as if the broker lost the message
        return result.data["pids"]["doi"]["identifier"].lower()

    return _draft


@pytest.fixture
def make_foreign_row(db: Any) -> Callable[[], str]:
    """A managed DOI under a prefix the DataCite account does not own (DataCite answers 403)."""

    def _make() -> str:
        row = set_desired(
            "10.9999/foreign",
            Target("findable", {"titles": [{"title": "Foreign"}]}, "https://repo.example.org/x"),
        )
        take_touched(db.session)
        db.session.commit()
        return row.doi

    return _make
