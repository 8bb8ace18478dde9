"""Fixtures of the curated DOI request tests: curators, depositors, the request service, notifications."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_support import Person

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lifecycle"))

@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Curation required for every record; curators are the ``doi-curators`` role."""
    return {"DOI_EXT_CURATION_REQUIRED": True, "DOI_EXT_CURATOR_ROLE": "doi-curators"}


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


@pytest.fixture
def outbox(app: Any) -> Iterator[list]:
    """The e-mails Flask-Mail sent (``MAIL_SUPPRESS_SEND`` keeps them on this machine)."""
    with app.extensions["mail"].record_messages() as messages:
        yield messages


@pytest.fixture(autouse=True)
def notifications(app: Any, outbox: list, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """Notifications as invenio-notifications dispatches them: (type, backend, recipient e-mail).

    Notifications are on, as they are by default for users: the builders run for
    real (context resolved through the services, recipients generated and
    filtered), and each dispatch goes on to the e-mail backend, which renders the
    templates in this REST application and sends the mail (to ``outbox``). The
    dispatch is only observed on its way, so that tests can read its context.
    """
    from invenio_notifications import tasks

    sent: list[dict] = []
    dispatch = tasks.dispatch_notification.delay

    def _observe(backend: str, recipient: dict, notification: dict) -> Any:
        sent.append(
            {
                "type": notification["type"],
                "backend": backend,
                "to": recipient["data"].get("email"),
                "context": notification["context"],
            }
        )
        return dispatch(backend, recipient, notification)

    monkeypatch.setattr(tasks.dispatch_notification, "delay", _observe)
    yield sent
