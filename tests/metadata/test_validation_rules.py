"""Each DataCite rule through the real service: the draft shows it, fixing clears it, publish waits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from invenio_access.permissions import system_identity
from invenio_rdm_records.services.errors import ValidationErrorWithMessageAsList
from marshmallow import ValidationError as MarshmallowError
from metadata_helpers import doi_of

from invenio_doi_ext.metadata.validation import FieldMap, as_form_errors, validate


def set_meta(key: str, value: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["metadata"][key] = value

    return change


def rights(title: str) -> list[dict[str, Any]]:
    return [{"title": {"en": title}, "description": {"en": "Custom licence"}, "link": "https://example.org/l"}]


# (rule, how to break it, how to fix it, field the error is on, words of our message)
RULES = [
    ("publication year YYYY", set_meta("publication_date", "0999"), set_meta("publication_date", "1999"),
     "metadata.publication_date", "four-digit publication year"),
    ("non-empty title", set_meta("title", "<p> </p>"), set_meta("title", "A real title"),
     "metadata.title", "empty title"),
    ("non-empty creator name",
     set_meta("creators", [{"person_or_org": {"type": "organizational", "name": " "}}]),
     set_meta("creators", [{"person_or_org": {"type": "organizational", "name": "CERN"}}]),
     "metadata.creators.0.person_or_org.name", "name for every creator"),
    ("rights text length", set_meta("rights", rights("x" * 2001)), set_meta("rights", rights("x" * 2000)),
     "metadata.rights.0.title", "2000 characters"),
    ("language pattern", set_meta("languages", [{"id": "en_GB"}]), set_meta("languages", [{"id": "eng"}]),
     "metadata.languages", "language code"),
    ("resourceTypeGeneral controlled list", set_meta("resource_type", {"id": "dataset-misconfigured"}),
     set_meta("resource_type", {"id": "dataset"}), "metadata.resource_type", "general type 'Datasets'"),
]


def messages_for(errors: list[dict], field: str) -> list[str]:
    return [str(m) for e in errors or [] if e["field"] == field for m in e["messages"]]


def check_rule(rdm: Any, record_data: Any, sandbox: Any, break_it, fix_it, field: str, words: str) -> None:
    data = record_data()
    break_it(data)
    draft = rdm.create(system_identity, data)
    assert any(words in m for m in messages_for(draft.errors, field)), draft.errors

    with pytest.raises((ValidationErrorWithMessageAsList, MarshmallowError)) as refused:
        rdm.publish(system_identity, draft.id)
    if isinstance(refused.value, ValidationErrorWithMessageAsList):
        assert any(words in str(m) for m in messages_for(refused.value.messages, field))
    else:  # InvenioRDM's own schema refuses it first (a blank creator name): still refused
        assert field.split(".")[1] in str(refused.value.messages)
    assert sandbox.control.dois() == []

    fix_it(data)
    saved = rdm.update_draft(system_identity, draft.id, data)
    assert messages_for(saved.errors, field) == [], saved.errors
    record = rdm.publish(system_identity, draft.id)
    assert sandbox.control.doi(doi_of(record))["state"] == "findable"


@pytest.mark.parametrize(("rule", "break_it", "fix_it", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_rule_on_the_draft_form_and_at_publish(rdm, record_data, sandbox, rule, break_it, fix_it, field,
                                               words):
    check_rule(rdm, record_data, sandbox, break_it, fix_it, field, words)


def test_rule_creator_count(rdm, record_data, sandbox):
    person = {"person_or_org": {"type": "organizational", "name": "Consortium member"}}
    too_many, fixed = set_meta("creators", [person] * 10_001), set_meta("creators", [person] * 3)
    check_rule(rdm, record_data, sandbox, too_many, fixed, "metadata.creators", "at most 10000 creators")


@pytest.mark.parametrize(
    ("doi", "words"),
    [("10.1234/" + "a" * 250, "at most 255 characters"), ("10.1234/sea[1]", "not a DOI DataCite accepts")],
    ids=["doi length", "doi syntax"],
)
def test_rule_doi(rdm, record_data, sandbox, doi, words):
    def break_it(data):
        data["pids"] = {"doi": {"identifier": doi, "provider": "datacite"}}

    def fix_it(data):
        data["pids"] = {}

    check_rule(rdm, record_data, sandbox, break_it, fix_it, "pids.doi", words)


def test_rule_landing_url(rdm, record_data, sandbox, app):
    original = app.config["DOI_EXT_LANDING_URL"]
    app.config["DOI_EXT_LANDING_URL"] = "repo.example.org/doi/{doi}"  # no scheme: DataCite refuses it
    try:
        draft = rdm.create(system_identity, record_data())
        assert any("landing page URL" in m for m in messages_for(draft.errors, "pids.doi")), draft.errors
        with pytest.raises(ValidationErrorWithMessageAsList):
            rdm.publish(system_identity, draft.id)
    finally:
        app.config["DOI_EXT_LANDING_URL"] = original
    saved = rdm.update_draft(system_identity, draft.id, record_data())
    assert messages_for(saved.errors, "pids.doi") == []
    assert sandbox.control.doi(doi_of(rdm.publish(system_identity, draft.id)))["state"] == "findable"


def test_external_doi_is_never_blocked(rdm, record_data, sandbox):
    data = record_data(publication_date="0999")
    data["pids"] = {"doi": {"identifier": "10.9999/external.1", "provider": "external"}}
    draft = rdm.create(system_identity, data)
    assert messages_for(draft.errors, "metadata.publication_date") == []
    record = rdm.publish(system_identity, draft.id)
    assert record.data["pids"]["doi"] == {"identifier": "10.9999/external.1", "provider": "external"}
    assert sandbox.control.dois() == []


def test_valid_draft_has_no_datacite_errors(rdm, record_data):
    assert rdm.create(system_identity, record_data()).errors in (None, [])


def test_schema_errors_and_field_mapping_without_the_service():
    payload = {
        "titles": [{"title": "Main"}, {"title": " "}],
        "creators": [{"name": "A"}, {"nameType": "Personal"}],
        "publisher": {"name": "P"},
        "publicationYear": "20x4",
        "types": {"resourceTypeGeneral": "Dataset"},
        "dates": [{"date": "2020", "dateType": "Issued"}, {"date": "2021", "dateType": "Sometime"}],
        "rightsList": [{"rights": "r" * 2001}],
    }
    record = {"metadata": {"title": "Main", "additional_titles": [{"title": " "}], "publication_date": "2020",
                           "dates": [{"date": "2021"}], "rights": [{"title": {"en": "r"}}]}}
    found = validate(payload, doi="10.1234/ok", url="https://x.org/doi/10.1234/ok", record=record)
    errors = as_form_errors(found)
    fields = {e["field"] for e in errors}
    assert fields == {
        "metadata.additional_titles.0.title",
        "metadata.creators.1.person_or_org.name",
        "metadata.publication_date",
        "metadata.dates.0.date",
        "metadata.rights.0.title",
    }, errors
    # The schema's own complaint about the year is not repeated beside ours.
    assert len([m for e in errors if e["field"] == "metadata.publication_date" for m in e["messages"]]) == 1
    assert FieldMap(None).field(["fundingReferences", 2, "funderName"]) == "metadata.funding.2"
    person = {"metadata": {"creators": [{"person_or_org": {"type": "personal", "family_name": ""}}]}}
    assert FieldMap(person).field(["creators", 0, "name"]) == "metadata.creators.0.person_or_org.family_name"
    assert FieldMap({"metadata": {"copyright": "C"}}).field(["rightsList", 0]) == "metadata.copyright"
