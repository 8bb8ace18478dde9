"""Service components of file DOIs: the draft files service's events and the record service's.

:class:`FileDOIFilesComponent` is appended to the draft files service
(``RDM_DRAFT_FILES_SERVICE_COMPONENTS``): a committed upload mints its file's DOI,
a deleted file withdraws it. :class:`FileDOIRecordComponent` runs in the records
service just before :class:`~.components.DOILifecycleComponent`, so that at
publish the file DOIs exist when the record's payload lists them (``HasPart``).
Both run inside the service's unit of work and never call DataCite: the rows
they change are handed to Celery after the commit (``ConvergeOp``).
"""

from __future__ import annotations

from typing import Any

from invenio_drafts_resources.services.records.components import ServiceComponent
from invenio_records_resources.services.files.components import FileServiceComponent

from ..lifecycle.enqueue import converge_after_commit
from . import files

_active = files.needs_sync


class FileDOIFilesComponent(FileServiceComponent):
    """A draft's file events: commit mints and reserves, delete withdraws."""

    def _sync(self, record: Any, reason: str) -> None:
        if _active(record):
            files.sync_files(record, reason)
            converge_after_commit(self._uow)

    def commit_file(self, identity: Any, id_: Any, file_key: str, record: Any) -> None:
        """The file's content is complete: it gets its DOI (if the record's files qualify)."""
        self._sync(record, f"file {file_key!r} added")

    def delete_file(self, identity: Any, id_: Any, file_key: str, record: Any, deleted_file: Any) -> None:
        """A file deleted from the draft: its draft DOI is deleted at DataCite."""
        self._sync(record, f"file {file_key!r} deleted")

    def delete_all_files(self, identity: Any, id_: Any, record: Any, results: Any) -> None:
        """Every file deleted from the draft."""
        self._sync(record, "files deleted")


class FileDOIRecordComponent(ServiceComponent):
    """The record service's events, for the DOIs of the record's files."""

    def _sync(self, record: Any, reason: str) -> None:
        if _active(record):
            files.sync_files(record, reason)
            converge_after_commit(self._uow)

    def update_draft(self, identity: Any, data: Any = None, record: Any = None, errors: Any = None) -> None:
        """A saved draft: its files' reservations follow its metadata and its files' access."""
        self._sync(record, "draft saved")

    def publish(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """Publish: the published files' DOIs become findable; the missing ones are minted."""
        self._sync(record, "published")

    def import_files(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """A new version imports the files of the previous one: unchanged files keep their DOI."""
        self._sync(draft, "files imported into a new version")

    def delete_draft(self, identity: Any, draft: Any = None, record: Any = None, force: bool = False) -> None:
        """A discarded draft: the DOIs of its unpublished files are deleted at DataCite."""
        if _active(draft):
            files.withdraw_drafts(draft, "draft discarded")
            converge_after_commit(self._uow)

    def delete_record(self, identity: Any, data: Any = None, record: Any = None, uow: Any = None) -> None:
        """Tombstone: the version's file DOIs are hidden with it."""
        self._sync(record, "record deleted (tombstone)")

    def restore_record(self, identity: Any, record: Any = None, uow: Any = None) -> None:
        """Restore: the version's file DOIs are shown again."""
        self._sync(record, "record restored")

    def lift_embargo(self, identity: Any, draft: Any = None, record: Any = None, uow: Any = None) -> None:
        """An embargo on the files lifts: their DOIs get the files' metadata."""
        self._sync(record, "embargo lifted")
