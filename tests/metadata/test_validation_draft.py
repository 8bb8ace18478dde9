"""What DataCite refuses even on a draft DOI: shown on the draft at save, never a failed reservation.

DataCite accepts any metadata on a draft DOI except a malformed URL and
contributors without a schema-4 contributor type (lupo ``Doi`` validations that
do not wait for registration). The depositor sees those on the form; the draft's
DOI is reserved without them meanwhile, and with them once they are fixed.
"""

from __future__ import annotations

from typing import Any

import pytest
from invenio_access.permissions import system_identity
from invenio_rdm_records.services.errors import ValidationErrorWithMessageAsList
from marshmallow import ValidationError as MarshmallowError

from invenio_doi_ext.lifecycle.store import get_row
from invenio_doi_ext.metadata.validation import acceptable_on_draft, valid_url


@pytest.fixture(scope="module")
def roles(resource_types: None) -> None:
    """Contributor roles: one DataCite knows, one without a DataCite type, one with a wrong one."""
    from invenio_vocabularies.proxies import current_service as vocabulary_service
    from invenio_vocabularies.records.api import Vocabulary
    from invenio_vocabularies.records.models import VocabularyType

    if VocabularyType.query.filter_by(id="contributorsroles").one_or_none() is None:
        vocabulary_service.create_type(system_identity, "contributorsroles", "cor")
    entries = (("editor", {"datacite": "Editor"}), ("custom", {}), ("funder", {"datacite": "Funder"}))
    for role_id, props in entries:
        vocabulary_service.create(
            system_identity,
            {"type": "contributorsroles", "id": role_id, "props": props, "title": {"en": role_id.title()}},
        )
    Vocabulary.index.refresh()


def contributor(name: str, role: str | None) -> dict[str, Any]:
    person: dict[str, Any] = {"person_or_org": {"type": "organizational", "name": name}}
    if role is not None:
        person["role"] = {"id": role}
    return person


def with_contributors(record_data: Any, *people: dict[str, Any]) -> dict[str, Any]:
    data = record_data()
    data["metadata"]["contributors"] = list(people)
    return data


def messages_for(errors: list[dict] | None, field: str) -> list[str]:
    return [str(m) for e in errors or [] if e["field"] == field for m in e["messages"]]


def reserved(service: Any, draft_id: str, drain: Any) -> str:
    """Give the draft a DOI (reserved at DataCite by the workers); return the DOI."""
    result = service.pids.create(system_identity, draft_id, "doi")
    drain()
    return result.data["pids"]["doi"]["identifier"].lower()


@pytest.mark.parametrize(
    ("role", "words"),
    [
        (None, "Choose a role for this contributor"),
        ("custom", "The role 'custom' has no DataCite contributor type"),
        ("funder", "maps to the DataCite contributor type 'Funder', which DataCite does not accept"),
    ],
    ids=["no role", "role without a DataCite type", "role with a type DataCite refuses"],
)
def test_contributor_type_errors_are_on_the_draft_and_name_the_fix(rdm, record_data, roles, role, words):
    draft = rdm.create(system_identity, with_contributors(record_data, contributor("Lab", role)))

    messages = messages_for(draft.errors, "metadata.contributors.0.role")
    assert any(words in m for m in messages), draft.errors
    assert any("administrators" in m or "Choose a role" in m for m in messages)
    with pytest.raises((ValidationErrorWithMessageAsList, MarshmallowError)):
        rdm.publish(system_identity, draft.id)  # InvenioRDM refuses a missing role first


def test_a_refused_contributor_waits_for_the_fix_instead_of_failing_the_reservation(
    rdm, record_data, roles, sandbox, drain
):
    people = (contributor("Editor Lab", "editor"), contributor("Odd Lab", "custom"))
    data = with_contributors(record_data, *people)
    draft = rdm.create(system_identity, data)
    doi = reserved(rdm, draft.id, drain)

    row = get_row(doi)
    assert (row.remote_state, row.failed, row.last_error) == ("draft", False, None)
    held = sandbox.control.doi(doi)
    assert held["state"] == "draft"
    assert [c["name"] for c in held["attributes"]["contributors"]] == ["Editor Lab"]

    data = rdm.read_draft(system_identity, draft.id).data
    data["metadata"]["contributors"][1]["role"] = {"id": "editor"}
    saved = rdm.update_draft(system_identity, draft.id, data)
    assert messages_for(saved.errors, "metadata.contributors.1.role") == []
    drain()

    names = [c["name"] for c in sandbox.control.doi(doi)["attributes"]["contributors"]]
    assert names == ["Editor Lab", "Odd Lab"]
    assert get_row(doi).in_sync


def test_an_invalid_landing_url_is_on_the_draft_and_the_doi_is_reserved_without_it(
    rdm, record_data, sandbox, drain, set_config
):
    set_config(SITE_UI_URL="")  # the landing URL becomes "/doi/...": DataCite says "URL is not valid"
    draft = rdm.create(system_identity, record_data())
    messages = messages_for(draft.errors, "pids.doi")
    assert any("landing page URL '/doi/" in m and "SITE_UI_URL" in m for m in messages), draft.errors

    doi = reserved(rdm, draft.id, drain)

    row = get_row(doi)
    assert (row.remote_state, row.failed) == ("draft", False)
    held = sandbox.control.doi(doi)
    assert held["state"] == "draft" and not held.get("url")
    with pytest.raises(ValidationErrorWithMessageAsList):
        rdm.publish(system_identity, draft.id)


def test_acceptable_on_draft_keeps_everything_else():
    payload = {
        "titles": [{"title": "T"}, "plain string"],
        "contributors": [
            {"name": "A", "contributorType": "Editor"},
            {"name": "B", "contributorType": ""},
            {"name": "C"},
            {"name": "D", "contributorType": "Funder"},
        ],
        "rightsList": [{"rights": "x" * 2001}, {"rights": "CC BY"}],
        "publisher": {"name": "P"},
    }
    kept, url = acceptable_on_draft(payload, "https://repo.example.org/doi/10.1234/x")
    assert kept == {
        "titles": [{"title": "T"}],
        "contributors": [{"name": "A", "contributorType": "Editor"}],
        "rightsList": [{"rights": "CC BY"}],
        "publisher": {"name": "P"},
    }
    assert url == "https://repo.example.org/doi/10.1234/x"
    assert payload["contributors"][1] == {"name": "B", "contributorType": ""}  # not changed in place
    assert acceptable_on_draft({}, "/doi/10.1234/x") == ({}, None)


def test_the_url_rule_is_anchored():
    assert valid_url("https://repo.example.org/doi/10.1234/x")
    assert not valid_url("https://repo.example.org/doi/10.1234/x\n")
    assert not valid_url("see https://repo.example.org/")
    assert not valid_url(None)
