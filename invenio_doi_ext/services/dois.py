"""The DOI service: permission checks, then the lifecycle operations, for every face.

Views stay thin (parse, call, serialize); what may be done, and by whom, is
decided here through the configured permission policy, as in Invenio services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_principal import Identity
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier
from invenio_records_resources.services.errors import PermissionDeniedError

from ..lifecycle.models import DOIKind, DOISyncJob, ManagedDOI
from ..lifecycle.states import status_label
from ..lifecycle.store import get_row
from ..rdm.objects import owning_record
from ..rdm.sync import current_actor
from . import bulk, jobs, operations, queries, serialize
from .doi_input import is_ours, parse_doi
from .errors import DOINotManagedError, JobExpiredError, JobNotFoundError
from .permissions import policy_class


class DOIService:
    """Read and steer managed DOIs on behalf of an identity."""

    def require(self, identity: Identity, action: str, **kwargs: Any) -> None:
        """Raise ``PermissionDeniedError`` unless the policy allows ``action``."""
        if not policy_class()(action, **kwargs).allows(identity):
            raise PermissionDeniedError(action)

    def _row(self, value: str) -> ManagedDOI:
        doi = parse_doi(value)
        row = get_row(doi)
        if row is None:
            raise DOINotManagedError(doi, foreign=not is_ours(doi))
        return row

    # -- reading ------------------------------------------------------------------

    def read(self, identity: Identity, value: str) -> dict[str, Any]:
        """State, both sides, derived names, attempt and history of one DOI."""
        row = self._row(value)
        self.require(identity, "read", record=owning_record(row))
        return serialize.detail(row)

    def search(
        self,
        identity: Identity,
        *,
        page: int,
        size: int,
        state: str | None = None,
        failed: bool | None = None,
        out_of_sync: bool = False,
        since: datetime | None = None,
        account: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """One page of managed DOIs matching the filters (administrators).

        The filters arrive checked (the resource's argument schema, before this
        permission check), ``since`` already a naive-UTC datetime.
        """
        self.require(identity, "search")
        row_filter = queries.RowFilter(
            state=state, failed=failed, out_of_sync=out_of_sync, since=since, account=account, kind=kind
        )
        total, rows = queries.page(queries.list_query(row_filter), page, size)
        return {"hits": [serialize.summary(row) for row in rows], "total": total}

    def unreserved(
        self, identity: Identity, *, page: int, size: int, kind: str | None = None
    ) -> dict[str, Any]:
        """Drafts whose DOI DataCite does not hold: rows waiting, then DOIs without a row (of a kind)."""
        self.require(identity, "manage")
        start = (page - 1) * size
        rows_q = queries.unreserved_rows_query(kind)
        pids_q = queries.rowless_draft_pids_query(kind)
        in_rows, in_pids = rows_q.order_by(None).count(), pids_q.order_by(None).count()
        hits: list[dict[str, Any]] = []
        if start < in_rows:
            for row in rows_q.order_by(ManagedDOI.id).offset(start).limit(size):
                hits.append(self._unreserved_hit(row.doi, "waiting", row.object_uuid, row))
        left = size - len(hits)
        if left > 0:
            offset = max(start - in_rows, 0)
            for pid in pids_q.order_by(PersistentIdentifier.id).offset(offset).limit(left):
                hits.append(self._unreserved_hit(pid.pid_value.lower(), "no row", pid.object_uuid, None))
        return {"hits": hits, "total": in_rows + in_pids}

    @staticmethod
    def _unreserved_hit(doi: str, reason: str, object_uuid: Any, row: ManagedDOI | None) -> dict[str, Any]:
        hit = {
            "doi": doi,
            "reason": reason,
            "draft_id": str(object_uuid) if object_uuid else None,
            "links": serialize.doi_links(doi),
        }
        if row is not None:
            hit.update(label=status_label(row), failed=row.failed, last_error=row.last_error)
            if row.kind == DOIKind.FILE:
                hit.update(kind=row.kind, file_key=row.file_key)
        return hit

    # -- steering -----------------------------------------------------------------

    def reserve(self, identity: Identity, value: str) -> DOISyncJob:
        """Reserve a never-published draft's DOI at DataCite, as a job."""
        doi = parse_doi(value)  # a malformed DOI is a 400 for anyone, before permissions
        self.require(identity, "manage")
        if get_row(doi) is None and operations.find_draft(doi) is None:
            raise DOINotManagedError(doi, foreign=not is_ours(doi))
        reserved = operations.reserve(doi, "reserve requested through the API")
        row = operations.lock(reserved.id)
        operations.make_due(row, current_actor(), "reserve")
        return self._start_job(row, "reserve")

    def retry(
        self, identity: Identity, value: str, *, actor: str | None = None, message: str | None = None
    ) -> tuple[ManagedDOI, bool]:
        """Clear a DOI's failure and hand it to a worker now; committed.

        The one retry of the CLI and the administration page. Returns the row and
        whether anything was retried (False: it was in sync).
        """
        doi = parse_doi(value)  # a malformed DOI is a 400 for anyone, before permissions
        self.require(identity, "manage")
        row = self._row(doi)
        retried = bulk.retry(row, actor or current_actor(), message)
        return db.session.get(ManagedDOI, row.id), retried

    def sync(self, identity: Identity, value: str) -> DOISyncJob:
        """Converge one DOI now (clearing a failure), as a job."""
        doi = parse_doi(value)  # a malformed DOI is a 400 for anyone, before permissions
        self.require(identity, "manage")
        row = operations.lock(self._row(doi).id)
        operations.make_due(row, current_actor(), "sync")
        return self._start_job(row, "sync")

    def assign(self, identity: Identity, record_id: str) -> dict[str, Any]:
        """Give a DOI to a published record that has none (administrators); committed."""
        from ..rdm import assign

        self.require(identity, "manage")
        result = assign.assign_doi(record_id, current_actor())
        body: dict[str, Any] = {
            "record_id": result.record_id,
            "doi": result.doi.lower(),
            "concept_doi": result.concept_doi.lower() if result.concept_doi else None,
            "reused": result.reused,
            "links": serialize.doi_links(result.doi.lower()),
        }
        return body

    def _start_job(self, row: ManagedDOI, operation: str) -> DOISyncJob:
        job = jobs.create(row, current_actor(), operation)
        job_id = job.id
        db.session.commit()
        jobs.dispatch(job_id)
        return db.session.get(DOISyncJob, job_id)

    def read_job(self, identity: Identity, token: str) -> DOISyncJob:
        """A job by token: 404 when unknown, 410 once its outcome has expired."""
        self.require(identity, "manage")
        job = jobs.get(token)
        if job is None:
            raise JobNotFoundError(f"No DOI sync job {token[:64]!r}.")
        if jobs.is_expired(job):
            raise JobExpiredError(
                f"DOI sync job {token!r} expired at {job.expires_at.isoformat()}; start a new sync."
            )
        return job
