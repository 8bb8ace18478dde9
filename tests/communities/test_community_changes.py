"""A record's communities changing reaches DataCite (IsPartOf), through the real services."""

from __future__ import annotations

from typing import Any

from invenio_access.permissions import system_identity
from invenio_rdm_records.proxies import current_rdm_records
from invenio_requests.proxies import current_requests_service
from lifecycle_helpers import make_due, puts_to, row_of, sweep_now


def _is_part_of(sandbox: Any, doi: str) -> list[str]:
    attributes = sandbox.control.doi(doi)["attributes"]
    return sorted(
        item["relatedIdentifier"]
        for item in attributes.get("relatedIdentifiers") or []
        if item.get("relationType") == "IsPartOf"
    )


def test_inclusion_accepted_then_removal_reach_datacite(
    app, service, sandbox, make_community, community_owner, owner, record_data
):
    community = make_community("ocean-data")
    draft = service.create(owner.identity, record_data())
    record = service.publish(owner.identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    assert _is_part_of(sandbox, doi) == []

    communities_service = current_rdm_records.record_communities_service
    processed, errors = communities_service.add(
        owner.identity, record.id, {"communities": [{"id": community.id}]}
    )
    assert errors == [] and len(processed) == 1
    request_id = processed[0]["request_id"]
    assert _is_part_of(sandbox, doi) == []  # a request only: nothing changed yet

    current_requests_service.execute_action(community_owner.identity, request_id, "accept")
    make_due()
    sweep_now()
    expected = ["https://repo.example.org/communities/ocean-data/"]
    assert _is_part_of(sandbox, doi) == expected
    assert _is_part_of(sandbox, concept) == expected
    assert row_of(doi).in_sync and row_of(concept).in_sync

    puts_before = len(puts_to(sandbox.control.journal(), doi))
    processed, errors = communities_service.remove(
        system_identity, record.id, {"communities": [{"id": community.id}]}
    )
    assert errors == [] and len(processed) == 1
    # Sent right after the service's commit: no sweep needed.
    assert _is_part_of(sandbox, doi) == []
    assert _is_part_of(sandbox, concept) == []
    assert len(puts_to(sandbox.control.journal(), doi)) == puts_before + 1


def test_direct_inclusion_by_a_curator_is_sent_at_once_and_an_unrelated_edit_sends_nothing_more(
    app, service, sandbox, make_community, community_owner, record_data
):
    first, second = make_community("ocean-data", "open"), make_community("sea-ice", "open")
    draft = service.create(community_owner.identity, record_data())
    record = service.publish(community_owner.identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]

    communities_service = current_rdm_records.record_communities_service
    processed, errors = communities_service.add(
        community_owner.identity,
        record.id,
        {"communities": [{"id": first.id}, {"id": second.id}]},
    )
    assert errors == [] and len(processed) == 2
    # The owner of both communities includes directly: no request waits, no sweep is needed.
    assert _is_part_of(sandbox, doi) == [
        "https://repo.example.org/communities/ocean-data/",
        "https://repo.example.org/communities/sea-ice/",
    ]
    changes = [e for e in row_of(doi).events if e.action == "desired" and e.message == "communities changed"]
    assert len(changes) == 1  # two communities in one unit of work: one recomputation

    puts = len(puts_to(sandbox.control.journal(), doi))
    communities_service.set_default(community_owner.identity, record.id, {"default": second.id})
    assert len(puts_to(sandbox.control.journal(), doi)) == puts  # the export is the same: no call
