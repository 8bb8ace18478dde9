"""Start-up of a real InvenioRDM application: checks that stop it, and one form per value."""

from __future__ import annotations

import pytest
from invenio_app.factory import create_api

from invenio_doi_ext import settings
from invenio_doi_ext.lifecycle.client import current_gateway, reset_gateway
from invenio_doi_ext.lifecycle.store import timing
from invenio_doi_ext.settings import ConfigurationError


def test_prefix_with_six_digits_stops_start_up_naming_datacite_prefix(app_config):
    """10.123456 used to pass start-up and minting, then every DOI was silently unmanaged."""
    with pytest.raises(ConfigurationError) as info:
        create_api(**{**app_config, "DATACITE_PREFIX": "10.123456"})
    message = str(info.value)
    assert "DATACITE_PREFIX '10.123456'" in message
    assert "10, a dot, then four or five digits" in message


def test_mistyped_permission_policy_stops_start_up(app_config):
    """Without the check every DOI route answered 500."""
    policy = "invenio_doi_ext.services.permissions:DOIPermisionPolicy"
    with pytest.raises(ConfigurationError) as info:
        create_api(**{**app_config, "DOI_EXT_PERMISSION_POLICY": policy})
    assert f"DOI_EXT_PERMISSION_POLICY = {policy!r} cannot be imported" in str(info.value)


def test_single_number_timeout_works_for_the_gateway_and_the_lease(app_config):
    """``DOI_EXT_HTTP_TIMEOUT = 3`` (documented) is stored as (3.0, 3.0) for every reader."""
    app = create_api(**{**app_config, "DOI_EXT_HTTP_TIMEOUT": 3, "DOI_EXT_LEASE_SECONDS": None})
    assert app.config["DOI_EXT_HTTP_TIMEOUT"] == (3.0, 3.0)
    with app.app_context():
        reset_gateway()
        assert current_gateway().timeout == (3.0, 3.0)
        assert settings.lease_seconds() == 2 * (3.0 + 3.0) + 60.0
        assert timing.lease_seconds() == 2 * (3.0 + 3.0) + 60.0  # what the workers use today
        reset_gateway()


def test_sweep_interval_in_seconds_is_scheduled_as_a_timedelta(app_config):
    app = create_api(**{**app_config, "DOI_EXT_SWEEP_INTERVAL": 30})
    schedule = app.config["CELERY_BEAT_SCHEDULE"]
    assert schedule["invenio-doi-ext-sweep"]["schedule"].total_seconds() == 30
    assert schedule["invenio-doi-ext-curation-timeline"]["schedule"].total_seconds() == 30
