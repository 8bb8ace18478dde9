"""The DOI request of a managed DOI, as the REST status and ``invenio doi status`` show it."""

from __future__ import annotations

from typing import Any

from ..lifecycle.models import DOIKind
from .gate import link_of


def request_status(row: Any) -> dict[str, Any] | None:
    """``{"id", "status"}`` of the version DOI's current DOI request, or None (not curated)."""
    if row.kind != DOIKind.RECORD or row.object_uuid is None:
        return None
    link = link_of(row.object_uuid)
    if link is None:
        return None
    return {"id": str(link.request_id), "status": link.status, "updated": link.updated.isoformat()}
