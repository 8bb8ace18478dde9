"""What one request computes: each DOI's DataCite payload once, however many hooks run.

The request path is where ours costs more than upstream's (upstream serializes in
its Celery task): a publish checks the draft against DataCite's rules and records
the version's and the concept's payloads in the record's transaction. Upstream's
PIDsComponent also calls the providers' ``create`` and ``reserve`` hooks, and
tombstone and restore their ``delete`` and ``restore`` hooks; none of them may
compute a payload the service component computes anyway. Counted with the
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


def test_a_first_publish_serializes_each_doi_once_beyond_validation(
    service, record_data, serialized, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    serialized.clear()
    record = service.publish(system_identity, draft.id)

    # One for DataCite's rules on the draft (publish is refused on an error), one
    # for the version's payload, one for the concept's.
    assert serialized == {"version": 2, "concept": 1}
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

    assert serialized == {"version": 2, "concept": 1}
    assert row_of(doi).desired_state == DOIState.FINDABLE


@pytest.mark.parametrize("operation", ["delete_record", "restore_record"])
def test_tombstone_and_restore_serialize_each_doi_once(
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

    # The version's payload, and the concept's (the last public version, or the
    # tombstoned one describing a concept with no public version left).
    assert serialized == {"version": 1, "concept": 1}
    assert row_of(doi).desired_state == expected
