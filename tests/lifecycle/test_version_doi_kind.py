"""A new version keeps the kind of DOI its record has (invenio-rdm-records#2282).

With the DOI required, upstream checks nothing when a new version of a record
whose DOIs this repository manages switches to an external DOI: the version
would publish under a DOI DataCite never hears of, beside a concept DOI that
this repository keeps registering. ``rdm/versions.py`` refuses it on the DOI
field, on save (shown on the form) and on publish.
"""

from __future__ import annotations

import json

import pytest
from invenio_access.permissions import system_identity
from invenio_rdm_records.services.errors import ValidationErrorWithMessageAsList

MESSAGE = (
    "A previous version of this record has a DOI registered by Example Repository: "
    "a new version must get its DOI from Example Repository too (choose \"No, I need one\")."
)
EXTERNAL = {"doi": {"identifier": "10.9999/elsewhere.1", "provider": "external"}}


def test_new_version_cannot_switch_to_an_external_doi(service, owner, record_data, sandbox):
    depositor = owner.identity
    first = service.publish(depositor, service.create(depositor, record_data()).id)
    draft = service.new_version(depositor, first.id)
    data = draft.data
    data["pids"] = EXTERNAL
    saved = service.update_draft(depositor, draft.id, data)
    assert {"field": "pids.doi", "messages": [MESSAGE]} in saved.errors
    with pytest.raises(ValidationErrorWithMessageAsList) as refused:
        service.publish(depositor, draft.id)
    assert refused.value.messages == [{"field": "pids.doi", "messages": [MESSAGE]}]
    assert not [entry for entry in sandbox.control.journal() if "elsewhere" in json.dumps(entry)]


def test_new_version_with_a_managed_doi_publishes(service, owner, record_data, sandbox):
    depositor = owner.identity
    first = service.publish(depositor, service.create(depositor, record_data()).id)
    draft = service.new_version(depositor, first.id)
    data = draft.data
    data["pids"] = {}
    saved = service.update_draft(depositor, draft.id, data)
    assert not [e for e in saved.errors or [] if e.get("field") == "pids.doi"]
    second = service.publish(depositor, draft.id)
    assert second.data["pids"]["doi"]["provider"] == "datacite"
    assert second.data["parent"]["pids"]["doi"] == first.data["parent"]["pids"]["doi"]


def test_an_administrator_may_switch_a_new_version(publish, service, sandbox):
    first = publish()
    draft = service.new_version(system_identity, first.id)
    data = draft.data
    data["pids"] = EXTERNAL
    saved = service.update_draft(system_identity, draft.id, data)
    assert not [e for e in saved.errors or [] if e.get("field") == "pids.doi"]


def test_first_version_may_use_an_external_doi(service, owner, record_data, sandbox):
    draft = service.create(owner.identity, record_data(pids=EXTERNAL))
    record = service.publish(owner.identity, draft.id)
    assert record.data["pids"]["doi"] == {"identifier": "10.9999/elsewhere.1", "provider": "external"}
