"""Adopting an instance whose DOIs span two prefixes, held by two DataCite accounts.

Upstream's provider minted some DOIs with one account (10.1234, ``sandbox``) and,
after the instance was reconfigured, others with a second (10.5678, ``INST.B``).
Adopting reads each DOI with the account that owns its prefix: a draft DOI is
visible to its owner only, so reading it with the other account would report it
missing.
"""

from __future__ import annotations

from test_adopt import extra_app_config, upstream_client_at_sandbox  # noqa: F401 - module fixtures

from invenio_doi_ext.lifecycle.client import current_gateway, reset_gateway
from invenio_doi_ext.lifecycle.models import DOIState, ManagedDOI
from invenio_doi_ext.rdm import adopt as adoption

B = {"username": "INST.B", "password": "b-secret", "prefix": "10.5678"}
SANDBOX_KEYS = {"DATACITE_USERNAME": "sandbox", "DATACITE_PASSWORD": "sandbox", "DATACITE_PREFIX": "10.1234"}
B_KEYS = {
    "DATACITE_USERNAME": B["username"],
    "DATACITE_PASSWORD": B["password"],
    "DATACITE_PREFIX": B["prefix"],
}


def _forget_upstream_clients(service):
    for manager in (service.pids.pid_manager, service.pids.parent_pid_manager):
        manager._get_provider("doi", "datacite").client._api = None


def _published(service, publish, record_data, set_config, keys, title):
    set_config(**keys)
    _forget_upstream_clients(service)
    record = publish(record_data(title=title))
    return record.data["pids"]["doi"]["identifier"], record.data["parent"]["pids"]["doi"]["identifier"]


def test_adopt_assigns_each_doi_to_the_account_of_its_prefix(
    service, publish, record_data, sandbox, set_config, app, db
):
    sandbox.control.add_account(B["username"], B["password"], [B["prefix"]])
    old_doi, old_concept = _published(service, publish, record_data, set_config, SANDBOX_KEYS, "Old")
    new_doi, new_concept = _published(service, publish, record_data, set_config, B_KEYS, "New")
    assert new_doi.startswith("10.5678/") and old_doi.startswith("10.1234/")
    sandbox.control.seed(new_doi, "draft")  # left a draft: only INST.B may read it

    # The instance as it is now: the upstream keys are the old account, b is the new one.
    set_config(**SANDBOX_KEYS, DOI_EXT_DATACITE_ACCOUNTS={"b": B})
    _forget_upstream_clients(service)
    reset_gateway()
    results = {r.doi: r for r in adoption.adopt(current_gateway)}

    assert {doi: results[doi].account for doi in (old_doi, old_concept, new_doi, new_concept)} == {
        old_doi: "default", old_concept: "default", new_doi: "b", new_concept: "b"
    }
    assert all(r.adopted and r.error is None for r in results.values())
    assert results[new_doi].remote_state == DOIState.DRAFT  # read as its owner, not "missing"
    assert adoption.DRAFT_ONLY in results[new_doi].findings
    assert adoption.MISSING not in results[new_doi].findings
    rows = {row.doi: row.account for row in ManagedDOI.query.all()}
    assert rows == {old_doi.lower(): "default", old_concept.lower(): "default",
                    new_doi.lower(): "b", new_concept.lower(): "b"}

    reads = {(e["path"].lower(), e["user"]) for e in sandbox.control.journal() if e["method"] == "GET"}
    assert (f"/dois/{new_doi}".lower(), "INST.B") in reads
    assert (f"/dois/{old_doi}".lower(), "sandbox") in reads
    reset_gateway()


def test_a_single_gateway_still_adopts_with_that_one_account(service, publish, record_data, sandbox, app, db):
    doi = publish(record_data(title="Only")).data["pids"]["doi"]["identifier"]
    results = list(adoption.adopt(current_gateway()))
    assert {r.account for r in results} == {"default"} and all(r.adopted for r in results)
    assert ManagedDOI.query.filter_by(doi=doi.lower()).one().account == "default"
