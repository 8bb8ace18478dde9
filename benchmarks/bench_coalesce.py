"""Benchmark 3: DataCite calls sent for a burst of k edits within the coalescing window.

Each edit is edit + new title + publish through the real service. Celery is
eager for both providers, so every task they queue runs at once: upstream's
``register_or_update_pid`` (record and concept DOI) calls DataCite per publish;
ours finds the row not yet due (``DOI_EXT_COALESCE_SECONDS`` = 600 here, longer
than the burst) and sends nothing. The end of the window is then reached by
making the rows due and running the convergence step, as the delayed task does.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench_instance import bench_database, config, create_app, delete_queues, point_upstream_at, start_sandbox
from bench_request import record


def end_of_window() -> None:
    """What the delayed ``converge_doi`` task does when the window has passed."""
    from invenio_db import db

    from invenio_doi_ext.lifecycle.converge import converge
    from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow

    waiting = [row_id for (row_id,) in db.session.query(ManagedDOI.id).filter(ManagedDOI.in_sync.is_(False))]
    db.session.query(ManagedDOI).filter(ManagedDOI.id.in_(waiting)).update(
        {ManagedDOI.next_attempt_at: utcnow()}, synchronize_session=False
    )
    db.session.commit()
    for row_id in waiting:
        converge(row_id)


def run(provider: str, bursts: list[int]) -> dict[str, Any]:
    """Requests received by the sandbox for each burst size."""
    from invenio_access.permissions import system_identity
    from invenio_rdm_records.proxies import current_rdm_records_service as service

    ours = provider == "ours"
    queue = f"doi-ext-bench-co-{uuid.uuid4().hex[:8]}"
    sandbox = start_sandbox(0)
    calls: dict[int, int] = {}
    try:
        with bench_database(f"co_{provider}") as url, tempfile.TemporaryDirectory() as tmp:
            if not ours:
                point_upstream_at(sandbox.url)
            values = config(
                url, sandbox.url, queue, ours=ours, CELERY_TASK_ALWAYS_EAGER=True,
                DOI_EXT_COALESCE_SECONDS=600, CELERY_BROKER_URL="memory://", BROKER_URL="memory://",
            )
            create_app(values, Path(tmp))
            for k in bursts:
                draft = service.create(system_identity, record(f"burst {k}"))
                recid = service.publish(system_identity, draft.id).id
                end_of_window()
                sandbox.control.clear_journal()
                for edit in range(k):
                    data = service.edit(system_identity, recid).data
                    data["metadata"]["title"] = f"Benchmark record burst {k}, edit {edit + 1}"
                    service.update_draft(system_identity, recid, data)
                    service.publish(system_identity, recid)
                if ours:
                    end_of_window()
                calls[k] = len(sandbox.control.journal())
    finally:
        delete_queues(queue, f"{queue}-other")
        sandbox.stop()
    return {"provider": provider, "calls": calls}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], [int(k) for k in sys.argv[2].split(",")])))
