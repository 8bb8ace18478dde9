"""Fixtures of the monitoring tests: operators, a strict DataCite account, the mail outbox."""

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
    """The digest goes to the ``doi-operators`` role; scrapers may use a token."""
    return {"DOI_EXT_NOTIFY_ROLE": "doi-operators", "DOI_EXT_METRICS_TOKEN": "scrape-token-1234"}


@pytest.fixture
def operator(make_user: Callable) -> Person:
    """A member of the digest's role."""
    return make_user("operator@example.org", "doi-operators")


@pytest.fixture
def outbox(app: Any) -> Iterator[list]:
    """The e-mails Flask-Mail sent (``MAIL_SUPPRESS_SEND`` keeps them on this machine)."""
    with app.extensions["mail"].record_messages() as messages:
        yield messages


@pytest.fixture
def strict_sandbox(set_config: Callable) -> Iterator[Any]:
    """A DataCite account whose repository only allows URLs on repo.example.org."""
    from invenio_doi_ext.lifecycle.client import reset_gateway
    from invenio_doi_ext.sandbox import SandboxServer

    server = SandboxServer(
        prefixes=("10.1234",), username="sandbox", password="sandbox", allowed_domains=("repo.example.org",)
    )
    server.start()
    set_config(DOI_EXT_DATACITE_URL=server.url)
    reset_gateway()
    yield server
    server.stop()
    reset_gateway()


@pytest.fixture
def digest_state(db: Any) -> Iterator[None]:
    """A fresh digest marker for each test (the marker row is the digest's memory)."""
    from invenio_doi_ext.monitoring.models import DigestState

    DigestState.query.delete()
    db.session.commit()
    yield


@pytest.fixture
def seed(db: Any) -> Callable[..., Any]:
    """Insert lifecycle rows directly, in any state (as workers and old versions leave them)."""
    from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow

    def _seed(doi: str, desired: str = "findable", remote: str = "findable", **fields: Any) -> Any:
        fingerprint = fields.pop("fingerprint", "f" * 64)
        row = ManagedDOI(
            doi=doi.lower(),
            pid_value=doi,
            kind="record",
            desired_state=desired,
            desired_fingerprint=fingerprint if desired != "none" else None,
            remote_state=remote,
            remote_fingerprint=fields.pop("remote_fingerprint", fingerprint if remote != "none" else None),
            attempts=fields.pop("attempts", 0),
            failed=fields.pop("failed", False),
            next_attempt_at=fields.pop("next_attempt_at", utcnow()),
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return _seed
