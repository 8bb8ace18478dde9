"""Decline, cancel, permissions, a DataCite failure after acceptance, validation before submission."""

from __future__ import annotations

import pytest
from curation_helpers import publishes_of, request_of, timeline
from invenio_access.permissions import system_identity
from invenio_records_resources.services.errors import PermissionDeniedError
from invenio_requests.errors import CannotExecuteActionError
from lifecycle_helpers import make_due, row_of, sweep_now

from invenio_doi_ext.curation.errors import DOIRequestValidationError
from invenio_doi_ext.lifecycle.models import DOIState


def test_decline_leaves_a_draft_doi_that_is_deleted_with_the_record(
    deposit, depositor, curator, service, requests_service, sandbox, notifications
):
    record = deposit(depositor)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    request = request_of(record)

    requests_service.execute_action(
        curator.identity, request.id, "decline", data={"payload": {"content": "Not research data."}}
    )
    assert request_of(record).status == "declined"
    make_due()
    sweep_now()
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert publishes_of(sandbox.control.journal(), doi) == []
    declined = [n for n in notifications if n["type"] == "doi-request.decline"]
    assert [n["to"] for n in declined] == ["depositor@example.org"]
    assert declined[0]["context"]["comment"] == "Not research data."

    # A declined DOI was never public: deleting the record deletes both drafts at DataCite.
    service.delete_record(system_identity, record.id, {})
    make_due()
    sweep_now()
    assert sandbox.control.doi(doi) is None
    assert sandbox.control.doi(concept) is None
    deletes = [e for e in sandbox.control.journal() if e["method"] == "DELETE"]
    assert sorted(e["path"].lower() for e in deletes) == sorted(f"/dois/{d.lower()}" for d in (doi, concept))
    assert row_of(doi).desired_state == DOIState.NONE and row_of(doi).in_sync


def test_unaccepted_record_never_reaches_findable(
    deposit, depositor, curator, service, requests_service, sandbox
):
    record = deposit(depositor)
    doi = record.data["pids"]["doi"]["identifier"]
    request = request_of(record)
    # Edits, republishing, sweeps, upstream's register task: nothing publishes it.
    draft = service.edit(depositor.identity, record.id)
    data = draft.data
    data["metadata"]["title"] = "Edited while waiting"
    service.update_draft(depositor.identity, record.id, data)
    service.publish(depositor.identity, record.id)
    service.pids.register_or_update(system_identity, record.id, "doi")
    make_due()
    sweep_now()
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert publishes_of(sandbox.control.journal(), doi) == []
    # Cancelled by the depositor: still a draft.
    requests_service.execute_action(depositor.identity, request.id, "cancel")
    make_due()
    sweep_now()
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert publishes_of(sandbox.control.journal(), doi) == []
    # Publishing again asks again: a new request, submitted.
    draft = service.edit(depositor.identity, record.id)
    service.publish(depositor.identity, record.id)
    again = request_of(record)
    assert again.id != request.id and again.status == "submitted"


def test_depositor_cannot_decide_their_own_request_unless_a_curator(
    deposit, depositor, curator, make_user, requests_service, sandbox
):
    record = deposit(depositor)
    request = request_of(record)
    stranger = make_user("stranger@example.org")
    for person in (depositor, stranger):
        for action in ("accept", "decline", "request_changes"):
            with pytest.raises(PermissionDeniedError):
                requests_service.execute_action(person.identity, request.id, action)
    # Only the depositor submits and cancels.
    with pytest.raises(PermissionDeniedError):
        requests_service.execute_action(curator.identity, request.id, "cancel")
    assert request_of(record).status == "submitted"

    # A depositor who is a curator may accept their own request.
    curating_depositor = make_user("curating-depositor@example.org", "doi-curators")
    own = deposit(curating_depositor)
    own_request = request_of(own)
    requests_service.execute_action(curating_depositor.identity, own_request.id, "accept")
    assert request_of(own).status == "accepted"
    assert sandbox.control.doi(own.data["pids"]["doi"]["identifier"])["state"] == "findable"
    # A decided request takes no further decision.
    with pytest.raises(CannotExecuteActionError):
        requests_service.execute_action(curator.identity, own_request.id, "decline")


def test_datacite_503_right_after_accept_is_retried_and_shown_on_the_timeline(
    deposit, depositor, curator, requests_service, sandbox, notifications
):
    record = deposit(depositor)
    doi = record.data["pids"]["doi"]["identifier"]
    request = request_of(record)
    sandbox.control.set_faults(queue=["503_html"])

    requests_service.execute_action(curator.identity, request.id, "accept")
    row = row_of(doi)
    assert row.desired_state == DOIState.FINDABLE and not row.in_sync and row.attempts == 1
    assert sandbox.control.doi(doi)["state"] == "draft"
    failure = [e["content"] for e in timeline(request.id) if e["event"] == "datacite"][-1]
    assert "failed (HTTP 503" in failure and "Retried automatically" in failure
    assert not [n for n in notifications if n["type"] == "doi-request.findable"]

    make_due()
    sweep_now()
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert row_of(doi).in_sync
    last = [e["content"] for e in timeline(request.id) if e["event"] == "datacite"][-1]
    assert last.startswith("DataCite: publish succeeded")
    findable = [n["to"] for n in notifications if n["type"] == "doi-request.findable"]
    assert findable == ["depositor@example.org"]


def test_submission_requires_what_datacite_requires(deposit, depositor, curator, requests_service, sandbox):
    from invenio_db import db
    from invenio_rdm_records.records.api import RDMRecord

    record = deposit(depositor)
    request = request_of(record)
    requests_service.execute_action(curator.identity, request.id, "request_changes")
    # Metadata DataCite refuses (as a record imported or published under older rules may hold).
    stored = RDMRecord.pid.resolve(record.id)
    stored["metadata"]["publication_date"] = "0999"
    stored.commit()
    db.session.commit()

    with pytest.raises(DOIRequestValidationError) as refused:
        requests_service.execute_action(depositor.identity, request.id, "submit")
    fields = [error["field"] for error in refused.value.errors]
    assert fields == ["metadata.publication_date"]
    assert request_of(record).status == "changes_requested"


def test_beat_copies_outcomes_a_lost_post_convergence_run_missed(
    deposit, depositor, curator, requests_service, sandbox, notifications
):
    from invenio_doi_ext.curation.tasks import publish_doi_outcomes
    from invenio_doi_ext.lifecycle.converge import converge

    record = deposit(depositor)
    doi = record.data["pids"]["doi"]["identifier"]
    request = request_of(record)
    sandbox.control.set_faults(queue=["503_html"])
    requests_service.execute_action(curator.identity, request.id, "accept")
    make_due()
    # A worker converges the row, but the copy that follows its task never runs.
    converge(row_of(doi).id)
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert not any("publish succeeded" in e["content"] for e in timeline(request.id))

    assert publish_doi_outcomes.apply().get() >= 1
    assert timeline(request.id)[-1]["content"].startswith("DataCite: publish succeeded")
    findable = [n["to"] for n in notifications if n["type"] == "doi-request.findable"]
    assert findable == ["depositor@example.org"]
    assert publish_doi_outcomes.apply().get() == 0
