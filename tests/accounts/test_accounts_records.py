"""Several DataCite accounts through the real records service and the sandbox.

Each community's records get DOIs under their account's prefix, sent with that
account's credentials (the sandbox's journal names the caller); new versions stay
with their concept DOI's account; a wrong password pauses only its own account.
"""

from __future__ import annotations

from typing import Any

from accounts_setup import ACCOUNTS, PREFIX, USER
from invenio_access.permissions import system_identity
from lifecycle_helpers import make_due, puts_to, row_of, sweep_now

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.client import reset_gateway


def _publish_in(service: Any, in_community: Any, record_data: Any, comm: Any = None, **kw: Any) -> Any:
    draft = service.create(system_identity, record_data(**kw))
    if comm is not None:
        in_community(draft.id, comm)
    return service.publish(system_identity, draft.id)


def _dois(record: Any) -> tuple[str, str]:
    return record.data["pids"]["doi"]["identifier"], record.data["parent"]["pids"]["doi"]["identifier"]


def _callers(journal: list[dict], doi: str) -> set[str]:
    return {entry["user"] for entry in puts_to(journal, doi)}


def test_each_community_mints_and_registers_with_its_own_account(
    service, sandbox, community, in_community, record_data
):
    alpha, beta, gamma = community("alpha"), community("beta"), community("gamma")
    published = {
        "a": _publish_in(service, in_community, record_data, alpha, title="Alpha data"),
        "b": _publish_in(service, in_community, record_data, beta, title="Beta data"),
        "default": _publish_in(service, in_community, record_data, gamma, title="Gamma data"),
    }
    journal = sandbox.control.journal()
    held = {entry["doi"]: entry for entry in sandbox.control.dois()}
    for account, record in published.items():
        for doi in _dois(record):
            assert doi.startswith(PREFIX[account] + "/"), (account, doi)
            row = row_of(doi)
            assert row.account == account and row.in_sync and not row.failed
            assert _callers(journal, doi) == {USER[account]}  # its own credentials, only
            assert held[doi.lower()]["client"] == USER[account].lower()
            assert held[doi.lower()]["state"] == "findable"


def test_a_record_without_a_community_mints_with_the_default_account(
    service, sandbox, in_community, record_data
):
    doi, concept = _dois(_publish_in(service, in_community, record_data))
    assert doi.startswith("10.1234/") and concept.startswith("10.1234/")
    assert row_of(doi).account == "default" and row_of(concept).account == "default"
    assert _callers(sandbox.control.journal(), doi) == {"sandbox"}


def test_a_record_moved_to_another_community_keeps_its_first_account_for_new_versions(
    service, sandbox, community, in_community, record_data
):
    alpha, beta = community("alpha"), community("beta")
    first = _publish_in(service, in_community, record_data, alpha, title="First release")
    first_doi, concept = _dois(first)
    assert first_doi.startswith("10.4444/")

    draft = service.new_version(system_identity, first.id)
    in_community(draft.id, beta, leave=alpha)  # the record now belongs to beta (account b)
    data = draft.data
    data["metadata"] = record_data(title="Second release")["metadata"]
    service.update_draft(system_identity, draft.id, data)
    second = service.publish(system_identity, draft.id)

    second_doi, second_concept = _dois(second)
    assert second_concept == concept
    assert second_doi.startswith("10.4444/")  # a DOI family cannot change prefix
    assert row_of(second_doi).account == "a" and row_of(concept).account == "a"
    journal = sandbox.control.journal()
    assert _callers(journal, second_doi) == {"INST.A"}
    assert _callers(journal, concept) == {"INST.A"}
    remote_concept = sandbox.control.doi(concept)
    assert remote_concept["attributes"]["titles"] == [{"title": "Second release"}]
    assert row_of(second_doi).in_sync and row_of(concept).in_sync


