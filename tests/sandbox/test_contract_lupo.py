"""The sandbox answers as DataCite's server, lupo, does: one test per behaviour.

Each docstring names the lupo file (github.com/datacite/lupo) the behaviour comes from.
"""

from __future__ import annotations

BAD = ("sandbox", "wrong-password")


def test_reads_with_bad_credentials_are_anonymous(api):
    """app/models/user.rb + app/controllers/datacite_dois_controller.rb show.

    A failed login is the anonymous role: a findable DOI is shown, a draft or a
    registered one is "not found" (404), never 401.
    """
    api.create("10.1234/find", event="publish")
    api.create("10.1234/reg", event="register")
    api.create("10.1234/draft")
    for auth in (BAD, None):
        assert api.get("10.1234/find", auth=auth).status_code == 200
        for doi in ("10.1234/reg", "10.1234/draft"):
            resp = api.get(doi, auth=auth)
            assert resp.status_code == 404, (auth, doi, resp.text)
            assert resp.json()["errors"][0]["title"] == (
                "The resource you are looking for doesn't exist."
            )
    assert api.get("10.1234/draft").status_code == 200


def test_writes_with_bad_credentials_are_401(api, valid_metadata):
    """app/controllers/application_controller.rb: AccessDenied of anonymous → 401."""
    api.create("10.1234/draft")
    answers = [
        api.post({"doi": "10.1234/new", **valid_metadata}, auth=BAD),
        api.put("10.1234/draft", {"titles": [{"title": "x"}]}, auth=BAD),
        api.delete("10.1234/draft", auth=BAD),
    ]
    for resp in answers:
        assert resp.status_code == 401, resp.text
        assert resp.json() == {"errors": [{"status": "401", "title": "Bad credentials."}]}
    assert api.get("10.1234/draft").json()["data"]["attributes"]["titles"] == (
        valid_metadata["titles"]
    )


def test_get_dois_checks_credentials_and_changes_nothing(api):
    """app/controllers/datacite_dois_controller.rb get_dois (authorize! :get_urls).

    `GET /dois/get-dois`: 401 with bad credentials; with good ones 204 while the
    prefix has no handle, then `{"dois": [...]}` of registered and findable DOIs.
    """
    resp = api.call("GET", "dois/get-dois", auth=BAD)
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["title"] == "Bad credentials."
    assert api.call("GET", "dois/get-dois").status_code == 204
    api.create("10.1234/draft")
    api.create("10.1234/reg", event="register")
    resp = api.call("GET", "dois/get-dois")
    assert resp.status_code == 200
    assert resp.json() == {"dois": ["10.1234/REG"]}
    assert api.get("10.1234/draft").json()["data"]["attributes"]["state"] == "draft"
