"""Bodies and paths: built fresh, DOIs escaped."""

from __future__ import annotations

import copy

import pytest

from invenio_doi_ext.datacite.payload import build_body, doi_path, doi_url


def test_body_shape_and_no_mutation():
    metadata = {"titles": [{"title": "T"}], "creators": [{"name": "A"}], "url": "https://old"}
    before = copy.deepcopy(metadata)
    body = build_body("10.1234/x", metadata, "https://new", "publish")
    assert body == {
        "data": {
            "type": "dois",
            "attributes": {
                "titles": [{"title": "T"}],
                "creators": [{"name": "A"}],
                "url": "https://new",
                "doi": "10.1234/x",
                "event": "publish",
            },
        }
    }
    assert metadata == before
    body["data"]["attributes"]["titles"][0]["title"] = "changed"
    assert metadata == before


def test_none_url_and_event_are_omitted():
    attributes = build_body("10.1234/x", {"titles": []})["data"]["attributes"]
    assert attributes == {"titles": [], "doi": "10.1234/x"}
    assert build_body("10.1234/x")["data"]["attributes"] == {"doi": "10.1234/x"}


def test_event_in_metadata_never_leaks_into_an_update():
    attributes = build_body("10.1234/x", {"event": "publish"})["data"]["attributes"]
    assert "event" not in attributes


def test_unknown_event_is_refused():
    with pytest.raises(ValueError):
        build_body("10.1234/x", event="delete")


@pytest.mark.parametrize(
    ("doi", "path"),
    [
        ("10.1234/abc", "dois/10.1234/abc"),
        ("10.1234/a/b", "dois/10.1234/a/b"),
        ("10.1234/a b#c?d%e", "dois/10.1234/a%20b%23c%3Fd%25e"),
        ("10.1234/ü", "dois/10.1234/%C3%BC"),
    ],
)
def test_doi_path_escaping(doi, path):
    assert doi_path(doi) == path


def test_doi_url_joins_with_one_slash():
    assert doi_url("http://h:1/", "10.1/x") == "http://h:1/dois/10.1/x"
    assert doi_url("http://h:1", "10.1/x") == "http://h:1/dois/10.1/x"
    assert doi_url("http://h:1/api/", "10.1/x") == "http://h:1/api/dois/10.1/x"
