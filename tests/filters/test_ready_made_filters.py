"""Each ready-made filter through the real records service: who gets a DOI at publish."""

from __future__ import annotations

import pytest
from invenio_access.permissions import system_identity
from marshmallow import ValidationError

from invenio_doi_ext.rdm import filters


def _publish(service, data):
    draft = service.create(system_identity, data)
    return service.publish(system_identity, draft.id)


def typed(record_data, type_id):
    data = record_data()
    data["metadata"]["resource_type"] = {"id": type_id}
    return data


def _doi(result):
    return (result.data["pids"].get("doi") or {}).get("identifier")


def _concept(result):
    return ((result.data["parent"].get("pids") or {}).get("doi") or {}).get("identifier")


def assert_findable(sandbox, result):
    doi = _doi(result)
    assert doi and _concept(result)
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert sandbox.control.doi(_concept(result))["state"] == "findable"


def assert_no_doi(sandbox, result, oai=True):
    assert result.data["is_published"] is True
    assert _doi(result) is None and _concept(result) is None
    if oai:  # upstream's other required scheme is still minted (restricted records get none)
        assert "oai" in result.data["pids"]
    assert [e for e in sandbox.control.journal() if e["method"] != "GET"] == []


def test_default_is_always(service, record_data, sandbox):
    assert_findable(sandbox, _publish(service, record_data()))


def test_never_publishes_without_a_doi_and_refuses_get_a_doi_now(service, record_data, sandbox, set_config):
    set_config(DOI_EXT_FILTER=filters.never)
    assert_no_doi(sandbox, _publish(service, record_data()))

    draft = service.create(system_identity, record_data())
    with pytest.raises(ValidationError) as refused:
        service.pids.create(system_identity, draft.id, "doi")
    assert "does not qualify for a DOI" in str(refused.value.messages)
    assert refused.value.field_name == "pids.doi"


def test_import_string_configuration(service, record_data, sandbox, set_config):
    set_config(DOI_EXT_FILTER="invenio_doi_ext.rdm.filters:never")
    assert_no_doi(sandbox, _publish(service, record_data()))


def test_resource_type_in(service, record_data, sandbox, set_config):
    set_config(DOI_EXT_FILTER=filters.resource_type_in("image"))
    photo = _publish(service, typed(record_data, "image-photo"))
    assert_findable(sandbox, photo)
    sandbox.control.reset()
    assert_no_doi(sandbox, _publish(service, record_data()))  # a dataset


def test_has_files(service, record_data, sandbox, set_config, add_file):
    set_config(DOI_EXT_FILTER=filters.has_files())
    assert_no_doi(sandbox, _publish(service, record_data()))  # metadata-only

    draft = service.create(system_identity, record_data(files={"enabled": True}))
    add_file(draft.id)
    assert_findable(sandbox, service.publish(system_identity, draft.id))


def test_is_public_excludes_restricted_records(service, record_data, sandbox, set_config):
    # Under the default "redacted" policy a restricted record would get a registered DOI.
    set_config(DOI_EXT_FILTER=filters.is_public)
    restricted = _publish(service, record_data(access={"record": "restricted", "files": "restricted"}))
    assert_no_doi(sandbox, restricted, oai=False)
    assert_findable(sandbox, _publish(service, record_data()))


def test_in_communities(service, record_data, sandbox, set_config, community, in_community):
    ocean = community("ocean")
    set_config(DOI_EXT_FILTER=filters.in_communities("ocean"))
    assert_no_doi(sandbox, _publish(service, record_data()))

    draft = service.create(system_identity, record_data())
    in_community(draft.id, ocean)
    assert_findable(sandbox, service.publish(system_identity, draft.id))


def test_community_override_decides_for_its_records(
    service, record_data, sandbox, set_config, community, in_community
):
    reef = community("reef")
    set_config(DOI_EXT_FILTER=filters.never, DOI_EXT_COMMUNITY_FILTERS={"reef": filters.always})
    assert_no_doi(sandbox, _publish(service, record_data()))

    draft = service.create(system_identity, record_data())
    in_community(draft.id, reef)
    assert_findable(sandbox, service.publish(system_identity, draft.id))


def test_combinators(service, record_data, sandbox, set_config):
    set_config(
        DOI_EXT_FILTER=filters.all_of(
            filters.is_public, filters.not_(filters.resource_type_in("image")), filters.any_of(filters.always)
        )
    )
    assert_no_doi(sandbox, _publish(service, typed(record_data, "image-photo")))
    assert_findable(sandbox, _publish(service, record_data()))
