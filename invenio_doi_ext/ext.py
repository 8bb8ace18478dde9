"""The Flask extension: configuration, and wiring into InvenioRDM."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from . import settings
from .celery_beat import add_beat_entry
from .compat import keep_callable_datacite_format

EXTENSION_NAME = "invenio-doi-ext"
SWEEP_SCHEDULE_NAME = "invenio-doi-ext-sweep"
MONITORING_SCHEDULE_NAME = "invenio-doi-ext-monitoring"

templates_blueprint = Blueprint("invenio_doi_ext_templates", __name__, template_folder="templates")
"""Carries the package's templates in every application, the REST API's included.

The notifications (DOI requests, operator digests) are rendered wherever they
are dispatched: in a web request of the REST application, or in a Celery
worker built from it. invenio-rdm-records registers its own template folder
the same way from its extension, so its e-mails render in both applications.
"""


class InvenioDOIExt:
    """invenio-doi-ext extension."""

    def __init__(self, app: Flask | None = None) -> None:
        """Extension initialization."""
        if app:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Check the configuration, then take over DOI handling if enabled."""
        keep_callable_datacite_format()
        self.init_config(app)
        app.extensions[EXTENSION_NAME] = self
        if templates_blueprint.name not in app.blueprints:
            app.register_blueprint(templates_blueprint)
        from .views import add_landing_page_block

        add_landing_page_block(app.config)
        if settings.enabled(app.config):
            replace_providers(app.config)
            add_service_component(app.config)
            add_payload_builders()
            add_file_components(app.config)
            add_communities_hook(app.config)
            add_sweep_schedule(app)
            add_monitoring(app)
            from .lifecycle.enqueue import install_session_hooks

            install_session_hooks()

    @staticmethod
    def init_config(app: Flask) -> None:
        """Defaults, legacy keys, the start-up checks (which raise with the fix), one form per value."""
        settings.set_defaults(app.config)
        settings.apply_legacy_keys(app.config)
        settings.validate(app.config)
        settings.resolve(app.config)


def replace_providers(config: Any) -> None:
    """Swap upstream's DataCite providers for ours, keeping their names and order.

    The external DOI provider is kept too, refusing every prefix of ours
    (:mod:`.rdm.external`).
    """
    from invenio_rdm_records.services.pids.providers import DataCitePIDProvider

    from .rdm import external
    from .rdm.providers import DOIExtParentPIDProvider, DOIExtPIDProvider

    for key, cls in (
        ("RDM_PERSISTENT_IDENTIFIER_PROVIDERS", DOIExtPIDProvider),
        ("RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS", DOIExtParentPIDProvider),
    ):
        providers = list(config.get(key) or _upstream_default(key))
        config[key] = [
            _ours(provider, cls)
            if isinstance(provider, DataCitePIDProvider) and not isinstance(provider, cls)
            else external.guarded(provider)
            for provider in providers
        ]


def _ours(provider: Any, cls: type) -> Any:
    """Our provider with the same name and client settings as the one it replaces."""
    from .rdm.providers import DOIExtClient

    client = provider.client
    return cls(
        provider.name,
        client=DOIExtClient(
            client.name,
            config_prefix=client._config_prefix,
            config_overrides=client._config_overrides,
        ),
    )


def _upstream_default(key: str) -> list:
    from invenio_rdm_records import config as rdm_config

    return getattr(rdm_config, key)


def add_service_component(config: Any) -> None:
    """Append the lifecycle component so it runs after upstream's PID components.

    The DOI filter's component goes just before upstream's PIDsComponent, which
    would otherwise mint a required DOI for a record the filter excludes; so does
    the versions component, which refuses a new version leaving a managed DOI for
    an external one before upstream acts on it.
    """
    from invenio_rdm_records.services.components import DefaultRecordsComponents
    from invenio_rdm_records.services.components.pids import PIDsComponent

    from .rdm.components import DOIFilterComponent, DOILifecycleComponent
    from .rdm.versions import DOIVersionComponent

    components = list(config.get("RDM_RECORDS_SERVICE_COMPONENTS") or DefaultRecordsComponents)
    for ours in (DOIVersionComponent, DOIFilterComponent):
        if ours in components:
            continue
        upstream = [
            index
            for index, component in enumerate(components)
            if isinstance(component, type) and issubclass(component, PIDsComponent)
        ]
        components.insert(upstream[0] if upstream else 0, ours)
    if DOILifecycleComponent not in components:
        components.append(DOILifecycleComponent)
    config["RDM_RECORDS_SERVICE_COMPONENTS"] = components


def add_payload_builders() -> None:
    """Workers build published DOIs' payloads from the records (see ``rdm.build``)."""
    from .rdm import build

    build.register()


def add_file_components(config: Any) -> None:
    """File DOIs: a component of the draft files service, one before the lifecycle component,
    and the records service's schema naming each file's DOI (``files.entries.<key>.doi``).

    All do nothing while ``DOI_EXT_FILE_DOIS`` is off (and no file DOI exists).
    """
    from invenio_records_resources.services.files.config import FileServiceConfig

    from .rdm.components import DOILifecycleComponent
    from .rdm.file_components import FileDOIFilesComponent, FileDOIRecordComponent

    key = "RDM_DRAFT_FILES_SERVICE_COMPONENTS"
    file_components = list(config.get(key) or FileServiceConfig.components)
    if FileDOIFilesComponent not in file_components:
        file_components.append(FileDOIFilesComponent)
    config[key] = file_components

    components = list(config["RDM_RECORDS_SERVICE_COMPONENTS"])
    if FileDOIRecordComponent not in components:
        components.insert(components.index(DOILifecycleComponent), FileDOIRecordComponent)
    config["RDM_RECORDS_SERVICE_COMPONENTS"] = components

    from invenio_rdm_records.services.schemas import RDMRecordSchema

    from .rdm.file_schema import with_file_dois

    configured = config.get("RDM_RECORD_SCHEMA") or RDMRecordSchema
    if isinstance(configured, str):
        from werkzeug.utils import import_string

        configured = import_string(configured)
    config["RDM_RECORD_SCHEMA"] = with_file_dois(configured)


def add_communities_hook(config: Any) -> None:
    """A change of a record's communities recomputes its DOIs (see ``rdm.communities``)."""
    from .rdm import communities

    communities.add_component(config)
    communities.connect()


def add_monitoring(app: Flask) -> None:
    """The digest's notification builder, and its beat task at ``DOI_EXT_SWEEP_INTERVAL``.

    Importing the task imports the monitoring's models, which registers their tables
    (and triggers) for ``db.create_all`` as the ``invenio_db.models`` entry point does.
    """
    from .monitoring import notifications, tasks

    notifications.add_builder(app.config)
    interval = settings.sweep_interval(app.config)
    add_beat_entry(app, MONITORING_SCHEDULE_NAME, tasks.beat_entry(app.config, interval))


def add_sweep_schedule(app: Flask) -> None:
    """Register the sweep with Celery beat at ``DOI_EXT_SWEEP_INTERVAL``."""
    config = app.config
    entry: dict[str, Any] = {
        "task": "invenio_doi_ext.lifecycle.tasks.sweep",
        "schedule": settings.sweep_interval(config),
    }
    queue = settings.task_queue(config)
    if queue:
        entry["options"] = {"queue": queue}
    add_beat_entry(app, SWEEP_SCHEDULE_NAME, entry)
