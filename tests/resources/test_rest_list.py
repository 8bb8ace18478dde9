"""``GET /api/dois`` and ``GET /api/dois/unreserved``: administrators only, filters, pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from invenio_db import db as _db

from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow


def add_row(doi: str, desired: str, remote: str, **fields) -> ManagedDOI:
    row = ManagedDOI(
        doi=doi,
        pid_value=doi,
        kind="record",
        desired_state=desired,
        desired_fingerprint="d" if desired != "none" else None,
        remote_state=remote,
        remote_fingerprint=fields.pop("remote_fingerprint", "d" if remote != "none" else None),
        attempts=fields.pop("attempts", 0),
        failed=fields.pop("failed", False),
        next_attempt_at=utcnow(),

        **fields,
    )
    _db.session.add(row)
    _db.session.commit()
    return row


def test_list_is_for_administrators(client, owner, other, login, db):
    add_row("10.1234/one", "findable", "findable")
    assert client.get("/dois").status_code == 403
    assert login(owner).get("/dois").status_code == 403
    assert login(other).get("/dois").status_code == 403


def test_list_filters_and_pagination(admin, login, db):
    for number in range(5):
        add_row(f"10.1234/ok-{number}", "findable", "findable")
    add_row("10.1234/waiting", "findable", "none")
    add_row("10.1234/broken", "registered", "draft", failed=True, last_error="DataCite refused it")
    client = login(admin)

    everything = client.get("/dois?size=3")
    assert everything.status_code == 200
    body = everything.json
    assert body["hits"]["total"] == 7
    assert [hit["doi"] for hit in body["hits"]["hits"]] == ["10.1234/ok-0", "10.1234/ok-1", "10.1234/ok-2"]
    assert "prev" not in body["links"]
    link = urlparse(body["links"]["next"])
    assert link.path == "/api/dois"  # the API is mounted under /api; the test app serves it at /
    next_page = client.get("/dois?" + link.query)
    assert [hit["doi"] for hit in next_page.json["hits"]["hits"]] == [
        "10.1234/ok-3",
        "10.1234/ok-4",
        "10.1234/waiting",
    ]
    assert "prev" in next_page.json["links"]
    last = client.get("/dois?size=3&page=3").json
    assert [hit["doi"] for hit in last["hits"]["hits"]] == ["10.1234/broken"]
    assert "next" not in last["links"]

    out_of_sync = client.get("/dois?out_of_sync=true").json
    assert sorted(hit["doi"] for hit in out_of_sync["hits"]["hits"]) == ["10.1234/broken", "10.1234/waiting"]
    assert parse_qs(urlparse(out_of_sync["links"]["self"]).query)["out_of_sync"] == ["true"]

    failed = client.get("/dois?failed=true").json["hits"]["hits"]
    assert [(hit["doi"], hit["label"], hit["last_error"]) for hit in failed] == [
        ("10.1234/broken", "failed", "DataCite refused it")
    ]
    assert client.get("/dois?state=to_be_registered").json["hits"]["total"] == 2
    assert client.get("/dois?state=registered").json["hits"]["total"] == 1
    assert client.get("/dois?since=1h").json["hits"]["total"] == 7
    assert client.get("/dois?since=2999-01-01T00:00:00Z").json["hits"]["total"] == 0


def test_list_bad_arguments_are_400(admin, login, db):
    client = login(admin)
    for query, field in (
        ("state=lost", "state"),
        ("since=yesterday", "since"),
        ("page=0", "page"),
        ("size=100000", "size"),
        ("failed=perhaps", "failed"),
        ("state=" + "x" * 10_000, "state"),
    ):
        res = client.get(f"/dois?{query}")
        assert res.status_code == 400, query
        assert res.json["errors"][0]["field"] == field


def test_unreserved_lists_waiting_and_rowless_drafts(waiting_draft, admin, login, db):
    waiting = waiting_draft()
    rowless = waiting_draft()
    _db.session.query(ManagedDOI).filter(ManagedDOI.doi == rowless).delete()
    _db.session.commit()
    add_row("10.1234/reserved", "draft", "draft")

    res = login(admin).get("/dois/unreserved")

    assert res.status_code == 200
    hits = res.json["hits"]["hits"]
    assert res.json["hits"]["total"] == 2
    assert [(hit["doi"], hit["reason"]) for hit in hits] == [(waiting, "waiting"), (rowless, "no row")]
    assert hits[0]["label"] == "reserving"
    assert hits[1]["links"]["reserve"].endswith(f"/dois/{rowless}/reserve")
    second_page = login(admin).get("/dois/unreserved?size=1&page=2").json
    assert [hit["doi"] for hit in second_page["hits"]["hits"]] == [rowless]


def test_unreserved_is_for_administrators(client, owner, login, db):
    assert client.get("/dois/unreserved").status_code == 403
    assert login(owner).get("/dois/unreserved").status_code == 403
