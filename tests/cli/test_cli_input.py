"""``invenio doi`` refuses bad input with a message naming the option and exit 2, never a traceback."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    ("since", "reason"),
    [
        ("999999d", "reaches back before the year 1"),
        ("99999999999w", "reaches back before the year 1"),
        ("9" * 5000 + "d", "longer than 64 characters"),
        ("0001-01-01T00:00:00+01:00", "leaves the years 1 to 9999"),
        ("9999-12-31T23:59:59-01:00", "leaves the years 1 to 9999"),
        ("1d\x00", "control characters"),
    ],
    ids=lambda value: repr(value[:30]),
)
def test_list_refuses_a_since_outside_the_representable_range(run, db, since, reason):
    result = run("list", "--since", since)
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.output
    assert reason in result.output
    assert "Traceback" not in result.output
    assert len(result.output) < 1000


def test_list_accepts_the_edges_of_the_range(run, make_row):
    make_row("10.1234/edge", "findable", "findable")
    for since in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z"):
        result = run("list", "--format", "json", "--since", since)
        assert result.exit_code == 0, result.output
    assert [item["doi"] for item in json.loads(run("list", "--format", "json", "--since", "1d").stdout)] == [
        "10.1234/edge"
    ]


@pytest.mark.parametrize("command", ["status", "retry", "sync"])
def test_a_nul_in_a_doi_is_refused_before_the_database(run, db, command):
    result = run(command, "10.1234/x\x00y")
    assert result.exit_code == 2
    assert "Invalid value for '" in result.output and "is not a valid DOI" in result.output
    assert "control characters" in result.output


def test_config_masks_credentials_in_the_datacite_url(run, set_config):
    set_config(DOI_EXT_DATACITE_URL="https://user:hunter2@proxy.example.org/datacite/")
    result = run("config")
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "https://user:***@proxy.example.org/datacite/" in result.output
    as_json = run("config", "--format", "json")
    assert "hunter2" not in as_json.output
    shown = json.loads(as_json.output)
    assert shown["(effective) DataCite API URL"] == "https://user:***@proxy.example.org/datacite/"
