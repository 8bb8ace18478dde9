"""A record published through the real service gets a DOI in the configured format."""

from invenio_pidstore.models import PersistentIdentifier


def test_publish_mints_doi_in_configured_format(publish, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    assert doi == f"10.1234/{record.id}"
    assert record.data["pids"]["doi"]["provider"] == "datacite"
    pid = PersistentIdentifier.get("doi", doi)
    assert pid.object_uuid is not None
