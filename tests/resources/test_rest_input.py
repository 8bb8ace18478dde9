"""Bad input to the REST API is a 400 naming the argument, for anyone, never a 500.

``since`` values far in the past, far in the future or huge used to overflow
Python's datetime (a 500); a NUL character reached PostgreSQL, which refuses it
in a string literal (a 500). Query arguments are checked before permissions
(docs/api.rst), so an anonymous caller learns the same as an administrator.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

BAD_SINCE = [
    "999999d",
    "99999999999w",
    "9" * 60 + "d",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "yesterday",
    "1d\x00",
    "x" * 100,
]


@pytest.mark.parametrize("since", BAD_SINCE, ids=repr)
def test_bad_since_is_400_naming_since(admin, login, db, since):
    res = login(admin).get("/dois?since=" + quote(since))
    assert res.status_code == 400
    assert res.json["errors"][0]["field"] == "since"


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "1d"], ids=repr)
def test_edge_of_the_representable_range_is_answered(admin, login, db, since):
    res = login(admin).get("/dois?since=" + quote(since))
    assert res.status_code == 200, res.json
    assert "total" in res.json["hits"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=999999d", "since"),
        ("since=0001-01-01T00:00:00%2B01:00", "since"),
        ("state=lost", "state"),
        ("state=draft%00", "state"),
        ("page=99999999999999999999", "page"),
    ],
)
def test_query_arguments_are_checked_before_permissions(client, other, login, db, query, field):
    """Anonymous and unprivileged callers get the 400 too, not a 403 (docs/api.rst)."""
    anonymous = client.get(f"/dois?{query}")
    assert anonymous.status_code == 400
    assert anonymous.json["errors"][0]["field"] == field
    unprivileged = login(other).get(f"/dois?{query}")
    assert unprivileged.status_code == 400
    assert unprivileged.json["errors"][0]["field"] == field


def test_a_good_query_is_still_refused_to_unprivileged_callers(client, db):
    assert client.get("/dois?since=1d").status_code == 403


@pytest.mark.parametrize(
    ("verb", "path"),
    [
        ("get", "/dois/10.1234/x%00y"),
        ("post", "/dois/10.1234/x%00y/sync"),
        ("post", "/dois/10.1234/x%00y/reserve"),
    ],
)
def test_nul_in_a_doi_is_400_for_anyone(admin, login, client, db, verb, path):
    """A retry (sync) or reserve of a DOI with a NUL: 400 naming the DOI, before permissions."""
    assert getattr(client, verb)(path).status_code == 400
    answer = getattr(login(admin), verb)(path)
    assert answer.status_code == 400
    assert answer.json["errors"][0]["field"] == "doi"
    assert "control characters" in answer.json["message"]
