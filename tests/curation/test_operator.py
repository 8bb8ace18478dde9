"""Curators find waiting requests from the command line; the DOI status shows the request."""

from __future__ import annotations

import json

from curation_helpers import request_of
from lifecycle_helpers import row_of

from invenio_doi_ext.cli import doi as doi_cli
from invenio_doi_ext.services import serialize


def _awaiting(app) -> list[str]:
    result = app.test_cli_runner().invoke(doi_cli, ["list", "--awaiting-approval", "--format", "json"])
    assert result.exit_code == 0, result.output
    return [item["doi"] for item in json.loads(result.output)]


def test_awaiting_approval_lists_submitted_requests_and_status_shows_the_request(
    app, deposit, depositor, curator, requests_service, sandbox
):
    first = deposit(depositor)
    second = deposit(depositor)
    doi_first = first.data["pids"]["doi"]["identifier"].lower()
    doi_second = second.data["pids"]["doi"]["identifier"].lower()
    assert _awaiting(app) == [doi_first, doi_second]  # version DOIs only, not the concepts

    request = request_of(first)
    status = serialize.detail(row_of(doi_first))
    assert status["request"]["id"] == str(request.id) and status["request"]["status"] == "submitted"

    requests_service.execute_action(curator.identity, request.id, "accept")
    assert _awaiting(app) == [doi_second]
    assert serialize.detail(row_of(doi_first))["request"]["status"] == "accepted"
    concept = first.data["parent"]["pids"]["doi"]["identifier"]
    assert serialize.detail(row_of(concept))["request"] is None


def test_the_lifecycle_component_stays_last(service):
    from invenio_doi_ext.curation.components import DOICurationComponent
    from invenio_doi_ext.rdm.components import DOILifecycleComponent

    components = [type(c) for c in service.components]
    assert components[-1] is DOILifecycleComponent
    assert DOICurationComponent in components
