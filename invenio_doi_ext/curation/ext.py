"""Flask extension of curated DOI requests: wires the request type's helpers into the instance.

Registered beside the main extension (``invenio_base.apps`` / ``api_apps``); it
does nothing to an instance that leaves ``DOI_EXT_CURATION_REQUIRED`` false
except what is inert without requests (builders, the policy's extra rules).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .. import celery_beat

EXTENSION_NAME = "invenio-doi-ext-curation"
BEAT_NAME = "invenio-doi-ext-curation-timeline"


class DOICuration:
    """invenio-doi-ext curated DOI requests."""

    def __init__(self, app: Flask | None = None) -> None:
        """Extension initialization."""
        if app:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Component, permission rules, notification builders, beat entry."""
        from .. import config as ext_config

        for key in ("DOI_EXT_CURATION_REQUIRED", "DOI_EXT_CURATOR_ROLE"):
            app.config.setdefault(key, getattr(ext_config, key))
        add_component(app.config)
        extend_permission_policy(app.config)
        add_builders(app.config)
        add_beat_entry(app)
        from ..rdm.gates import register_gate
        from .gate import held

        register_gate(app, held)
        from . import tasks  # noqa: F401 - connects the post-convergence signal

        app.extensions[EXTENSION_NAME] = self


def add_component(config: Any) -> None:
    """Add the curation component, before the lifecycle's component (which stays last)."""
    from invenio_rdm_records.services.components import DefaultRecordsComponents

    from ..rdm.components import DOILifecycleComponent
    from .components import DOICurationComponent

    components = list(config.get("RDM_RECORDS_SERVICE_COMPONENTS") or DefaultRecordsComponents)
    if DOICurationComponent not in components:
        if DOILifecycleComponent in components:
            components.insert(components.index(DOILifecycleComponent), DOICurationComponent)
        else:
            components.append(DOICurationComponent)
    config["RDM_RECORDS_SERVICE_COMPONENTS"] = components


def extend_permission_policy(config: Any) -> None:
    """Subclass the configured requests policy with the DOI request's rules."""
    from invenio_requests.services.permissions import PermissionPolicy
    from werkzeug.utils import import_string

    from .permissions import with_curation

    base = config.get("REQUESTS_PERMISSION_POLICY") or PermissionPolicy
    if isinstance(base, str):
        base = import_string(base)
    config["REQUESTS_PERMISSION_POLICY"] = with_curation(base)


def add_builders(config: Any) -> None:
    """Register the notification builders (in place: the manager holds the same dict)."""
    from .notifications import BUILDERS

    builders = config.setdefault("NOTIFICATIONS_BUILDERS", {})
    for builder in BUILDERS:
        builders.setdefault(builder.type, builder)


def add_beat_entry(app: Flask) -> None:
    """Beat copies outcomes every sweep interval (also into an already-built Celery app)."""
    from .tasks import beat_entry

    celery_beat.add_beat_entry(app, BEAT_NAME, beat_entry(app.config))
