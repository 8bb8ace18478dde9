"""Fixtures of the DOI filter tests: configurable filters, communities, files, users, the CLI.

DOIs are minted with a random suffix here, so that "the same DOI comes back" can
only be true because the set-aside DOI was remembered, not because
``{prefix}/{id}`` happens to produce it again.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result
from invenio_access.permissions import system_identity

from invenio_doi_ext.cli import doi
from tests.resources.conftest import (
    BLUEPRINT_ENTRY_POINT,
    MemoryIdentityCache,
    Person,
    _entry_point_installed,
    _user,
)


def random_doi(prefix: str, record: Any) -> str:
    """A DOI that minting never produces twice."""
    return f"{prefix}/flt-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Random DOIs; the filters are set per test."""
    return {"DATACITE_FORMAT": random_doi}


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


@pytest.fixture(scope="module")
def app_config(app_config: dict) -> dict:
    """The harness configuration with an identity cache that resolves from any directory."""
    app_config["COMMUNITIES_IDENTITIES_CACHE_HANDLER"] = MemoryIdentityCache
    return app_config


@pytest.fixture
def set_config(app: Any) -> Iterator[Callable[..., None]]:
    """Change configuration (the filters) for one test and put it back afterwards."""
    saved: dict[str, Any] = {}

    def _set(**values: Any) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield _set
    app.config.update(saved)


@pytest.fixture
def admin(app: Any, db: Any) -> Person:
    """An administrator (``administration-access``)."""
    from invenio_administration.permissions import administration_access_action

    return _user(app, db, "admin@example.org", administration_access_action)


@pytest.fixture
def owner(app: Any, db: Any) -> Person:
    """A depositor."""
    return _user(app, db, "owner@example.org")


@pytest.fixture
def login(app: Any, client: Any) -> Callable[[Any], Any]:
    """Log the test client in as a user, with its CSRF token set."""
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
def run(app: Any, db: Any) -> Callable[..., Result]:
    """Invoke ``invenio doi ARGS...``; a traceback fails the test."""

    def _run(*args: str) -> Result:
        result = app.test_cli_runner().invoke(doi, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return _run


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
def in_community(db: Any, service: Any) -> Callable[[str, Any], None]:
    """Put a draft's parent in a community (as accepting its submission does)."""

    def _put(draft_id: str, comm: Any) -> None:
        draft = service.draft_cls.pid.resolve(draft_id, registered_only=False)
        draft.parent.communities.add(comm, default=True)
        draft.parent.commit()
        db.session.commit()

    return _put


@pytest.fixture
def add_file(service: Any) -> Callable[[str], None]:
    """Upload and commit one file to a draft through the draft files service."""

    def _add(draft_id: str, key: str = "data.csv") -> None:
        files = service.draft_files
        files.init_files(system_identity, draft_id, [{"key": key}])
        files.set_file_content(system_identity, draft_id, key, io.BytesIO(b"a,b\n1,2\n"))
        files.commit_file(system_identity, draft_id, key)

    return _add


@pytest.fixture
def draft_with_doi(service: Any, sandbox: Any) -> Callable[[dict], tuple[str, str]]:
    """A draft that asked for a DOI ("Get a DOI now"), then saved by the form: (id, DOI)."""

    def _make(data: dict) -> tuple[str, str]:
        draft_id = service.create(system_identity, data).id
        service.pids.create(system_identity, draft_id, "doi")
        form = service.read_draft(system_identity, draft_id).data
        saved = service.update_draft(system_identity, draft_id, form)
        return draft_id, saved.data["pids"]["doi"]["identifier"]

    return _make
