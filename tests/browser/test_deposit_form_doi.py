"""The depositor's side in InvenioRDM's real deposit form and landing page, in Chromium.

The UI app serves InvenioRDM's own built frontend (``scripts/ensure-ui-bundle.sh``)
with this package installed; DataCite is the sandbox over real HTTP. Celery is
not eager here: a request only queues its task in the (in-process) broker, as
in production, and "the worker runs" is a real Celery worker (Celery's own
test worker, in a thread of this process) started by the test and stopped once
the DOIs converged. Each flow records screenshots in ``test-output/browser/``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from deposit_helpers import (
    add_creator,
    answer_have_doi,
    choose_resource_type,
    discard_doi,
    doi_field_text,
    feedback,
    field_error,
    form_messages,
    get_a_doi,
    log_in,
    metadata_only,
    open_form,
    press,
    publish,
    save,
    shown_managed_doi,
    type_external_doi,
    type_title,
    wait,
    wait_for_form,
)
from selenium.webdriver.common.by import By
from ui_harness import create_user

from invenio_doi_ext.lifecycle.store import get_row

pytestmark = [pytest.mark.browser, pytest.mark.ui_bundle, pytest.mark.postgresql]

EMAIL, PASSWORD = "depositor@example.org", "a-long-depositor-password"
EXTERNAL_DOI = "10.9999/held.elsewhere.1"
VERSION_REFUSED = "a new version must get its DOI from Example Repository too"
MAP_REFUSED = "The resource type maps to DataCite's general type 'Map', which DataCite does not accept"


@pytest.fixture(scope="module")
def extra_app_config(extra_app_config: dict[str, Any], ui_port: int) -> dict[str, Any]:
    """The site is the loopback server (the form follows the API's links); tasks wait for a worker.

    The form's defaults are InvenioRDM's without the licence (no licence vocabulary here).
    """
    site = f"http://127.0.0.1:{ui_port}"
    return {
        **extra_app_config,
        "SITE_UI_URL": site,
        "SITE_API_URL": f"{site}/api",
        "CELERY_TASK_ALWAYS_EAGER": False,
        "APP_RDM_DEPOSIT_FORM_DEFAULTS": {
            "publication_date": lambda: "2024-06-01",
            "publisher": "Example Repository",
        },
    }


@pytest.fixture(scope="module")
def depositor(app: Any, database: Any, resource_types_committed: None) -> Any:
    from invenio_accounts.proxies import current_datastore

    return create_user(current_datastore, EMAIL, PASSWORD)


@pytest.fixture(scope="module")
def resource_types_committed(app: Any, database: Any, location: Any, search: Any) -> None:
    """The vocabularies the form reads (resource types; the others empty), committed."""
    from invenio_access.permissions import system_identity
    from invenio_vocabularies.proxies import current_service as vocabulary_service

    from invenio_doi_ext.demo.serve import FORM_VOCABULARIES

    for vocabulary, pid_type in (("resourcetypes", "rsrct"), *FORM_VOCABULARIES):
        vocabulary_service.create_type(system_identity, vocabulary, pid_type)
    vocabulary_service.create(system_identity, {
        "id": "dataset", "icon": "table", "type": "resourcetypes",
        "props": {"csl": "dataset", "datacite_general": "Dataset", "datacite_type": "",
                  "openaire_resourceType": "21", "openaire_type": "dataset",
                  "eurepo": "info:eu-repo/semantics/other", "schema.org": "https://schema.org/Dataset",
                  "subtype": "", "type": "dataset"},
        "title": {"en": "Dataset"}, "tags": ["depositable", "linkable"],
    })
    # An instance's own type whose DataCite mapping DataCite does not have.
    vocabulary_service.create(system_identity, {
        "id": "map", "icon": "map", "type": "resourcetypes",
        "props": {"csl": "map", "datacite_general": "Map", "datacite_type": "",
                  "openaire_resourceType": "0022", "openaire_type": "other",
                  "eurepo": "info:eu-repo/semantics/other", "schema.org": "https://schema.org/Map",
                  "subtype": "", "type": "map"},
        "title": {"en": "Map"}, "tags": ["depositable", "linkable"],
    })
    database.session.commit()


@pytest.fixture
def logged_in(ui_server: str, chromium: Any, depositor: Any) -> Any:
    log_in(chromium, ui_server, EMAIL, PASSWORD)
    return chromium


@pytest.fixture
def worker(app: Any, database: Any) -> Callable[..., None]:
    """Run a real Celery worker until ``done()`` holds (or fail after a while).

    Celery's app is process-wide and flask-celeryext binds it to the first Flask
    app it meets (an earlier test module's), so each task runs inside this
    module's app context, pushed around it by Celery's own task signals.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_prerun

    celery = app.extensions["invenio-celery"].celery
    contexts: dict[str, Any] = {}

    def push(task_id: str | None = None, **_: Any) -> None:
        contexts[task_id or ""] = app.app_context()
        contexts[task_id or ""].push()

    def pop(task_id: str | None = None, **_: Any) -> None:
        context = contexts.pop(task_id or "", None)
        if context is not None:
            context.pop()

    def run(done: Callable[[], bool], timeout: float = 60.0) -> None:
        task_prerun.connect(push, weak=False)
        task_postrun.connect(pop, weak=False)
        try:
            with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    database.session.expire_all()
                    database.session.rollback()
                    if done():
                        return
                    time.sleep(0.5)
        finally:
            task_prerun.disconnect(push)
            task_postrun.disconnect(pop)
        raise AssertionError("the DOIs did not converge while the worker ran")

    return run


@contextmanager
def step(screenshots: Callable, driver: Any, name: str) -> Iterator[None]:
    """A step of a flow; its screenshot is taken when it is done."""
    yield
    screenshots(driver, name)


def fill_required(driver: Any, title: str) -> None:
    metadata_only(driver)
    type_title(driver, title)
    choose_resource_type(driver)
    add_creator(driver, "Brown", "Troy")


def row(doi: str) -> Any:
    return get_row(doi)


def test_get_a_doi_on_a_new_draft_never_saved(logged_in, ui_server, screenshots, sandbox, worker):
    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    type_title(driver, "Never saved before asking for a DOI")
    answer_have_doi(driver, yes=False)
    doi = get_a_doi(driver)
    assert doi.startswith("10.1234/")
    assert not [m for m in form_messages(driver) if "already exists" in m]
    assert "already exists" not in doi_field_text(driver)
    screenshots(driver, "deposit-1-get-a-doi-new-draft")

    worker(lambda: row(doi) is not None and row(doi).in_sync)
    assert sandbox.control.doi(doi)["state"] == "draft"


def test_switching_have_a_doi_leaves_no_orphan_and_keeps_the_managed_doi(
    logged_in, ui_server, screenshots, sandbox, worker
):
    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    type_title(driver, "Switching between an external and a managed DOI")
    answer_have_doi(driver, yes=False)
    managed = get_a_doi(driver)
    save(driver)
    worker(lambda: row(managed).in_sync)
    assert sandbox.control.doi(managed)["state"] == "draft"

    for round_ in (1, 2):
        # A reserved DOI must be discarded before the answer can change (the form
        # disables the question while a DOI is reserved).
        discard_doi(driver)
        answer_have_doi(driver, yes=True)
        type_external_doi(driver, EXTERNAL_DOI)
        save(driver)
        screenshots(driver, f"deposit-2-switching-{round_}-external")
        worker(lambda: row(managed).in_sync)
        assert sandbox.control.doi(managed) is None

        answer_have_doi(driver, yes=False)
        assert get_a_doi(driver) == managed
        save(driver)
        worker(lambda: row(managed).in_sync)
        assert sandbox.control.doi(managed)["state"] == "draft"
    screenshots(driver, "deposit-2-switching-back-to-managed")

    assert [entry["doi"] for entry in sandbox.control.dois()] == [managed.lower()]
    assert EXTERNAL_DOI not in json.dumps(sandbox.control.journal())


def test_save_preview_back_preview_publish_keeps_the_doi(logged_in, ui_server, screenshots, sandbox, worker):
    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    fill_required(driver, "Preview twice, then publish")
    answer_have_doi(driver, yes=False)
    doi = get_a_doi(driver)
    save(driver)

    press(driver, "preview")
    wait(driver).until(lambda d: "preview=1" in d.current_url)
    assert doi in driver.page_source
    driver.back()
    wait_for_form(driver)
    assert shown_managed_doi(driver) == doi
    press(driver, "preview")
    wait(driver).until(lambda d: "preview=1" in d.current_url)
    driver.back()
    wait_for_form(driver)
    assert shown_managed_doi(driver) == doi
    publish(driver)
    wait(driver, 60).until(lambda d: "/records/" in d.current_url)
    screenshots(driver, "deposit-3-published-after-previews")
    assert doi in driver.page_source

    status = driver.find_element(By.CSS_SELECTOR, f'#doi-ext-status [data-doi="{doi}"]')
    assert status.get_attribute("data-state") == "registering"
    screenshots(driver, "landing-1-registering", element=driver.find_element(By.ID, "doi-ext-status"))
    worker(lambda: row(doi).in_sync)
    driver.refresh()
    status = driver.find_element(By.CSS_SELECTOR, f'#doi-ext-status [data-doi="{doi}"]')
    assert status.get_attribute("data-state") == "findable"
    screenshots(driver, "landing-2-findable", element=driver.find_element(By.ID, "doi-ext-status"))
    assert sandbox.control.doi(doi)["state"] == "findable"


def test_datacite_rules_show_on_the_field_and_refuse_publish_until_fixed(
    logged_in, ui_server, screenshots, sandbox, worker
):
    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    metadata_only(driver)
    type_title(driver, "A map DataCite cannot type")
    choose_resource_type(driver, "Map")
    add_creator(driver, "Brown", "Troy")
    answer_have_doi(driver, yes=False)
    doi = get_a_doi(driver)

    assert "validation feedback" in save(driver)
    assert MAP_REFUSED in field_error(driver, "metadata.resource_type")
    screenshots(driver, "deposit-4-datacite-rule-on-save")

    publish(driver)
    wait(driver).until(lambda d: feedback(d).startswith("The draft was not published."))
    assert MAP_REFUSED in field_error(driver, "metadata.resource_type")
    assert "/records/" not in driver.current_url
    screenshots(driver, "deposit-4b-publish-refused")
    assert sandbox.control.doi(doi) is None or sandbox.control.doi(doi)["state"] == "draft"

    choose_resource_type(driver, "Dataset")
    assert save(driver) == "Record successfully saved."
    assert field_error(driver, "metadata.resource_type") == ""
    publish(driver)
    wait(driver, 60).until(lambda d: "/records/" in d.current_url)
    worker(lambda: row(doi).in_sync)
    assert sandbox.control.doi(doi)["state"] == "findable"


def test_new_version_cannot_switch_to_an_external_doi(logged_in, ui_server, screenshots, sandbox, worker):
    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    fill_required(driver, "First version")
    answer_have_doi(driver, yes=False)
    get_a_doi(driver)
    save(driver)
    publish(driver)
    wait(driver, 60).until(lambda d: "/records/" in d.current_url)
    new_version = wait(driver).until(lambda d: next(
        (b for b in d.find_elements(By.XPATH, "//button[contains(normalize-space(), 'New version')]")
         if b.is_displayed()), None))
    new_version.click()
    wait_for_form(driver)
    answer_have_doi(driver, yes=True)
    type_external_doi(driver, EXTERNAL_DOI)
    save(driver)
    assert VERSION_REFUSED in doi_field_text(driver)
    screenshots(driver, "deposit-5-new-version-external-refused")

    publish(driver)
    wait(driver).until(lambda d: feedback(d).startswith("The draft was not published."))
    assert VERSION_REFUSED in doi_field_text(driver)
    assert "/records/" not in driver.current_url
    assert EXTERNAL_DOI not in json.dumps(sandbox.control.journal())


def test_landing_page_tells_the_depositor_datacite_is_retried_during_an_outage(
    logged_in, ui_server, screenshots, sandbox, worker, database
):
    from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow

    driver = logged_in
    open_form(driver, f"{ui_server}/uploads/new")
    fill_required(driver, "Published while DataCite is down")
    answer_have_doi(driver, yes=False)
    doi = get_a_doi(driver)
    save(driver)
    publish(driver)
    wait(driver, 60).until(lambda d: "/records/" in d.current_url)

    sandbox.control.outage("503_html")
    worker(lambda: row(doi).attempts > 0 and row(doi).last_error is not None)
    driver.refresh()
    status = driver.find_element(By.CSS_SELECTOR, f'#doi-ext-status [data-doi="{doi}"]')
    assert status.get_attribute("data-state") == "retrying"
    advice = status.find_element(By.CSS_SELECTOR, ".doi-ext-advice").text
    assert advice.startswith("Nothing to do: it will be retried at ")
    message = status.find_element(By.CSS_SELECTOR, ".doi-ext-message").text
    assert "<html" not in message.lower()
    block = driver.find_element(By.ID, "doi-ext-status")
    driver.execute_script("arguments[0].scrollIntoView()", block)
    screenshots(driver, "landing-3-retrying-during-outage", element=block)

    # DataCite is back; the retry falls due (time travel instead of waiting out the back-off).
    sandbox.control.clear_faults()
    database.session.query(ManagedDOI).filter(ManagedDOI.in_sync_column.is_(False)).update(
        {ManagedDOI.next_attempt_at: utcnow(), ManagedDOI.queued_at: None}, synchronize_session=False)
    database.session.commit()

    def converged() -> bool:
        from invenio_doi_ext.lifecycle.tasks import sweep

        sweep.delay()
        return row(doi).in_sync

    worker(converged)
    driver.refresh()
    status = driver.find_element(By.CSS_SELECTOR, f'#doi-ext-status [data-doi="{doi}"]')
    assert status.get_attribute("data-state") == "findable"
    assert sandbox.control.doi(doi)["state"] == "findable"
