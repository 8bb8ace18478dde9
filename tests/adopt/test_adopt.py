"""Adopting an instance filled by upstream's own provider, drift included.

The instance runs with DOI_EXT_ENABLED = False, i.e. upstream's DataCite
providers, whose client is pointed at the sandbox (its ``api`` property only
knows DataCite's real hosts). Upstream itself leaves the drifts of a restricted
record (hidden with full metadata) and of a tombstone (the concept re-published);
the sandbox is seeded for the others (a DOI DataCite lost, one left a draft).
"""

from __future__ import annotations

import pytest
from datacite import DataCiteRESTClient
from invenio_access.permissions import system_identity
from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from invenio_doi_ext.lifecycle.client import current_gateway
from invenio_doi_ext.lifecycle.models import DOIState, ManagedDOI
from invenio_doi_ext.lifecycle.tasks import sweep
from invenio_doi_ext.rdm import adopt as adoption


@pytest.fixture(scope="module")
def extra_app_config():
    return {"DOI_EXT_ENABLED": False}


@pytest.fixture(scope="module", autouse=True)
def upstream_client_at_sandbox(datacite_sandbox_server):
    from invenio_rdm_records.services.pids.providers.datacite import DataCiteClient

    original = DataCiteClient.api

    def api(self):
        if self._api is None or self._api.api_url != datacite_sandbox_server.url:
            self._api = DataCiteRESTClient(
                self.cfg("username"), self.cfg("password"), self.cfg("prefix"),
                test_mode=False, url=datacite_sandbox_server.url,
            )
        return self._api

    DataCiteClient.api = property(api)
    yield
    DataCiteClient.api = original


def _edit(service, record_id, change):
    draft = service.edit(system_identity, record_id)
    data = draft.data
    change(data)
    service.update_draft(system_identity, record_id, data)
    return service.publish(system_identity, record_id)


def _restrict(data):
    data["access"]["record"] = "restricted"


@pytest.fixture
def upstream_instance(publish, service, sandbox, record_data):
    """Five records as upstream's provider left them, with every kind of drift."""
    upstream_provider = type(service.pids.pid_manager._get_provider("doi", "datacite")).__name__
    assert upstream_provider == "DataCitePIDProvider"

    healthy = publish(record_data(title="Healthy"))
    lost = publish(record_data(title="Lost at DataCite"))
    sandbox.control.remove(lost.data["pids"]["doi"]["identifier"])
    draft_only = publish(record_data(title="Left a draft"))
    sandbox.control.seed(draft_only.data["pids"]["doi"]["identifier"], "draft")
    restricted = publish(record_data(title="Confidential interviews"))
    _edit(service, restricted.id, _restrict)
    tombstoned = publish(record_data(title="Withdrawn"))
    service.delete_record(system_identity, tombstoned.id, {})
    items = {
        "healthy": healthy, "lost": lost, "draft_only": draft_only,
        "restricted": restricted, "tombstoned": tombstoned,
    }
    # Adopting expunges the session between batches: keep plain values, not records.
    return {
        name: {
            "doi": item.data["pids"]["doi"]["identifier"],
            "concept": item.data["parent"]["pids"]["doi"]["identifier"],
        }
        for name, item in items.items()
    }


def _doi(dois, concept=False):
    return dois["concept" if concept else "doi"]


def test_upstream_left_the_drifts_we_report(upstream_instance, sandbox):
    restricted = sandbox.control.doi(_doi(upstream_instance["restricted"]))
    assert restricted["state"] == "registered"
    assert restricted["attributes"]["titles"] == [{"title": "Confidential interviews"}]  # the leak
    assert sandbox.control.doi(_doi(upstream_instance["tombstoned"], concept=True))["state"] == "findable"


def test_dry_run_reports_every_drift_and_writes_nothing(upstream_instance, app, db):
    results = {r.doi: r for r in adoption.adopt(current_gateway(), dry_run=True)}
    assert ManagedDOI.query.count() == 0
    assert all(not r.adopted and r.error is None for r in results.values())

    assert results[_doi(upstream_instance["healthy"])].findings == []
    assert results[_doi(upstream_instance["healthy"], concept=True)].findings == []
    assert adoption.MISSING in results[_doi(upstream_instance["lost"])].findings
    assert adoption.DRAFT_ONLY in results[_doi(upstream_instance["draft_only"])].findings
    assert adoption.RESTRICTED_LEAK in results[_doi(upstream_instance["restricted"])].findings
    concept = _doi(upstream_instance["tombstoned"], concept=True)
    assert adoption.CONCEPT_REPUBLISHED in results[concept].findings
    # Upstream said REGISTERED before DataCite confirmed; the dry run leaves it so.
    assert PersistentIdentifier.get("doi", _doi(upstream_instance["lost"])).status == PIDStatus.REGISTERED


