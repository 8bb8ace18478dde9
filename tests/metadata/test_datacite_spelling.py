"""Vocabulary entries reach DataCite by name, and URIs spelt as DataCite permits them.

The database keeps only the ids of a record's vocabulary entries; the payload
is built from the entries' names (dereferenced), or a MeSH subject would be
sent as ``null`` and an affiliation without its name.

Upstream's serializer writes ``valueURI`` and ``awardURI``; DataCite permits
``valueUri`` and ``awardUri`` and silently drops anything else (lupo
app/lib/params_sanitizer.rb). Published through the real service, read back from
the sandbox, which drops unpermitted keys as lupo does, and checked by verify.
"""

from __future__ import annotations

import pytest
from invenio_access.permissions import system_identity
from metadata_helpers import doi_of

from invenio_doi_ext.lifecycle.client import current_gateway
from invenio_doi_ext.lifecycle.store import get_row
from invenio_doi_ext.services import verify

MESH = "https://id.nlm.nih.gov/mesh/D009792"
AWARD = "https://cordis.europa.eu/project/id/101000001"


@pytest.fixture(scope="module")
def subjects(metadata_vocabularies: None) -> None:
    """One MeSH subject (its id is its URI, as in InvenioRDM's MeSH vocabulary) and one ROR affiliation."""
    from invenio_records_resources.proxies import current_service_registry

    service = current_service_registry.get("subjects")
    service.create(system_identity, {"id": MESH, "scheme": "MeSH", "subject": "Oceanography"})
    service.record_cls.index.refresh()
    affiliations = current_service_registry.get("affiliations")
    affiliations.create(system_identity, {
        "id": "01ggx4157", "name": "CERN", "acronym": "CERN", "title": {"en": "CERN"},
        "identifiers": [{"identifier": "01ggx4157", "scheme": "ror"}],
    })
    affiliations.record_cls.index.refresh()


def test_subject_and_award_uris_are_held_by_datacite(rdm, sandbox, record_data, subjects):
    data = record_data(title="Ocean heat content")
    data["metadata"]["subjects"] = [{"id": MESH}, {"subject": "Sea level"}]
    data["metadata"]["funding"] = [{
        "funder": {"name": "European Commission"},
        "award": {"title": {"en": "Ocean heat"}, "number": "101000001",
                  "identifiers": [{"scheme": "url", "identifier": AWARD}]},
    }]
    record = rdm.publish(system_identity, rdm.create(system_identity, data).id)

    held = sandbox.control.doi(doi_of(record))["attributes"]
    assert {"subject": "Oceanography", "subjectScheme": "MeSH", "valueUri": MESH} in held["subjects"]
    assert held["fundingReferences"][0]["awardUri"] == AWARD
    row = get_row(doi_of(record))
    assert "valueURI" not in str(row.desired_payload) and "awardURI" not in str(row.desired_payload)
    result = verify.check(row, current_gateway())
    assert (result.error, result.problems) == (None, [])


def test_a_vocabulary_affiliation_reaches_datacite_by_name(rdm, sandbox, record_data, subjects):
    data = record_data(title="Beam loss monitors")
    data["metadata"]["creators"][0]["affiliations"] = [{"id": "01ggx4157"}]
    draft = rdm.create(system_identity, data)
    assert not [e for e in draft.errors or [] if "creators" in e["field"]]
    record = rdm.publish(system_identity, draft.id)

    creator = sandbox.control.doi(doi_of(record))["attributes"]["creators"][0]
    assert creator["affiliation"][0]["name"] == "CERN"
    # What the records service stores is untouched: ids only, as before.
    stored = rdm.record_cls.pid.resolve(record.id)
    assert stored["metadata"]["creators"][0]["affiliations"] == [{"id": "01ggx4157"}]
