"""What the block and the admin page say for each state of a row (no app request needed)."""

from __future__ import annotations

from datetime import datetime

from invenio_doi_ext.lifecycle.models import ManagedDOI
from invenio_doi_ext.views import LANDING_PAGE_TEMPLATE, add_landing_page_block, describe, error_fields

WHEN = datetime(2030, 1, 2, 3, 4)


def row(**fields) -> ManagedDOI:
    base = dict(doi="10.1234/abc", pid_value="10.1234/ABC", kind="record", desired_state="findable",
                remote_state="findable", desired_fingerprint="f1", remote_fingerprint="f1",
                desired_payload={"titles": [], "creators": []}, failed=False,
                attempts=0, last_error=None, last_status=None, next_attempt_at=WHEN, updated=WHEN)
    base.update(fields)
    return ManagedDOI(**base)


def test_in_sync_states():
    assert describe(row(desired_state="draft", remote_state="draft")).label == "reserved"
    assert describe(row(desired_state="registered", remote_state="registered")).label == "registered"
    hidden = describe(row(desired_state="registered", remote_state="registered"), record_deleted=True)
    assert hidden.label == "hidden" and hidden.advice is None
    findable = describe(row())
    assert findable.label == "findable" and findable.doi == "10.1234/ABC" and findable.message is None


def test_in_flight_and_retrying():
    sending = describe(row(remote_state="none"))
    assert sending.label == "registering"
    assert sending.advice.startswith("Nothing to do: this happens in the background")
    waiting = describe(row(remote_state="none", attempts=3, last_status=503,
                           last_error="HTTP 503 from DataCite (HTML error page)"))
    assert waiting.label == "retrying"
    assert waiting.message == "HTTP 503 from DataCite (HTML error page)"
    assert waiting.advice == "Nothing to do: it will be retried at 2030-01-02 03:04 UTC."


def test_failed_422_names_the_form_field_we_send():
    status = describe(row(remote_state="none", failed=True, last_status=422,
                          last_error="titles: Title can't be blank; foo: Is invalid"))
    assert status.label == "failed" and status.next_attempt_at is None
    assert "Fix the field Title (titles) in the record and publish again" in status.advice
    assert "DataCite holds a value for foo that this repository does not send" in status.advice


def test_failed_other_status_needs_an_administrator():
    status = describe(row(remote_state="none", failed=True, last_status=403,
                          last_error="You are not authorized to access this resource."))
    assert "an administrator must fix the cause" in status.advice
    assert status.message == "You are not authorized to access this resource."


def test_error_fields():
    assert error_fields("rightsList: Too long; url: Website should be an url; rightsList: x") == [
        "rightsList", "url"]
    assert error_fields("HTTP 500 from DataCite") == []


def test_landing_page_block_goes_after_the_manage_menu_once():
    config: dict = {}
    add_landing_page_block(config)
    add_landing_page_block(config)
    templates = config["APP_RDM_DETAIL_SIDE_BAR_TEMPLATES"]
    assert templates.count(LANDING_PAGE_TEMPLATE) == 1
    assert templates[0].endswith("manage_menu.html") and templates[1] == LANDING_PAGE_TEMPLATE
    custom = {"APP_RDM_DETAIL_SIDE_BAR_TEMPLATES": ["mine.html"]}
    add_landing_page_block(custom)
    assert custom["APP_RDM_DETAIL_SIDE_BAR_TEMPLATES"] == [LANDING_PAGE_TEMPLATE, "mine.html"]
