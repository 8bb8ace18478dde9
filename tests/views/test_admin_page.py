"""The DataCite DOIs administration page: who may open it, what it lists, Retry with CSRF."""

from __future__ import annotations

import re
from typing import Any

from invenio_accounts.testutils import login_user_via_session
from ui_harness import identity_of

from invenio_doi_ext.lifecycle.models import DOIEvent
from invenio_doi_ext.lifecycle.store import get_row

PAGE = "/administration/dois"


def failed_record(service: Any, users: dict, record_data: Any) -> tuple[Any, str, str]:
    """Publish while DataCite refuses the site's domain: version and concept DOI fail."""
    identity = identity_of(users["owner"])
    record = service.publish(identity, service.create(identity, record_data()).id)
    data = record.data
    return record, data["pids"]["doi"]["identifier"], data["parent"]["pids"]["doi"]["identifier"]


def row_html(html: str, doi: str) -> str:
    match = re.search(rf'<tr[^>]*data-doi="{re.escape(doi)}".*?</tr>', html, re.S)
    assert match, f"no table row for {doi}"
    return match.group(0)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_page_needs_administration_access(client, users):
    """Anonymous visitors and ordinary users are refused, GET and POST alike."""
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"doi": "10.1234/x"}).status_code == 403
    login_user_via_session(client, email="owner@example.org")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"doi": "10.1234/x"}).status_code == 403


def test_lists_failed_dois_with_error_and_retry_converges(
    client, users, service, refused_domain, record_data
):
    """Failed DOIs are listed with DataCite's error; Retry (with the token) converges one."""
    record, doi, concept = failed_record(service, users, record_data)
    login_user_via_session(client, email="admin@example.org")
    html = client.get(PAGE).get_data(as_text=True)
    assert "2 DOIs need attention." in html
    row = row_html(html, doi)
    assert 'data-state="failed"' in row and "none: failed" in row
    assert "HTTP 422" in row and "is not allowed by repository sandbox domain settings." in row
    assert 'data-state="failed"' in row_html(html, concept)

    # Without the CSRF token nothing happens.
    assert client.post(PAGE, data={"doi": doi}).status_code == 400
    assert get_row(doi).failed

    # The operator fixes the domain settings at DataCite, then retries the version DOI.
    refused_domain.set_allowed_domains(())
    response = client.post(PAGE, data={"doi": doi, "csrf_token": csrf_token(html)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PAGE}?retried={doi}")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="doi-ext-retried" data-doi="{doi}" data-state="findable"' in page
    assert re.search(rf'<tr[^>]*data-doi="{re.escape(doi)}"', page) is None  # no longer listed
    assert "1 DOI needs attention." in page and 'data-state="failed"' in row_html(page, concept)
    assert sandbox_state(refused_domain, doi) == "findable"
    row = get_row(doi)
    assert row.in_sync and not row.failed and row.last_error is None
    event = DOIEvent.query.filter_by(doi_id=row.id, action="operator").one()
    assert event.actor == f"user:{users['admin'].id}" and event.operation == "retry"


def sandbox_state(sandbox: Any, doi: str) -> str | None:
    held = sandbox.control.doi(doi)
    return held["state"] if held else None


def test_retry_of_unknown_doi_is_404(client, users, service, refused_domain, record_data):
    """A DOI this instance does not manage: 404, not 500; an empty one: 400."""
    failed_record(service, users, record_data)
    login_user_via_session(client, email="admin@example.org")
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    response = client.post(PAGE, data={"doi": "10.1234/nobody-here", "csrf_token": token})
    assert response.status_code == 404
    response = client.post(PAGE, data={"doi": "", "csrf_token": token})
    assert response.status_code == 400
