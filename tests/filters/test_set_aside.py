"""A draft that stops qualifying loses its DOI, and gets the same one back when it qualifies again."""

from __future__ import annotations

import json

from invenio_access.permissions import system_identity
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from invenio_doi_ext.lifecycle.models import DOIHold, DOIState, ManagedDOI
from invenio_doi_ext.rdm import filters


def typed(record_data, type_id, **overrides):
    data = record_data(**overrides)
    data["metadata"]["resource_type"] = {"id": type_id}
    return data


def row_of(doi):
    from invenio_db import db

    db.session.expire_all()
    return ManagedDOI.query.filter_by(doi=doi.lower()).one()


def calls_to(sandbox, doi):
    return [
        (e["method"], e["status"])
        for e in sandbox.control.journal()
        if e["method"] in ("PUT", "DELETE") and e["path"].lower() == f"/dois/{doi.lower()}"
    ]


def doi_errors(result):
    return [e for e in (result.errors or []) if e["field"] == "pids.doi"]


def test_a_draft_that_flips_keeps_its_doi_value(
    service, record_data, sandbox, set_config, run, draft_with_doi
):
    set_config(DOI_EXT_FILTER=filters.resource_type_in("dataset"))
    draft_id, doi = draft_with_doi(record_data())
    assert sandbox.control.doi(doi)["state"] == "draft"

    # The depositor changes the type to a photo; the form sends the DOI back with it.
    pids = {"doi": {"identifier": doi, "provider": "datacite", "client": "datacite"}}
    saved = service.update_draft(system_identity, draft_id, typed(record_data, "image-photo", pids=pids))
    assert "doi" not in saved.data["pids"]
    assert "does not qualify for a DOI" in doi_errors(saved)[0]["messages"][0]
    assert "records of type dataset" in doi_errors(saved)[0]["messages"][0]
    assert sandbox.control.doi(doi) is None
    assert calls_to(sandbox, doi)[-1] == ("DELETE", 204)
    row = row_of(doi)
    assert (row.desired_state, row.remote_state, row.in_sync, row.hold) == ("none", "none", True, "set_aside")
    assert PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=doi).count() == 0
    status = json.loads(run("status", doi, "--format", "json").stdout)
    assert status["dspace_state"] == "MINTED"
    assert any("set aside by the DOI filter" in (e["message"] or "") for e in status["history"])

    # A further save while excluded changes nothing at DataCite.
    saved = service.update_draft(system_identity, draft_id, typed(record_data, "image-photo", pids=pids))
    assert "doi" not in saved.data["pids"] and doi_errors(saved)
    assert calls_to(sandbox, doi)[-1] == ("DELETE", 204)

    # Back to a dataset: the same DOI comes back and is reserved again.
    saved = service.update_draft(system_identity, draft_id, record_data(pids={}))
    assert saved.data["pids"]["doi"]["identifier"] == doi
    assert doi_errors(saved) == []
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert [method for method, _ in calls_to(sandbox, doi)] == ["PUT", "DELETE", "PUT"]
    row = row_of(doi)
    assert (row.desired_state, row.remote_state, row.hold) == ("draft", "draft", None)
    assert json.loads(run("status", doi, "--format", "json").stdout)["dspace_state"] == "IS_RESERVED"

    record = service.publish(system_identity, draft_id)
    assert record.data["pids"]["doi"]["identifier"] == doi
    assert sandbox.control.doi(doi)["state"] == "findable"


def test_excluded_at_publish_the_draft_doi_is_deleted_and_the_record_published(
    service, record_data, sandbox, set_config, draft_with_doi
):
    draft_id, doi = draft_with_doi(record_data())
    assert sandbox.control.doi(doi)["state"] == "draft"

    set_config(DOI_EXT_FILTER=filters.never)
    record = service.publish(system_identity, draft_id)
    assert record.data["is_published"] and "doi" not in record.data["pids"]
    assert "doi" not in (record.data["parent"].get("pids") or {})
    assert sandbox.control.doi(doi) is None
    assert row_of(doi).hold == DOIHold.SET_ASIDE


def test_a_published_doi_is_never_withdrawn_by_a_filter(service, record_data, sandbox, set_config):
    draft = service.create(system_identity, record_data())
    record = service.publish(system_identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]

    set_config(DOI_EXT_FILTER=filters.never)
    edit = service.edit(system_identity, record.id)
    data = record_data(title="Edited", pids=edit.data["pids"])
    saved = service.update_draft(system_identity, edit.id, data)
    assert saved.data["pids"]["doi"]["identifier"] == doi and doi_errors(saved) == []
    republished = service.publish(system_identity, record.id)

    assert republished.data["pids"]["doi"]["identifier"] == doi
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert sandbox.control.doi(doi)["attributes"]["titles"] == [{"title": "Edited"}]
    assert row_of(doi).desired_state == DOIState.FINDABLE
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.REGISTERED


def test_a_draft_doi_not_to_be_reserved_is_pending(
    service, record_data, sandbox, set_config, run, draft_with_doi
):
    set_config(DOI_EXT_RESERVE_ON_DRAFT=False)
    draft_id, doi = draft_with_doi(record_data())

    assert row_of(doi).hold == DOIHold.PENDING
    assert json.loads(run("status", doi, "--format", "json").stdout)["dspace_state"] == "PENDING"
    listed = json.loads(run("list", "--format", "json", "--state", "pending").stdout)
    assert [item["doi"] for item in listed] == [doi.lower()]
    assert sandbox.control.journal() == []

    record = service.publish(system_identity, draft_id)
    assert record.data["pids"]["doi"]["identifier"] == doi
    assert row_of(doi).hold is None
    assert json.loads(run("status", doi, "--format", "json").stdout)["dspace_state"] == "IS_REGISTERED"


def test_a_doi_set_aside_comes_back_after_the_filter_is_removed(
    app, service, record_data, sandbox, set_config, draft_with_doi
):
    # Without a filter, whether a DOI was ever set aside is asked once per process:
    # an instance that had filters keeps giving set-aside DOIs back.
    from invenio_doi_ext.rdm import qualification

    set_config(DOI_EXT_FILTER=filters.resource_type_in("dataset"))
    draft_id, doi = draft_with_doi(record_data())
    pids = {"doi": {"identifier": doi, "provider": "datacite", "client": "datacite"}}
    service.update_draft(system_identity, draft_id, typed(record_data, "image-photo", pids=pids))
    assert row_of(doi).hold == DOIHold.SET_ASIDE

    set_config(DOI_EXT_FILTER=None)  # the operator drops the filter and restarts
    app.extensions.pop(qualification._SET_ASIDE_SEEN, None)
    published = service.publish(system_identity, draft_id)

    assert published.data["pids"]["doi"]["identifier"] == doi
    assert app.extensions[qualification._SET_ASIDE_SEEN] is True


def test_without_filters_or_set_aside_dois_minting_asks_nothing_more(app, set_config, db):
    from sqlalchemy import event

    from invenio_doi_ext.rdm import qualification

    set_config(DOI_EXT_FILTER=None, DOI_EXT_COMMUNITY_FILTERS={})
    ManagedDOI.query.filter_by(hold=DOIHold.SET_ASIDE).delete()
    app.extensions.pop(qualification._SET_ASIDE_SEEN, None)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert qualification.remembered("00000000-0000-0000-0000-000000000001") is None
        first = len(statements)
        assert qualification.remembered("00000000-0000-0000-0000-000000000002") is None
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert (first, len(statements)) == (1, 1)
