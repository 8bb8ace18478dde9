"""Upstream's post-publish registration task, for the DOIs this package converges.

After a publish, invenio-rdm-records queues ``register_or_update_pid`` for every
PID of the version and of the parent (``PIDsComponent``, ``ParentPIDsComponent``).
For a DOI of ours the task only reaches our providers' ``register`` hook, which
recomputes what the lifecycle component has just recorded in the same
transaction: two broker messages per publish, and a worker reloading both
records, for nothing. They are taken out of the unit of work before it commits;
every other scheme (OAI, external DOIs, whose task marks the PID registered
locally) keeps its task.

The unit of work has no public way to withdraw an operation: this reads its
operation list and the ``TaskOp``'s task and arguments (invenio-db and
invenio-records-resources as pinned). When they are not where expected, nothing
is removed and the tasks run as before (harmless: the hook changes nothing).
"""

from __future__ import annotations

from typing import Any

from invenio_rdm_records.services.pids.tasks import register_or_update_pid

from . import targets


def _ours(record: Any, parent: bool) -> bool:
    obj = getattr(record, "parent", None) if parent else record
    return obj is not None and targets.managed_doi(obj) is not None


def drop_doi_registration(uow: Any, record: Any) -> int:
    """Remove upstream's queued DOI registrations of ``record`` from ``uow``; how many were removed."""
    operations = getattr(uow, "_operations", None)
    if not isinstance(operations, list):
        return 0
    kept = []
    for op in operations:
        task = getattr(op, "_celery_task", None)
        args, kwargs = getattr(op, "_args", ()), getattr(op, "_kwargs", {}) or {}
        if (
            task is register_or_update_pid
            and len(args) == 2
            and args[0] == record.get("id")
            and args[1] == "doi"
            and _ours(record, bool(kwargs.get("parent", False)))
        ):
            continue
        kept.append(op)
    removed = len(operations) - len(kept)
    operations[:] = kept
    return removed
