"""The extension inside a real InvenioRDM application."""

from __future__ import annotations

import warnings

import pytest
from invenio_app.factory import create_api
from invenio_rdm_records.services.components import DefaultRecordsComponents, PIDsComponent

from invenio_doi_ext.cli import doi as doi_cli
from invenio_doi_ext.ext import SWEEP_SCHEDULE_NAME
from invenio_doi_ext.rdm.components import DOIFilterComponent, DOILifecycleComponent
from invenio_doi_ext.rdm.providers import DOIExtParentPIDProvider, DOIExtPIDProvider
from invenio_doi_ext.rdm.versions import DOIVersionComponent
from invenio_doi_ext.settings import ConfigurationError, LegacyConfigWarning


def test_extension_is_registered(app):
    assert "invenio-doi-ext" in app.extensions
    assert app.config["DOI_EXT_ENABLED"] is True


def test_datacite_providers_are_replaced_keeping_names(app):
    record_providers = {p.name: p for p in app.config["RDM_PERSISTENT_IDENTIFIER_PROVIDERS"]}
    parent_providers = {p.name: p for p in app.config["RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS"]}
    assert type(record_providers["datacite"]) is DOIExtPIDProvider
    assert type(parent_providers["datacite"]) is DOIExtParentPIDProvider
    # other providers are left alone
    assert type(record_providers["external"]).__name__ == "ExternalPIDProvider"
    assert type(record_providers["oai"]).__name__ == "OAIPIDProvider"


def test_records_service_uses_our_provider_and_component(service):
    manager = service.pids.pid_manager
    assert type(manager._get_provider("doi", "datacite")) is DOIExtPIDProvider
    parent_manager = service.pids.parent_pid_manager
    assert type(parent_manager._get_provider("doi", "datacite")) is DOIExtParentPIDProvider
    components = [type(c) for c in service.components]
    assert components[-1] is DOILifecycleComponent
    # The DOI filter's component runs just before upstream's PIDsComponent (docs/filters.rst).
    assert components[components.index(PIDsComponent) - 1] is DOIFilterComponent
    # A new version's DOI kind is checked before upstream's PIDsComponent mints (rdm/versions.py).
    assert components.index(DOIVersionComponent) < components.index(PIDsComponent)
    upstream = [c for c in components if not c.__module__.startswith("invenio_doi_ext.")]
    assert upstream[: len(DefaultRecordsComponents)] == list(DefaultRecordsComponents)


def test_sweep_is_scheduled_with_beat(app):
    entry = app.config["CELERY_BEAT_SCHEDULE"][SWEEP_SCHEDULE_NAME]
    assert entry["task"] == "invenio_doi_ext.lifecycle.tasks.sweep"
    assert entry["schedule"].total_seconds() == 60


def test_config_command_masks_the_password_and_lists_providers(app):
    result = app.test_cli_runner().invoke(doi_cli, ["config"])
    assert result.exit_code == 0, result.output
    assert "sandbox" in result.output  # the username is shown
    assert "DATACITE_PASSWORD" in result.output
    password_line = next(line for line in result.output.splitlines() if line.startswith("DATACITE_PASSWORD"))
    assert password_line.split()[-1] == "***"
    assert "invenio_doi_ext.rdm.providers.DOIExtPIDProvider" in result.output
    assert app.config["DOI_EXT_DATACITE_URL"] in result.output


def test_bad_prefix_stops_start_up_naming_the_key(app_config):
    bad = {**app_config, "DATACITE_PREFIX": "10.12/x"}
    with pytest.raises(ConfigurationError, match="DATACITE_PREFIX"):
        create_api(**bad)


def test_legacy_keys_configure_an_app_with_a_warning(app_config):
    legacy = {k: v for k, v in app_config.items() if not k.startswith("DATACITE_")}
    legacy.update(
        RDM_RECORDS_DOI_DATACITE_ENABLED=True,
        RDM_RECORDS_DOI_DATACITE_USERNAME="LEGACY.USER",
        RDM_RECORDS_DOI_DATACITE_PASSWORD="legacy-password",
        RDM_RECORDS_DOI_DATACITE_PREFIX="10.5555",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        legacy_app = create_api(**legacy)
    assert legacy_app.config["DATACITE_ENABLED"] is True
    assert legacy_app.config["DATACITE_USERNAME"] == "LEGACY.USER"
    assert legacy_app.config["DATACITE_PREFIX"] == "10.5555"
    assert any(
        issubclass(w.category, LegacyConfigWarning) and "DATACITE_PREFIX" in str(w.message) for w in caught
    )


def test_disabled_extension_leaves_upstream_providers(app_config):
    off = {**app_config, "DOI_EXT_ENABLED": False}
    off_app = create_api(**off)
    providers = {p.name: p for p in off_app.config["RDM_PERSISTENT_IDENTIFIER_PROVIDERS"]}
    assert type(providers["datacite"]).__name__ == "DataCitePIDProvider"


def test_beat_entries_reach_an_already_built_celery_app_and_yield_to_the_operators(app):
    """The sweep and the monitoring tick are scheduled; an entry also reaches a built Celery app."""
    from invenio_doi_ext.celery_beat import add_beat_entry
    from invenio_doi_ext.ext import MONITORING_SCHEDULE_NAME, SWEEP_SCHEDULE_NAME

    assert {SWEEP_SCHEDULE_NAME, MONITORING_SCHEDULE_NAME} <= set(app.config["CELERY_BEAT_SCHEDULE"])
    celery = app.extensions["invenio-celery"].celery
    try:
        add_beat_entry(app, "operator-entry", {"task": "a", "schedule": 1.0})
        add_beat_entry(app, "operator-entry", {"task": "b", "schedule": 2.0})
        assert app.config["CELERY_BEAT_SCHEDULE"]["operator-entry"]["task"] == "a"
        assert celery.conf.beat_schedule["operator-entry"]["task"] == "a"
    finally:
        app.config["CELERY_BEAT_SCHEDULE"].pop("operator-entry")
        celery.conf.beat_schedule.pop("operator-entry", None)
