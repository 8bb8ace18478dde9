"""Who may see and steer managed DOIs: a permission policy, replaceable by configuration.

Depositors see the state of their own record's DOI (owners), community curators
that of the records they curate; everything that lists all DOIs or makes calls to
DataCite happen is for administrators. Set ``DOI_EXT_PERMISSION_POLICY`` to a
subclass (or its import path) to change that, as with ``RDM_PERMISSION_POLICY``.
"""

from __future__ import annotations

from typing import Any

from invenio_administration.generators import Administration
from invenio_rdm_records.services.generators import RecordCommunitiesAction, RecordOwners
from invenio_records_permissions.generators import SystemProcess
from invenio_records_permissions.policies.base import BasePermissionPolicy

from .. import settings


class DOIRecordOwners(RecordOwners):
    """The owner of the record behind the DOI; nobody when the record has no owner."""

    def needs(self, record: Any = None, **kwargs: Any) -> list:
        """Owners of ``record.parent``, tolerating records created by the system."""
        access = getattr(getattr(record, "parent", None), "access", None)
        if getattr(access, "owner", None) is None:
            return []
        return super().needs(record=record, **kwargs)


class DOIPermissionPolicy(BasePermissionPolicy):
    """The default policy (superusers are always allowed by invenio-access)."""

    can_read = [DOIRecordOwners(), RecordCommunitiesAction("curate"), Administration(), SystemProcess()]
    can_search = [Administration(), SystemProcess()]
    can_manage = [Administration(), SystemProcess()]
    """Reserve, sync, retry, list unreserved drafts, read jobs."""


def policy_class() -> type[BasePermissionPolicy]:
    """The configured policy class (``DOI_EXT_PERMISSION_POLICY``: class or import path)."""
    return settings.permission_policy()
