"""REST API of managed DOIs (``/api/dois``) and the operator operations it shares with the CLI."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..services.dois import DOIService
from .config import DOIResourceConfig
from .resource import DOIResource

__all__ = ("DOIResource", "DOIResourceConfig", "DOIService", "create_blueprint")

EXTENSION_KEY = "invenio-doi-ext.resource"


def create_blueprint(app: Flask) -> Blueprint:
    """The API blueprint (entry point ``invenio_base.api_blueprints``)."""
    resource = DOIResource(DOIResourceConfig(), DOIService())
    app.extensions[EXTENSION_KEY] = resource
    return resource.as_blueprint()
