"""Service component: every record event recomputes what DataCite should hold.

It runs last among the record service's components, so it sees the record as
the event leaves it (access, deletion status, pids), and it runs inside the
record's transaction, so the desired state is committed with the record or not
at all. Upstream does not call the providers on an edit, a new version, an
access change or a tombstone of a concept; this component covers them.
"""

from __future__ import annotations

from typing import Any

from invenio_drafts_resources.services.records.components import ServiceComponent

from ..lifecycle.enqueue import converge_after_commit
from . import accounts, qualification, sync, upstream_tasks


class DOILifecycleComponent(ServiceComponent):
    """Keep the lifecycle rows of a record's DOIs up to date."""

    def _sync_all(self, record: Any, reason: str) -> None:
        sync.sync_version(record, reason)
        parent = getattr(record, "parent", None)
        if parent is not None and not getattr(record, "is_draft", False):
            sync.sync_concept(parent, record, reason)
        converge_after_commit(self._uow)

    def create(self, identity: Any, data: Any = None, record: Any = None, errors: Any = None) -> None:
        """A draft created with a DOI reserves it (if the DOI filter lets it have one)."""
        qualification.on_draft_saved(record, errors)
        self._sync_all(record, "draft created")

    def update_draft(self, identity: Any, data: Any = None, record: Any = None, errors: Any = None) -> None:
        """A saved draft refreshes its reservation (coalesced); the DOI filter may set it aside."""
        qualification.on_draft_saved(record, errors)
        self._sync_all(record, "draft saved")

    def publish(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """Publish, republish after an edit, or a new version (concept changes too).

        Upstream's registration tasks for our DOIs are withdrawn: the rows recorded
        here are converged by our own task (:mod:`.upstream_tasks`).
        """
        self._sync_all(record, "published")
        if self._uow is not None:
            upstream_tasks.drop_doi_registration(self._uow, record)

    def delete_draft(self, identity: Any, draft: Any = None, record: Any = None, force: bool = False) -> None:
        """The provider withdrew the draft DOI; make sure it is sent."""
        converge_after_commit(self._uow)

    def delete_record(self, identity: Any, data: Any = None, record: Any = None, uow: Any = None) -> None:
        """Tombstone: the version DOI is hidden; the concept only when no public version is left."""
        self._sync_all(record, "record deleted (tombstone)")

    def restore_record(self, identity: Any, record: Any = None, uow: Any = None) -> None:
        """A restored record's DOIs converge back."""
        self._sync_all(record, "record restored")

    def lift_embargo(self, identity: Any, draft: Any = None, record: Any = None, uow: Any = None) -> None:
        """An embargoed record becomes public: findable with its full metadata."""
        self._sync_all(record, "embargo lifted")


class DOIFilterComponent(ServiceComponent):
    """Runs just before upstream's PIDsComponent: a draft the DOI filter excludes publishes without a DOI.

    Upstream mints a required DOI the draft lacks; this component sets aside
    the draft's DOI and tells upstream's component not to mint one
    (see :func:`invenio_doi_ext.rdm.qualification.before_publish`).
    """

    def publish(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """Evaluate the filter at publish; tell the parent which version it is minted with."""
        accounts.remember_publishing(draft)
        qualification.before_publish(self.service, draft, record)
