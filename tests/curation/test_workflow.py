"""The whole curated path through the real services, with DataCite as the sandbox."""

from __future__ import annotations

from curation_helpers import publishes_of, request_of, timeline
from lifecycle_helpers import make_due, row_of, sweep_now

from invenio_doi_ext.lifecycle.models import DOIState


def _edit_and_publish(service, identity, record_id, title):
    draft = service.edit(identity, record_id)
    data = draft.data
    data["metadata"]["title"] = title
    service.update_draft(identity, record_id, data)
    return service.publish(identity, record_id)


def test_submit_request_changes_resubmit_accept_makes_the_doi_findable(
    deposit, depositor, curator, second_curator, service, requests_service, sandbox, notifications
):
    record = deposit(depositor)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]

    # Publishing opened the request and submitted it; DataCite holds both DOIs as drafts.
    request = request_of(record)
    assert request.status == "submitted"
    assert request.type.type_id == "doi-request"
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert sandbox.control.doi(concept)["state"] == "draft"
    assert row_of(doi).desired_state == DOIState.DRAFT and row_of(doi).in_sync
    submitted = [n for n in notifications if n["type"] == "doi-request.submit"]
    assert sorted(n["to"] for n in submitted) == ["curator2@example.org", "curator@example.org"]

    # The curator sends it back with a comment.
    requests_service.execute_action(
        curator.identity, request.id, "request_changes", data={"payload": {"content": "Add a description."}}
    )
    request = request_of(record)
    assert request.status == "changes_requested"
    assert [n["to"] for n in notifications if n["type"] == "doi-request.changes_requested"] == [
        "depositor@example.org"
    ]
    changes = [n for n in notifications if n["type"] == "doi-request.changes_requested"][0]
    assert changes["context"]["comment"] == "Add a description."

    # The depositor edits the record (still a draft DOI), then resubmits.
    _edit_and_publish(service, depositor.identity, record.id, "Sea surface temperatures, described")
    assert sandbox.control.doi(doi)["state"] == "draft"
    held = sandbox.control.doi(doi)
    assert held["attributes"]["titles"][0]["title"] == "Sea surface temperatures, described"
    requests_service.execute_action(depositor.identity, request.id, "submit")
    assert request_of(record).status == "submitted"
    assert publishes_of(sandbox.control.journal(), doi) == []

    # Accepted: both DOIs converge to findable.
    requests_service.execute_action(
        curator.identity, request.id, "accept", data={"payload": {"content": "Thank you."}}
    )
    assert request_of(record).status == "accepted"
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert sandbox.control.doi(concept)["state"] == "findable"
    assert row_of(doi).in_sync and row_of(doi).remote_state == DOIState.FINDABLE
    assert len(publishes_of(sandbox.control.journal(), doi)) == 1

    # Status history: who did what, the comments, and DataCite's outcomes.
    events = timeline(request.id)
    changes_by = [(e["event"], e["by"]) for e in events if e["type"] == "L" and e["event"] != "datacite"]
    assert changes_by == [
        ("submitted", str(depositor.user.id)),
        ("changes_requested", str(curator.user.id)),
        ("submitted", str(depositor.user.id)),
        ("accepted", str(curator.user.id)),
    ]
    comments = [e["content"] for e in events if e["type"] == "C"]
    assert comments == ["Add a description.", "Thank you."]
    datacite = [e["content"] for e in events if e["event"] == "datacite"]
    assert any("reserve succeeded" in line for line in datacite)
    assert datacite[-1].startswith("DataCite: publish succeeded (HTTP 200); the DOI is now findable")

    # The depositor heard of the acceptance and of the DOI becoming findable.
    to_depositor = [n["type"] for n in notifications if n["to"] == "depositor@example.org"]
    assert to_depositor == ["doi-request.changes_requested", "doi-request.accept", "doi-request.findable"]
    findable = [n for n in notifications if n["type"] == "doi-request.findable"][0]
    assert findable["context"]["doi"] == doi
    # Nothing is left to copy: a later run of the beat task posts nothing twice.
    make_due()
    sweep_now()
    assert len([e for e in timeline(request.id) if e["event"] == "datacite"]) == len(datacite)