def test_adopt_creates_rows_and_the_workers_repair_every_drift(upstream_instance, app, db, sandbox):
    results = list(adoption.adopt(current_gateway(), batch_size=3))
    assert results and all(r.adopted for r in results)
    assert ManagedDOI.query.count() == len(results) == 10  # five versions, five concepts
    lost = _doi(upstream_instance["lost"])
    # The truth, until DataCite has it:
    assert PersistentIdentifier.get("doi", lost).status == PIDStatus.RESERVED
    healthy = ManagedDOI.query.filter_by(doi=_doi(upstream_instance["healthy"]).lower()).one()
    assert healthy.in_sync

    assert list(adoption.adopt(current_gateway())) == []  # resumable: adopted DOIs are skipped

    sweep.apply()
    db.session.expire_all()
    assert ManagedDOI.query.filter(ManagedDOI.in_sync.is_(False)).count() == 0
    assert sandbox.control.doi(lost)["state"] == "findable"
    assert sandbox.control.doi(_doi(upstream_instance["draft_only"]))["state"] == "findable"
    restricted = sandbox.control.doi(_doi(upstream_instance["restricted"]))
    assert restricted["state"] == "registered"
    assert restricted["attributes"]["titles"] == [{"title": "Restricted record"}]
    assert sandbox.control.doi(_doi(upstream_instance["tombstoned"], concept=True))["state"] == "registered"
    assert PersistentIdentifier.get("doi", lost).status == PIDStatus.REGISTERED
    assert {row.remote_state for row in ManagedDOI.query} <= {DOIState.FINDABLE, DOIState.REGISTERED}


def test_adopt_command_dry_run_then_for_real(upstream_instance, app, db):
    from invenio_doi_ext.cli import doi as doi_cli

    runner = app.test_cli_runner()
    dry = runner.invoke(doi_cli, ["adopt", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert adoption.MISSING in dry.output and adoption.CONCEPT_REPUBLISHED in dry.output
    assert "would adopt 10 of 10 DOI(s)" in dry.output
    assert ManagedDOI.query.count() == 0

    real = runner.invoke(doi_cli, ["adopt", "--batch-size", "4"])
    assert real.exit_code == 0, real.output
    assert "adopted 10 of 10 DOI(s)" in real.output
    assert ManagedDOI.query.count() == 10
    again = runner.invoke(doi_cli, ["adopt"])
    assert "adopted 0 of 0 DOI(s)" in again.output


def test_adopt_with_a_wrong_password_stops_before_changing_anything(upstream_instance, app, db, set_config):
    """With wrong credentials DataCite reads every draft or registered DOI as missing."""
    from invenio_doi_ext.cli import doi as doi_cli
    from invenio_doi_ext.lifecycle.client import reset_gateway

    statuses = {pid.pid_value: pid.status for pid in PersistentIdentifier.query.filter_by(pid_type="doi")}
    set_config(DATACITE_PASSWORD="not-the-password")
    reset_gateway()
    try:
        result = app.test_cli_runner().invoke(doi_cli, ["adopt"])
    finally:
        set_config(DATACITE_PASSWORD="sandbox")
        reset_gateway()
    assert result.exit_code == 1
    assert "fix DATACITE_USERNAME / DATACITE_PASSWORD" in result.output
    assert ManagedDOI.query.count() == 0
    db.session.expire_all()
    after = {pid.pid_value: pid.status for pid in PersistentIdentifier.query.filter_by(pid_type="doi")}
    assert after == statuses


def test_adopt_queues_work_only_for_dois_that_need_a_call(upstream_instance, app, db):
    """A DOI found at DataCite as it should be gets a row, and no converge task.

    The rows a transaction hands to Celery after its commit are the session's
    touched rows; in this test's nested transaction they are never sent, so they
    are all still there to read once adopt has run.
    """
    from invenio_doi_ext.lifecycle import touched

    touched.take_touched(db.session)
    results = list(adoption.adopt(current_gateway(), batch_size=4))
    assert len(results) == 10

    queued = touched.take_touched(db.session)
    rows = ManagedDOI.query.all()
    healthy = {_doi(upstream_instance["healthy"]).lower(), _doi(upstream_instance["healthy"], True).lower()}
    assert healthy <= {row.doi for row in rows if row.in_sync}
    assert sorted(queued) == sorted(row.id for row in rows if not row.in_sync)
    assert 0 < len(queued) < len(rows)
