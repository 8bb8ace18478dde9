"""``invenio doi status`` and ``invenio doi list``: fields, filters, formats, bad input."""

from __future__ import annotations

import csv
import io
import json

from invenio_doi_ext.lifecycle.store import get_row


def test_status_of_published_doi_shows_both_sides_and_history(run, publish, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]

    result = run("status", doi)

    assert result.exit_code == 0, result.output
    assert f"DOI                  {doi.lower()}" in result.output
    assert "DSpace state         IS_REGISTERED" in result.output
    assert "Remote state         findable" in result.output
    assert "History (" in result.output and "published" in result.output
    assert "publish 201 success" in result.output or "publish 200 success" in result.output


def test_status_json_has_every_field(run, publish, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]

    data = json.loads(run("status", doi, "--format", "json").stdout)

    assert data["doi"] == doi.lower()
    assert data["label"] == "findable"
    assert data["dspace_state"] == "IS_REGISTERED"
    assert data["desired"]["state"] == data["remote"]["state"] == "findable"
    assert data["desired"]["fingerprint"] == data["remote"]["fingerprint"]
    assert data["in_sync"] is True and data["failed"] is False
    assert [event["action"] for event in data["history"]][:1] == ["desired"]
    assert any(event["action"] == "call" and event["outcome"] == "success" for event in data["history"])


def test_status_of_failed_doi_exits_1_with_datacite_message(run, make_row, sandbox):
    # A prefix the DataCite account does not own: DataCite answers 403, a permanent failure.
    make_row("10.9999/not-ours", "findable", "none")
    assert run("sync", "--wait", "10.9999/not-ours").exit_code == 1

    result = run("status", "10.9999/not-ours")

    assert result.exit_code == 1
    assert "Failed               yes" in result.output
    assert "Status               failed" in result.output
    assert "Last HTTP status     403" in result.output
    row = get_row("10.9999/not-ours")
    assert row.last_error and row.last_error in result.output


def test_status_refuses_bad_and_unknown_dois_with_exit_2(run, db):
    for bad, reason in (
        ("10.1234/has space", "whitespace"),
        ("10.1234/a..b", "'..'"),
        ("10.1234/abc%2Fdef", "percent-encoding"),
        ("10.1234/" + "x" * 10_000, "longer than 255"),
        ("not-a-doi", "expected 10.NNNN/suffix"),
    ):
        result = run("status", bad)
        assert result.exit_code == 2, bad
        assert "Invalid value for 'DOI'" in result.output
        assert reason in result.output
        assert "Traceback" not in result.output
        assert len(result.output) < 1000

    unknown = run("status", "10.1234/never-minted")
    assert unknown.exit_code == 2
    assert "not managed by this instance: no such DOI is managed" in unknown.output
    foreign = run("status", "10.9999/elsewhere")
    assert foreign.exit_code == 2
    assert "prefix is not one this instance mints under" in foreign.output


def test_list_filters(run, make_row):
    make_row("10.1234/ok", "findable", "findable")
    make_row("10.1234/waiting", "findable", "none")
    make_row("10.1234/broken", "findable", "draft", failed=True, last_error="DataCite: bad title")
    make_row("10.1234/reserved", "draft", "draft")

    def dois(*args):
        result = run("list", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return sorted(item["doi"] for item in json.loads(result.stdout))

    assert dois() == ["10.1234/broken", "10.1234/ok", "10.1234/reserved", "10.1234/waiting"]
    assert dois("--out-of-sync") == ["10.1234/broken", "10.1234/waiting"]
    assert dois("--failed") == ["10.1234/broken"]
    assert dois("--state", "draft") == ["10.1234/reserved"]
    assert dois("--state", "IS_REGISTERED") == ["10.1234/ok"]
    assert dois("--state", "to_be_registered") == ["10.1234/broken", "10.1234/waiting"]
    assert dois("--since", "1h") == dois()
    assert dois("--since", "2999-01-01") == []


def test_list_dspace_names_agree_with_the_derived_state(run, make_row):
    cases = [
        ("none", "none", {}),
        ("none", "none", {"hold": "deleted"}),
        ("draft", "draft", {}),
        ("findable", "findable", {}),
        ("none", "draft", {}),
        ("draft", "draft", {"remote_fingerprint": "old"}),
        ("draft", "none", {}),
        ("findable", "registered", {}),
        ("findable", "draft", {}),
        ("registered", "none", {}),
        ("registered", "none", {"attempts": 2}),
    ]
    for number, (desired, remote, extra) in enumerate(cases):
        make_row(f"10.1234/case-{number}", desired, remote, **extra)
    listed = json.loads(run("list", "--format", "json").stdout)
    for item in listed:
        name = item["dspace_state"].lower()
        result = run("list", "--format", "json", "--state", name)
        assert item["doi"] in [found["doi"] for found in json.loads(result.stdout)], name
    assert len({item["dspace_state"] for item in listed}) == 10


def test_list_formats(run, make_row):
    make_row("10.1234/one", "findable", "none", last_error="timeout, again")
    make_row("10.1234/two", "registered", "registered")

    table = run("list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].startswith("DOI") and "DSPACE STATE" in lines[0]
    assert (
        lines[1].startswith("10.1234/one") and "TO_BE_REGISTERED" in lines[1] and "timeout, again" in lines[1]
    )
    assert "2 DOI(s)" in table.stderr

    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv").stdout)))
    assert [row["doi"] for row in rows] == ["10.1234/one", "10.1234/two"]
    assert rows[0]["last_error"] == "timeout, again"
    assert rows[1]["in_sync"] == "True"

    assert json.loads(run("list", "--format", "json", "--failed").stdout) == []


def test_list_bad_input_exits_2(run, db):
    assert run("list", "--state", "lost").exit_code == 2
    since = run("list", "--since", "yesterday")
    assert since.exit_code == 2
    assert "--since" in since.output and "neither an ISO date/time" in since.output
    assert run("list", "--format", "xml").exit_code == 2
