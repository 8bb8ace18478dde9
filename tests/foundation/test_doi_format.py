"""A callable DATACITE_FORMAT is called (upstream documents f(prefix, record))."""

import pytest


def make_doi(prefix, record):
    return f"{prefix}/example.{record.pid.pid_value}"


@pytest.fixture(scope="module")
def extra_app_config():
    return {"DATACITE_FORMAT": make_doi}


def test_published_record_gets_doi_from_callable_format(publish, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    assert doi == f"10.1234/example.{record.id}"
    assert sandbox.control.doi(doi)["state"] == "findable"
