"""A depositor's own (external) DOI may not fall under any prefix of ours.

Upstream refuses only ``DATACITE_PREFIX``; a DOI under another account's prefix,
or an additional one, would be recorded as external and never reach DataCite.
"""

from __future__ import annotations

import pytest
from invenio_access.permissions import system_identity
from invenio_rdm_records.services.errors import ValidationErrorWithMessageAsList


def external(record_data, doi: str) -> dict:
    data = record_data(title="Own DOI")
    data["pids"] = {"doi": {"identifier": doi, "provider": "external"}}
    return data


@pytest.mark.parametrize("doi", ["10.1234/own-1", "10.4444/own-1", "10.5678/own-1", "10.5679/own-1"])
def test_an_external_doi_under_any_of_our_prefixes_is_refused_once(service, sandbox, record_data, doi):
    draft = service.create(system_identity, external(record_data, doi))

    messages = [str(m) for e in draft.errors or [] if e["field"] == "pids.doi" for m in e["messages"]]
    assert len([m for m in messages if "is managed by" in m]) == 1, draft.errors
    assert f"The prefix '{doi.split('/')[0]}" in messages[0]
    with pytest.raises(ValidationErrorWithMessageAsList):
        service.publish(system_identity, draft.id)
    assert sandbox.control.doi(doi) is None


def test_an_external_doi_under_another_prefix_is_accepted(service, sandbox, record_data):
    draft = service.create(system_identity, external(record_data, "10.9999/elsewhere"))
    assert not [e for e in draft.errors or [] if e["field"].startswith("pids")]
    record = service.publish(system_identity, draft.id)
    assert record.data["pids"]["doi"] == {"identifier": "10.9999/elsewhere", "provider": "external"}
    assert sandbox.control.doi("10.9999/elsewhere") is None
