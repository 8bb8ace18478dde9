"""The DOI status block on the record landing page, through the real UI app."""

from __future__ import annotations

import re
from typing import Any

from invenio_accounts.testutils import login_user_via_session
from ui_harness import identity_of

from invenio_doi_ext.lifecycle.store import get_row


def publish_as(service: Any, user: Any, data: dict) -> Any:
    """Create and publish a record as ``user`` (its owner), through the real service."""
    identity = identity_of(user)
    draft = service.create(identity, data)
    return service.publish(identity, draft.id)


def block(html: str) -> str:
    """The DOI status block of a landing page, or '' when there is none."""
    end = r"</div>\s*</div>\s*(?=<section|<div class=\"sidebar)"
    match = re.search(r'<div id="doi-ext-status".*?' + end, html, re.S)
    return match.group(0) if match else ""


def landing(client: Any, recid: str) -> str:
    response = client.get(f"/records/{recid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_failed_registration_shows_datacite_message_and_what_to_do(
    client, users, service, refused_domain, record_data
):
    """A 422 from DataCite: its message verbatim, and who must fix what, for the owner."""
    record = publish_as(service, users["owner"], record_data())
    doi = record.data["pids"]["doi"]["identifier"]
    row = get_row(doi)
    assert row.failed and row.last_status == 422

    login_user_via_session(client, email="owner@example.org")
    html = block(landing(client, record.id))
    assert f'data-doi="{doi}" data-state="failed"' in html
    assert "DataCite answered HTTP 422:" in html
    assert (
        f"url: URL https://repo.example.org/doi/{doi} is not allowed by repository sandbox "
        "domain settings." in html
    )
    assert "an administrator must check the repository&#39;s domain settings at DataCite" in html
    # the owner is no administrator: no link to the administration page
    assert "/administration/dois" not in html


def test_findable_record_shows_both_dois_to_admin(client, users, publish, sandbox, record_data):
    """Administrators see the version and concept DOI, and the way to the admin page."""
    record = publish(record_data())
    doi = record.data["pids"]["doi"]["identifier"]
    parent_doi = record.data["parent"]["pids"]["doi"]["identifier"]

    login_user_via_session(client, email="admin@example.org")
    html = block(landing(client, record.id))
    assert f'data-doi="{doi}" data-state="findable"' in html
    assert f'data-doi="{parent_doi}" data-state="findable"' in html
    assert "Registered and findable at DataCite." in html
    assert 'href="/administration/dois"' in html


def test_block_hidden_from_other_users_and_anonymous(client, users, service, sandbox, record_data):
    """Neither a logged-in stranger nor an anonymous visitor sees the block."""
    record = publish_as(service, users["owner"], record_data())
    anonymous = landing(client, record.id)
    assert "doi-ext-status" not in anonymous
    login_user_via_session(client, email="other@example.org")
    assert "doi-ext-status" not in landing(client, record.id)


def test_tombstoned_record_shows_hidden(
    client, users, publish, service, sandbox, record_data, removal_reasons
):
    """After deletion the DOI is hidden at DataCite; administrators see it on the tombstone page."""
    from invenio_access.permissions import system_identity

    record = publish(record_data())
    service.delete_record(system_identity, record.id, {"removal_reason": {"id": "spam"}, "is_visible": True})
    doi = record.data["pids"]["doi"]["identifier"]
    assert get_row(doi).remote_state == "registered"

    login_user_via_session(client, email="admin@example.org")
    response = client.get(f"/records/{record.id}?include_deleted=1")
    assert response.status_code == 200
    html = block(response.get_data(as_text=True))
    assert f'data-doi="{doi}" data-state="hidden"' in html
    assert "Hidden at DataCite" in html
