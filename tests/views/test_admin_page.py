"""The DataCite DOIs administration page: who may open it, what it lists, Retry with CSRF."""

from __future__ import annotations

import re
from typing import Any

from invenio_accounts.testutils import login_user_via_session
from ui_harness import identity_of, publish_over_stray_doi

from invenio_doi_ext.lifecycle.desired import get_row
from invenio_doi_ext.lifecycle.models import DOIEvent

SANDBOX_PREFIX = "10.1234"
PAGE = "/administration/dois"


def failed_record(service: Any, users: dict, sandbox: Any, record_data: Any) -> tuple[Any, str]:
    record = publish_over_stray_doi(
        service, identity_of(users["owner"]), record_data(), sandbox.control, SANDBOX_PREFIX
    )
    return record, record.data["pids"]["doi"]["identifier"]


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


def test_lists_failed_doi_with_error_and_retry_converges(client, users, service, sandbox, record_data):
    """The failed DOI is listed with DataCite's error; Retry with the token converges it."""
    record, doi = failed_record(service, users, sandbox, record_data)
    login_user_via_session(client, email="admin@example.org")
    html = client.get(PAGE).get_data(as_text=True)
    row = row_html(html, doi)
    assert 'data-state="failed"' in row
    assert "HTTP 422" in row and "rightsList: Rights should not exceed 2000 characters." in row
    assert "none: failed" in row
    assert "1 DOI needs attention." in html

    # Without the CSRF token nothing happens.
    assert client.post(PAGE, data={"doi": doi}).status_code == 400
    assert get_row(doi).failed

    # The operator removes the stray DOI at DataCite, then retries.
    assert sandbox.control.remove(doi)
    response = client.post(PAGE, data={"doi": doi, "csrf_token": csrf_token(html)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PAGE}?retried={doi}")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="doi-ext-retried" data-doi="{doi}" data-state="findable"' in page
    assert "Every DOI is at DataCite as it should be." in page
    assert sandbox.control.doi(doi)["state"] == "findable"
    row = get_row(doi)
    assert row.in_sync and not row.failed and row.last_error is None
    event = DOIEvent.query.filter_by(doi_id=row.id, action="operator").one()
    assert event.actor == f"user:{users['admin'].id}" and event.operation == "retry"


def test_retry_of_unknown_doi_is_404(client, users, service, sandbox, record_data):
    """A DOI this instance does not manage: 404, not 500 (the token is valid for the session)."""
    failed_record(service, users, sandbox, record_data)
    login_user_via_session(client, email="admin@example.org")
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    response = client.post(PAGE, data={"doi": "10.1234/nobody-here", "csrf_token": token})
    assert response.status_code == 404, response.get_data(as_text=True)[-3000:]
    response = client.post(PAGE, data={"doi": "", "csrf_token": token})
    assert response.status_code == 400
