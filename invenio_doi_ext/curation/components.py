"""Records service component: publishing a curated record opens its DOI request.

Runs in the publish's unit of work, so the request, its link and the record are
committed together; the DOI itself is held by the gate whatever the order of
components (no accepted request, no findable DOI).
"""

from __future__ import annotations

from typing import Any

from invenio_drafts_resources.services.records.components import ServiceComponent

from ..rdm import targets
from .policy import curation_enabled, curation_required
from .submission import open_request


class DOICurationComponent(ServiceComponent):
    """Open or reuse the DOI request of a published record version."""

    def publish(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """Only for a locally managed DOI of a record that needs curation."""
        if record is None or not curation_enabled() or targets.managed_doi(record) is None:
            return
        if curation_required(record):
            open_request(identity, record, self.uow)
