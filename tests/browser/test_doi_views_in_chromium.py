"""A person in a real browser: the failed DOI on the landing page, then Retry in the admin page.

Chromium logs in through the real login form (Flask-Security, with its CSRF
token), reads the landing page of a record whose registration DataCite refused
with a 422 (the repository's domain settings at DataCite do not include the
site), and, once those settings are fixed, presses Retry on the administration
page for both DOIs. Screenshots of each page go to ``test-output/browser/``.
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from ui_harness import REFUSED_DOMAINS, create_user, identity_of

from invenio_doi_ext.lifecycle.store import get_row

# PostgreSQL: the served app (a server thread) and the test write to the database
# at the same time, which SQLite answers with "database is locked".
pytestmark = [pytest.mark.browser, pytest.mark.postgresql]

ADMIN_EMAIL, ADMIN_PASSWORD = "curator-admin@example.org", "a-long-admin-password"


@pytest.fixture(scope="module")
def people(app: Any, database: Any) -> dict[str, Any]:
    """An administrator and a depositor, committed (the server reads them from its own threads)."""
    from invenio_accounts.proxies import current_datastore

    return {
        "admin": create_user(current_datastore, ADMIN_EMAIL, ADMIN_PASSWORD, admin=True),
        "owner": create_user(current_datastore, "depositor@example.org", "a-long-owner-password"),
    }


def log_in(driver: Any, base: str) -> None:
    """Through the login form, as a person would."""
    driver.get(f"{base}/login/")
    driver.find_element(By.NAME, "email").send_keys(ADMIN_EMAIL)
    driver.find_element(By.NAME, "password").send_keys(ADMIN_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[name=login_user_form] button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)


def retry(driver: Any, doi: str) -> None:
    """Press Retry in the DOI's row; wait for the page that reports the outcome."""
    row = driver.find_element(By.CSS_SELECTOR, f'#doi-ext-table tr[data-doi="{doi}"]')
    row.find_element(By.CSS_SELECTOR, "form.doi-ext-retry button[type=submit]").click()
    retried = WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f'#doi-ext-retried[data-doi="{doi}"]')
    )
    assert retried.get_attribute("data-state") == "findable"
    assert f"Retried {doi}: now findable" in retried.text


def status_of(driver: Any, doi: str) -> Any:
    return driver.find_element(By.CSS_SELECTOR, f'#doi-ext-status [data-doi="{doi}"]')


def test_failed_doi_seen_on_landing_page_and_retried_from_admin_page(
    ui_server, chromium, screenshots, people, service, sandbox, record_data, database
):
    from invenio_doi_ext.lifecycle.client import reset_gateway

    sandbox.set_allowed_domains(REFUSED_DOMAINS)
    reset_gateway()
    owner = identity_of(people["owner"])
    record = service.publish(owner, service.create(owner, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    assert get_row(doi).failed and get_row(concept).failed

    log_in(chromium, ui_server)

    # The landing page: failed, DataCite's message verbatim, what to do.
    chromium.get(f"{ui_server}/records/{record.id}")
    block = WebDriverWait(chromium, 20).until(ec.presence_of_element_located((By.ID, "doi-ext-status")))
    chromium.execute_script("arguments[0].scrollIntoView()", block)
    status = status_of(chromium, doi)
    assert status.get_attribute("data-state") == "failed"
    assert status.find_element(By.CSS_SELECTOR, ".doi-ext-state").text.strip() == "failed"
    assert status.find_element(By.CSS_SELECTOR, ".doi-ext-message").text == (
        f"url: URL https://repo.example.org/doi/{doi} is not allowed by repository sandbox "
        "domain settings."
    )
    assert "check the repository's domain settings at DataCite" in status.find_element(
        By.CSS_SELECTOR, ".doi-ext-advice").text
    screenshots(chromium, "1-landing-page-failed")
    screenshots(chromium, "1b-landing-page-failed-block", element=block)

    # The operator fixes the repository's domain settings at DataCite.
    sandbox.set_allowed_domains(())

    # The administration page lists it; Retry converges it.
    chromium.find_element(By.LINK_TEXT, "DataCite DOIs administration").click()
    row = WebDriverWait(chromium, 20).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, f'#doi-ext-table tr[data-doi="{doi}"]'))
    )
    assert row.get_attribute("data-state") == "failed"
    assert "is not allowed by repository sandbox domain settings." in row.text
    screenshots(chromium, "2-admin-page-failed")

    retry(chromium, doi)
    assert chromium.find_elements(By.CSS_SELECTOR, f'#doi-ext-table tr[data-doi="{doi}"]') == []
    assert chromium.find_element(
        By.CSS_SELECTOR, f'#doi-ext-table tr[data-doi="{concept}"]').get_attribute("data-state") == "failed"
    screenshots(chromium, "3-admin-page-after-first-retry")
    retry(chromium, concept)
    assert chromium.find_element(By.ID, "doi-ext-none").text == "Every DOI is at DataCite as it should be."
    screenshots(chromium, "4-admin-page-all-in-sync")

    # DataCite holds it, and the landing page says so.
    assert sandbox.control.doi(doi)["state"] == sandbox.control.doi(concept)["state"] == "findable"
    chromium.get(f"{ui_server}/records/{record.id}")
    assert status_of(chromium, doi).get_attribute("data-state") == "findable"
    assert status_of(chromium, concept).get_attribute("data-state") == "findable"
    screenshots(chromium, "5-landing-page-findable")
    database.session.expire_all()
    assert get_row(doi).in_sync and get_row(concept).in_sync
