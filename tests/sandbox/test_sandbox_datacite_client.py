"""The sandbox agrees with the `datacite` package's own REST client.

`DataCiteRESTClient` is what upstream InvenioRDM uses against DataCite; every call
must give against the sandbox the result that package expects from DataCite,
including its known shortcomings (a PUT upsert's 201 and a 422 become
`DataCiteServerError`, a dropped connection becomes `HttpError`).
"""

from __future__ import annotations

import pytest
from datacite import DataCiteRESTClient
from datacite.errors import (
    DataCiteNotFoundError,
    DataCiteServerError,
    HttpError,
)

URL = "https://repo.example.org/records/1"


@pytest.fixture
def client(datacite_sandbox):
    """The package's client pointed at the sandbox (never test_mode: it overrides url)."""
    return DataCiteRESTClient("sandbox", "sandbox", "10.1234", test_mode=False,
                              url=datacite_sandbox.url, timeout=10)


def test_draft_doi_with_and_without_a_doi(client, valid_metadata, datacite_sandbox):
    assert client.draft_doi(metadata=valid_metadata, doi="10.1234/draft-1") == "10.1234/draft-1"
    generated = client.draft_doi()
    assert generated.startswith("10.1234/")
    states = {d["doi"]: d["state"] for d in datacite_sandbox.control.dois()}
    assert states == {"10.1234/draft-1": "draft", generated: "draft"}


def test_public_doi_then_get(client, valid_metadata):
    assert client.public_doi(valid_metadata, URL, doi="10.1234/pub-1") == "10.1234/pub-1"
    assert client.get_doi("10.1234/pub-1") == URL
    attrs = client.get_metadata("10.1234/pub-1")
    assert attrs["state"] == "findable"
    assert attrs["isActive"] is True
    assert attrs["titles"] == [{"title": "Measurements of the sandbox"}]
    assert attrs["publicationYear"] == 2024


def test_private_doi_is_registered(client, valid_metadata):
    assert client.private_doi(valid_metadata, URL, doi="10.1234/priv-1") == "10.1234/priv-1"
    assert client.get_metadata("10.1234/priv-1")["state"] == "registered"


def test_update_doi_metadata_and_url(client, valid_metadata):
    client.public_doi(dict(valid_metadata), URL, doi="10.1234/upd-1")
    changed = {**valid_metadata, "titles": [{"title": "Second version"}]}
    attrs = client.update_doi("10.1234/upd-1", metadata=changed, url=URL + "/v2")
    assert attrs["titles"] == [{"title": "Second version"}]
    assert attrs["url"] == URL + "/v2"
    assert attrs["state"] == "findable"
    assert client.update_url("10.1234/upd-1", URL + "/v3") == URL + "/v3"
    assert client.get_doi("10.1234/upd-1") == URL + "/v3"


def test_hide_and_show(client, valid_metadata):
    client.public_doi(valid_metadata, URL, doi="10.1234/hide-1")
    assert client.hide_doi("10.1234/hide-1")["state"] == "registered"
    assert client.get_metadata("10.1234/hide-1")["isActive"] is False
    assert client.show_doi("10.1234/hide-1")["state"] == "findable"


def test_hide_of_a_draft_is_not_whiny(client):
    client.draft_doi(doi="10.1234/hide-draft")
    assert client.hide_doi("10.1234/hide-draft")["state"] == "draft"


def test_delete_draft_then_not_found(client):
    client.draft_doi(doi="10.1234/del-1")
    assert client.delete_doi("10.1234/del-1") is None
    with pytest.raises(DataCiteNotFoundError):
        client.get_doi("10.1234/del-1")
    with pytest.raises(DataCiteNotFoundError):
        client.delete_doi("10.1234/del-1")


def test_delete_findable_is_refused(client, valid_metadata):
    client.public_doi(valid_metadata, URL, doi="10.1234/del-2")
    with pytest.raises(DataCiteServerError) as info:  # 405: the package has no class for it
        client.delete_doi("10.1234/del-2")
    assert "Method not allowed" in str(info.value)
    assert client.get_metadata("10.1234/del-2")["state"] == "findable"


def test_update_of_an_unknown_doi_upserts_and_the_package_calls_it_an_error(
    client, datacite_sandbox
):
    with pytest.raises(DataCiteServerError):  # 201 Created, but update_doi accepts only 200
        client.update_doi("10.1234/upsert-1", url=URL)
    assert datacite_sandbox.control.doi("10.1234/upsert-1")["state"] == "draft"


def test_invalid_metadata_is_a_server_error_with_the_422_body(client, valid_metadata):
    del valid_metadata["titles"]
    with pytest.raises(DataCiteServerError) as info:
        client.public_doi(valid_metadata, URL, doi="10.1234/bad-1")
    assert '"source": "titles"' in str(info.value)


def test_duplicate_draft_is_a_server_error(client):
    client.draft_doi(doi="10.1234/dup-1")
    with pytest.raises(DataCiteServerError) as info:
        client.draft_doi(doi="10.1234/DUP-1")
    assert "This DOI has already been taken" in str(info.value)


def test_wrong_password_is_not_found_for_a_client_that_names_no_repository(datacite_sandbox):
    """The `datacite` package's client sends no ``relationships.client``: lupo answers 404.

    lupo app/models/doi.rb ``client_id=`` looks the repository up before any
    permission check, and a failed login has none; so upstream's client reports
    a wrong password as "not found". Our gateway names the repository (401).
    """
    client = DataCiteRESTClient("sandbox", "wrong", "10.1234", url=datacite_sandbox.url,
                                timeout=10)
    with pytest.raises(DataCiteNotFoundError):
        client.draft_doi(doi="10.1234/x")
    assert datacite_sandbox.control.doi("10.1234/x") is None


def test_dropped_connection_is_an_http_error(client, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["drop"])
    with pytest.raises(HttpError):
        client.draft_doi(doi="10.1234/drop-1")
    assert datacite_sandbox.control.doi("10.1234/drop-1") is None


def test_journal_shows_what_the_package_sent(client, valid_metadata, datacite_sandbox):
    client.public_doi(valid_metadata, URL, doi="10.1234/j-1")
    entry = datacite_sandbox.control.journal()[-1]
    assert entry["method"] == "POST"
    assert entry["path"] == "/dois"
    assert entry["user"] == "sandbox"
    attrs = entry["body"]["data"]["attributes"]
    assert attrs["event"] == "publish"
    assert attrs["prefix"] == "10.1234"
    assert attrs["doi"] == "10.1234/j-1"
    assert entry["status"] == 201