def test_wrong_credentials_of_one_account_pause_that_account_only(
    service, sandbox, community, in_community, record_data, set_config, db
):
    alpha, beta = community("alpha"), community("beta")
    wrong = {**ACCOUNTS, "b": {**ACCOUNTS["b"], "password": "not-b-secret"}}
    set_config(DOI_EXT_DATACITE_ACCOUNTS=wrong)
    reset_gateway()
    try:
        refused = _publish_in(service, in_community, record_data, beta, title="Beta data")
        doi_b, _ = _dois(refused)
        row = row_of(doi_b)
        assert row.account == "b" and row.last_status == 401 and not row.in_sync and not row.failed
        assert breaker.paused_until(account="b") is not None
        assert breaker.paused_until(account="a") is None and breaker.paused_until() is None

        # Account a keeps converging while b is paused, and b's DOIs are not even tried.
        calls_to_b = len(puts_to(sandbox.control.journal(), doi_b))
        doi_a, concept_a = _dois(_publish_in(service, in_community, record_data, alpha, title="Alpha data"))
        make_due()
        sweep_now()
        assert row_of(doi_a).in_sync and row_of(concept_a).in_sync
        assert len(puts_to(sandbox.control.journal(), doi_b)) == calls_to_b
        assert row_of(doi_b).queued_at is None  # the sweep left the paused account's DOIs alone

        # The operator fixes b's password and resets b's breaker: b's DOIs converge.
        set_config(DOI_EXT_DATACITE_ACCOUNTS=ACCOUNTS)
        reset_gateway()
        breaker.reset("b")
        db.session.commit()
        make_due()
        sweep_now()
        assert row_of(doi_b).in_sync
        assert _callers(sandbox.control.journal(), doi_b) == {"INST.B"}
    finally:
        breaker.reset()
        db.session.commit()
        reset_gateway()


def test_a_doi_under_an_additional_prefix_is_written_with_its_accounts_credentials(
    service, sandbox, community, in_community, record_data, db
):
    from invenio_rdm_records.records.api import RDMRecord

    from invenio_doi_ext.lifecycle.store import set_desired
    from invenio_doi_ext.rdm import targets

    record = _publish_in(service, in_community, record_data, community("beta"), title="Beta data")
    # A DOI under an older prefix of account b (adopted, or entered by a depositor).
    older = "10.5679/legacy-1"
    stored = RDMRecord.pid.resolve(record.id)
    row = set_desired(older, targets.record_target(stored, older), object_uuid=stored.id, actor="test")
    db.session.commit()
    assert row.account == "b"
    make_due()
    sweep_now()
    assert row_of(older).in_sync and not row_of(older).failed
    assert _callers(sandbox.control.journal(), older) == {"INST.B"}


def _by_title(record: Any, context: Any) -> str | None:
    """A callable DOI_EXT_COMMUNITY_ACCOUNTS: ocean titles mint with b, others with default."""
    assert context.community_ids == ()
    return "b" if "Ocean" in record["metadata"]["title"] else None


def test_a_callable_community_mapping_chooses_the_account(
    service, sandbox, in_community, record_data, set_config
):
    set_config(DOI_EXT_COMMUNITY_ACCOUNTS=_by_title)
    ocean, _ = _dois(_publish_in(service, in_community, record_data, title="Ocean heat"))
    land, _ = _dois(_publish_in(service, in_community, record_data, title="Land heat"))
    assert ocean.startswith("10.5678/") and land.startswith("10.1234/")
    assert _callers(sandbox.control.journal(), ocean) == {"INST.B"}


def test_a_doi_given_under_an_additional_prefix_is_managed_by_its_account(
    service, sandbox, in_community, record_data
):
    """A record keeping its DOI of an older prefix (of account b) through the records service."""
    data = record_data(title="Migrated record")
    data["pids"] = {"doi": {"identifier": "10.5679/migrated-1", "provider": "datacite"}}
    draft = service.create(system_identity, data)
    assert draft.errors == []
    record = service.publish(system_identity, draft.id)
    assert record.data["pids"]["doi"]["identifier"] == "10.5679/migrated-1"
    row = row_of("10.5679/migrated-1")
    assert row.account == "b" and row.in_sync and not row.failed
    assert _callers(sandbox.control.journal(), "10.5679/migrated-1") == {"INST.B"}
    assert sandbox.control.doi("10.5679/migrated-1")["state"] == "findable"
    # Its concept DOI follows the version's prefix (upstream copies it to the parent).
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    assert concept.startswith("10.5679/") and row_of(concept).account == "b"
