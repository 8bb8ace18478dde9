"""One DOI rule, and every place that checks a DOI agrees with it.

Start-up (settings), minting (the provider's client), the lifecycle's targets, the
deposit form's validation and people's input (REST, CLI, administration page) once
had rules of their own: a prefix of six digits passed start-up and minting, and the
targets then dropped every DOI under it without a word.
"""

from __future__ import annotations

import pytest

from invenio_doi_ext import doi_syntax, settings
from invenio_doi_ext.metadata import validation
from invenio_doi_ext.rdm.providers import DOIExtClient
from invenio_doi_ext.rdm.targets import managed_doi
from invenio_doi_ext.services.doi_input import InvalidDOIError, parse_doi
from invenio_doi_ext.settings import ConfigurationError

ACCEPTED = [
    "10.1234/abc",
    "10.12345/a-b_c.d;(e)/f:g*h~i$j=k",
    "10.1234/" + "x" * 247,  # 255 characters
]

REFUSED = [
    "10.123456/abc",  # six prefix digits: lupo's DOI check allows four or five
    "10.123/abc",
    "11.1234/abc",
    "10.1234/sea[1]",
    "10.1234/" + "x" * 248,  # 256 characters
    "10.1234/\x00",
]


def test_the_rule_is_datacites():
    assert [doi_syntax.doi_problem(doi) for doi in ACCEPTED] == [None] * len(ACCEPTED)
    assert all(doi_syntax.doi_problem(doi) for doi in REFUSED)
    assert doi_syntax.prefix_problem("10.1234") is None
    assert doi_syntax.prefix_problem("10.12345") is None
    assert "four or five digits" in doi_syntax.prefix_problem("10.123456")


@pytest.mark.parametrize("doi", ACCEPTED + REFUSED, ids=lambda doi: repr(doi[:20]))
def test_every_place_agrees(app, doi):
    valid = doi in ACCEPTED
    prefix = doi.split("/", 1)[0]

    # start-up: a format producing this DOI under its own prefix
    start_up = {
        "DATACITE_ENABLED": True,
        "DATACITE_USERNAME": "REPO",
        "DATACITE_PREFIX": prefix,
        "DATACITE_FORMAT": lambda _prefix, _record, doi=doi: doi,
    }
    if valid:
        settings.validate(start_up)
    else:
        with pytest.raises(ConfigurationError):
            settings.validate(start_up)

    # minting
    client = DOIExtClient(
        "datacite",
        config_prefix="DATACITE",
        config_overrides={"DATACITE_PREFIX": prefix, "DATACITE_FORMAT": lambda _p, _r: doi},
    )
    with app.app_context():
        if valid:
            assert client.generate_doi(object()) == doi
        else:
            with pytest.raises(RuntimeError, match="not a DOI DataCite accepts"):
                client.generate_doi(object())

    # targets and the deposit form
    record = {"pids": {"doi": {"identifier": doi, "provider": "datacite"}}}
    assert (managed_doi(record) == doi) is valid
    assert (validation.doi_errors(doi) == []) is valid

    # people's input
    if valid:
        assert parse_doi(doi) == doi
    else:
        with pytest.raises(InvalidDOIError):
            parse_doi(doi)


@pytest.mark.parametrize(
    "pasted",
    ["doi:10.1234/abc", "DOI:10.1234/abc", "https://doi.org/10.1234/abc", "http://dx.doi.org/10.1234/abc"],
)
def test_resolver_forms_are_stripped(pasted):
    assert parse_doi(pasted) == "10.1234/abc"


def test_a_trailing_newline_is_not_stripped_away():
    """idutils' pattern ends in ``$``, which matches before a final newline."""
    with pytest.raises(InvalidDOIError, match="whitespace"):
        parse_doi("https://doi.org/10.1234/abc\n")
