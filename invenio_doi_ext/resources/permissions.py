"""Old home of the DOI permission policy, kept so that a configured path still imports.

``DOI_EXT_PERMISSION_POLICY = "invenio_doi_ext.resources.permissions:DOIPermissionPolicy"``
(the default before 0.2) keeps working; new configurations name
``invenio_doi_ext.services.permissions``.
"""

from ..services.permissions import DOIPermissionPolicy, DOIRecordOwners

__all__ = ("DOIPermissionPolicy", "DOIRecordOwners")
