# setup.cfg, [options.entry_points], needed for curated DOI requests in a real instance:
#     invenio_requests.types =
#         doi_ext_doi_request = invenio_doi_ext.curation.request_type:DOIRequest
#     invenio_base.apps / invenio_base.api_apps =
#         invenio_doi_ext_curation = invenio_doi_ext.curation.ext:DOICuration
#     invenio_db.models =
#         invenio_doi_ext_curation = invenio_doi_ext.curation.models
# Until they are there, ``extra_entry_points`` below injects the same lines for these tests.
"""Fixtures of the curated DOI request tests: curators, depositors, the request service, notifications."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask_security.utils import hash_password
from invenio_access.permissions import authenticated_user
from invenio_access.utils import get_identity

from invenio_doi_ext.lifecycle.models import utcnow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lifecycle"))

ENTRY_POINTS = {
    "invenio_requests.types": ["doi_ext_doi_request = invenio_doi_ext.curation.request_type:DOIRequest"],
    "invenio_base.apps": ["invenio_doi_ext_curation = invenio_doi_ext.curation.ext:DOICuration"],
    "invenio_base.api_apps": ["invenio_doi_ext_curation = invenio_doi_ext.curation.ext:DOICuration"],
    "invenio_db.models": ["invenio_doi_ext_curation = invenio_doi_ext.curation.models"],
    "invenio_base.api_blueprints": ["invenio_doi_ext = invenio_doi_ext.resources:create_blueprint"],
}


def _declared(group: str, line: str) -> bool:
    value = line.split("=", 1)[1].strip()
    return any(ep.value == value for ep in importlib.metadata.entry_points(group=group))


@pytest.fixture(scope="module")
def extra_entry_points() -> dict[str, list[str]]:
    """The curation entry points, unless setup.cfg already declares them."""
    found: dict[str, list[str]] = {}
    for group, lines in ENTRY_POINTS.items():
        missing = [line for line in lines if not _declared(group, line)]
        if missing:
            found[group] = missing
    return found


@pytest.fixture(scope="module")
def create_app(instance_path: str, entry_points: Any) -> Callable:
    """The REST API application, built with the extra entry points."""
    from invenio_app.factory import create_api

    return create_api


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Curation required for every record; curators are the ``doi-curators`` role."""
    return {"DOI_EXT_CURATION_REQUIRED": True, "DOI_EXT_CURATOR_ROLE": "doi-curators"}


@dataclass
class Person:
    """A user account and the identity services see for it."""

    email: str
    user: Any
    identity: Any


@pytest.fixture
def make_user(app: Any, db: Any) -> Callable[..., Person]:
    """A confirmed account, committed with ``db.session``.

    ``UserFixture.create`` reindexes users through a sorted search that the
    openmock stand-in cannot answer (see tests/resources/conftest.py).
    """
    datastore = app.extensions["security"].datastore

    def _make(email: str, *roles: str) -> Person:
        user = datastore.create_user(
            email=email, password=hash_password("secret-password"), active=True, confirmed_at=utcnow()
        )
        for name in roles:
            role = datastore.find_role(name) or datastore.create_role(name=name)
            datastore.add_role_to_user(user, role)
        db.session.commit()
        identity = get_identity(user)
        identity.provides.add(authenticated_user)
        return Person(email=email, user=user, identity=identity)

    return _make


@pytest.fixture
def curator(make_user: Callable) -> Person:
    """A member of the curators' role."""
    return make_user("curator@example.org", "doi-curators")


@pytest.fixture
def second_curator(make_user: Callable, curator: Person) -> Person:
    """Another curator (every curator hears of a submission)."""
    return make_user("curator2@example.org", "doi-curators")


@pytest.fixture
def depositor(make_user: Callable, curator: Person) -> Person:
    """A depositor without any role (the curators' role exists)."""
    return make_user("depositor@example.org")


@pytest.fixture
def requests_service(app: Any) -> Any:
    """invenio-requests' service."""
    from invenio_requests.proxies import current_requests_service

    return current_requests_service


@pytest.fixture
def deposit(service: Any, record_data: Callable, sandbox: Any) -> Callable[..., Any]:
    """Create and publish a record as a person, through the real records service."""

    def _deposit(person: Person, **overrides: Any) -> Any:
        draft = service.create(person.identity, record_data(**overrides))
        return service.publish(person.identity, draft.id)

    return _deposit


@pytest.fixture(autouse=True)
def notifications(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """Notifications as invenio-notifications dispatches them: (type, backend, recipient e-mail).

    The builders run for real (context resolved through the services, recipients
    generated and filtered); only the last step, handing the e-mail to a backend
    task, is captured (the REST app of the tests has no theme to find e-mail
    templates; ``test_notifications`` renders them).
    """
    from invenio_notifications import tasks

    sent: list[dict] = []

    def _capture(backend: str, recipient: dict, notification: dict) -> None:
        sent.append(
            {
                "type": notification["type"],
                "backend": backend,
                "to": recipient["data"].get("email"),
                "context": notification["context"],
            }
        )

    monkeypatch.setattr(tasks.dispatch_notification, "delay", _capture)
    yield sent
