"""Administration page of invenio-administration: failed and out-of-sync DOIs, with retry."""

from .dois import DOIAdministrationView

__all__ = ("DOIAdministrationView",)
