"""The deposit form's "Do you already have a DOI?" switched back and forth on a draft.

Upstream leaves the DOI minted for a draft locally NEW when the depositor
switches to an external DOI; reserved at DataCite as a draft DOI, it would be
left there, an orphan. Switching back to "no" must give the same DOI again.
"""

from __future__ import annotations

import json

from invenio_access.permissions import system_identity
from lifecycle_helpers import make_due, sweep_now

EXTERNAL = {"doi": {"identifier": "10.9999/held.elsewhere.2", "provider": "external"}}


def _converge():
    """The reserve endpoint converges at the next sweep (Celery is eager here)."""
    make_due()
    sweep_now()


def _save(service, draft_id, pids):
    data = service.read_draft(system_identity, draft_id).data
    data["pids"] = pids
    return service.update_draft(system_identity, draft_id, data)


def test_switching_to_external_withdraws_the_draft_doi_and_back_gives_it_again(
    service, record_data, sandbox
):
    draft = service.create(system_identity, record_data())
    managed = service.pids.create(system_identity, draft.id, "doi").data["pids"]["doi"]["identifier"]
    _converge()
    assert sandbox.control.doi(managed)["state"] == "draft"

    _save(service, draft.id, EXTERNAL)
    _converge()
    assert sandbox.control.doi(managed) is None

    _save(service, draft.id, {})
    again = service.pids.create(system_identity, draft.id, "doi").data["pids"]["doi"]["identifier"]
    _converge()
    assert again == managed
    assert sandbox.control.doi(managed)["state"] == "draft"

    _save(service, draft.id, EXTERNAL)
    record = service.publish(system_identity, draft.id)
    _converge()
    assert record.data["pids"]["doi"]["identifier"] == "10.9999/held.elsewhere.2"
    assert sandbox.control.doi(managed) is None
    assert managed not in [doi["id"] for doi in sandbox.control.dois()]
    assert "held.elsewhere" not in json.dumps(sandbox.control.journal())
