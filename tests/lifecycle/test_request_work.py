"""What one request computes: each DOI's DataCite payload at most once, and never twice for the same content.

The request path is where ours costs more than upstream's (upstream serializes in
its Celery task): a publish checks the draft against DataCite's rules and records
the version's and the concept's payloads in the record's transaction. Upstream's
PIDsComponent also calls the providers' ``create`` and ``reserve`` hooks, and
tombstone and restore their ``delete`` and ``restore`` hooks; none of them may
compute a payload the service component computes anyway. A publish reuses the
check of the draft's last save when the draft has not changed since, and a
tombstone or restore, which changes nothing the serializer reads, reuses the
payloads of the publish (``invenio_doi_ext.metadata.memo``). Counted with the
serializer itself, not timed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from invenio_access.permissions import system_identity
from lifecycle_helpers import row_of

from invenio_doi_ext.lifecycle.models import DOIEvent, DOIState
from invenio_doi_ext.metadata import payload as payloads


@pytest.fixture
def serialized(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    """Counts of the DataCite serializer's runs, by whether it saw a concept or a version."""
    counts: Counter = Counter()
    real = payloads._serializer.dump_obj

    def counting(obj: Any) -> Any:
        counts["concept" if hasattr(obj, "_parent") else "version"] += 1
        return real(obj)

    monkeypatch.setattr(payloads._serializer, "dump_obj", counting)
    yield counts


def test_a_first_publish_serializes_each_doi_once_and_reuses_the_check_of_the_save(
    service, record_data, serialized, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    assert serialized == {"version": 1}  # DataCite's rules, checked when the draft is saved
    serialized.clear()
    record = service.publish(system_identity, draft.id)

    # The draft is as saved: its check is reused (publish is still refused on an
    # error); one run for the version's payload, one for the concept's.
    assert serialized == {"version": 1, "concept": 1}
    doi = record.data["pids"]["doi"]["identifier"]
    row = row_of(doi)
    assert row.desired_state == DOIState.FINDABLE
    reasons = [e.message for e in DOIEvent.query.filter_by(doi_id=row.id, action="desired")]
    assert reasons == ["published"]


def test_a_publish_of_a_reserved_draft_serializes_each_doi_once_beyond_validation(
    service, record_data, serialized, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    service.pids.create(system_identity, draft.id, "doi")  # "Get a DOI now" on the form
    doi = service.read_draft(system_identity, draft.id).data["pids"]["doi"]["identifier"]
    assert row_of(doi).desired_state == DOIState.DRAFT
    serialized.clear()
    service.publish(system_identity, draft.id)

    # The DOI given since the last save changed what is checked: checked again,
    # then one run for the version's payload, one for the concept's.
    assert serialized == {"version": 2, "concept": 1}
    assert row_of(doi).desired_state == DOIState.FINDABLE


@pytest.mark.parametrize("operation", ["delete_record", "restore_record"])
def test_tombstone_and_restore_serialize_nothing_the_publish_serialized(
    service, record_data, serialized, deferred_tasks, db, operation
):
    draft = service.create(system_identity, record_data())
    record = service.publish(system_identity, draft.id)
    service.delete_record(system_identity, record.id, {})
    serialized.clear()
    if operation == "delete_record":
        other = service.publish(system_identity, service.create(system_identity, record_data()).id)
        serialized.clear()
        service.delete_record(system_identity, other.id, {})
        doi, expected = other.data["pids"]["doi"]["identifier"], DOIState.REGISTERED
    else:
        service.restore_record(system_identity, record.id)
        doi, expected = record.data["pids"]["doi"]["identifier"], DOIState.FINDABLE

    # Neither changes what the serializer reads: the version's payload and the
    # concept's (described by the same version, with or without its HasVersion)
    # are those of the publish.
    assert serialized == {}
    row = row_of(doi)
    assert row.desired_state == expected
    assert row.desired_payload["titles"] == [{"title": "Sea surface temperatures of the Ligurian Sea"}]


def test_an_edit_is_serialized_again_and_the_payload_says_it(
    service, record_data, serialized, deferred_tasks, db
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    draft = service.edit(system_identity, record.id)
    data = dict(draft.data)
    data["metadata"] = {**data["metadata"], "title": "Sea surface temperatures, corrected"}
    service.update_draft(system_identity, record.id, data)
    serialized.clear()
    service.publish(system_identity, record.id)

    # The check of the saved edit is reused; both payloads are computed anew.
    assert serialized == {"version": 1, "concept": 1}
    for identifier in (doi, concept):
        row = row_of(identifier)
        assert row.desired_payload["titles"] == [{"title": "Sea surface temperatures, corrected"}]
