"""The administration page answers bad query arguments and Retry input with 400, never a 500.

``page=99999999999999999999`` overflowed PostgreSQL's bigint OFFSET; a NUL in
``retried`` or in a Retry's DOI reached PostgreSQL, which refuses it in a string.
"""

from __future__ import annotations

import re

import pytest
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db as _db

from invenio_doi_ext.lifecycle.models import DOIEvent, ManagedDOI, utcnow

PAGE = "/administration/dois"


@pytest.fixture
def failed_row(db):
    """One failed DOI, so that the page lists a Retry form (and its CSRF token)."""
    row = ManagedDOI(
        doi="10.1234/refused",
        pid_value="10.1234/refused",
        kind="record",
        desired_state="findable",
        desired_fingerprint="d",
        remote_state="none",
        attempts=1,
        failed=True,
        last_error="DataCite refused it",
        next_attempt_at=utcnow(),
    )
    _db.session.add(row)
    _db.session.commit()
    return row


@pytest.fixture
def admin_client(client, users):
    login_user_via_session(client, email="admin@example.org")
    return client


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-1", "abc", "1%00", "1000001"])
def test_a_bad_page_is_400_naming_page(admin_client, failed_row, page):
    response = admin_client.get(f"{PAGE}?page={page}")
    assert response.status_code == 400
    assert "page:" in response.get_data(as_text=True)


def test_a_page_past_the_last_is_an_empty_page(admin_client, failed_row):
    assert admin_client.get(f"{PAGE}?page=1000000").status_code == 200


@pytest.mark.parametrize("retried", ["10.1234/x%00y", "not-a-doi", "10.1234/a%20b"])
def test_a_bad_retried_doi_is_400_naming_retried(admin_client, failed_row, retried):
    response = admin_client.get(f"{PAGE}?retried={retried}")
    assert response.status_code == 400
    assert "retried:" in response.get_data(as_text=True)


def test_a_retry_of_a_doi_with_a_nul_is_400_and_changes_nothing(admin_client, failed_row):
    html = admin_client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = admin_client.post(PAGE, data={"doi": "10.1234/refused\x00", "csrf_token": token})
    assert response.status_code == 400
    assert "doi: it contains control characters" in response.get_data(as_text=True)
    row = _db.session.get(ManagedDOI, failed_row.id)
    assert row.failed
    assert DOIEvent.query.filter_by(doi_id=row.id, action="operator").count() == 0


def test_the_page_shows_each_dois_datacite_account(admin_client, failed_row):
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert '<td class="doi-ext-account">default</td>' in page
