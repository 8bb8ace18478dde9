"""The "none" policy: restricted records get no DOI; one made restricted later is hidden and redacted."""

from __future__ import annotations

from typing import Any

import pytest
from invenio_access.permissions import system_identity
from invenio_pidstore.models import PersistentIdentifier
from metadata_helpers import (
    REDACTED_TITLE,
    bodies,
    concept_doi_of,
    doi_of,
    make_public,
    republish,
    restrict,
    text,
)

RESTRICTED = {"record": "restricted", "files": "restricted"}


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """This module runs with upstream's behaviour for restricted records."""
    return {"DOI_EXT_RESTRICTED_POLICY": "none"}


def test_new_restricted_record_gets_no_doi(rdm, sandbox, record_data):
    record = rdm.publish(system_identity, rdm.create(system_identity, record_data(access=RESTRICTED)).id)
    assert "doi" not in record.data["pids"]
    assert "doi" not in record.data["parent"]["pids"]
    assert sandbox.control.journal() == []


def test_restricted_draft_doi_is_never_reserved_and_dropped_at_publish(rdm, sandbox, record_data, drain):
    draft = rdm.create(system_identity, record_data(title="Closed draft", access=RESTRICTED))
    doi = rdm.pids.create(system_identity, draft.id, "doi").data["pids"]["doi"]["identifier"]
    drain()
    assert sandbox.control.doi(doi) is None  # not reserved at DataCite

    record = rdm.publish(system_identity, draft.id)
    drain()
    assert "doi" not in record.data["pids"]
    assert PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=doi).one_or_none() is None
    assert sandbox.control.dois() == []


def test_restricted_record_is_not_held_to_datacite_rules(rdm, sandbox, record_data):
    draft = rdm.create(system_identity, record_data(publication_date="0999", access=RESTRICTED))
    assert not [e for e in draft.errors or [] if e["field"] == "metadata.publication_date"], draft.errors
    record = rdm.publish(system_identity, draft.id)
    assert "doi" not in record.data["pids"]


def test_published_record_made_restricted_is_hidden_with_redacted_metadata(rdm, sandbox, record_data):
    record = rdm.publish(system_identity, rdm.create(system_identity, record_data(title="Whale songs")).id)
    doi, concept = doi_of(record), concept_doi_of(record)
    seen = sandbox.control.journal()[-1]["seq"]

    republish(rdm, record.id, restrict)

    calls = [e for e in sandbox.control.journal(since=seen) if doi in e["path"]]
    assert [c["body"]["data"]["attributes"].get("event") for c in calls] == ["hide"]
    for held in (sandbox.control.doi(doi), sandbox.control.doi(concept)):
        assert held["state"] == "registered"
        assert held["attributes"]["titles"] == [{"title": REDACTED_TITLE}]
        assert "Whale" not in text(held["attributes"]) and "Brown" not in text(held["attributes"])
    assert "Whale" not in text(bodies(sandbox.control.journal(since=seen)))


def test_restricted_record_made_public_gets_its_doi(rdm, sandbox, record_data):
    record = rdm.publish(system_identity, rdm.create(system_identity, record_data(access=RESTRICTED)).id)
    assert "doi" not in record.data["pids"]
    public = republish(rdm, record.id, make_public)
    held = sandbox.control.doi(doi_of(public))
    assert held["state"] == "findable"
    assert sandbox.control.doi(concept_doi_of(public))["state"] == "findable"
