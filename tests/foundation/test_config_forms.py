"""Every documented form of every key (docs/configuration.rst) works, and wrong ones stop start-up.

Each accepted form is read through its settings accessor and gives the canonical
value; each refused form makes ``settings.validate`` raise a ConfigurationError
naming the key and saying what to write instead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from invenio_doi_ext import settings
from invenio_doi_ext.rdm import filters
from invenio_doi_ext.services.permissions import DOIPermissionPolicy
from invenio_doi_ext.settings import Backoff, Breaker, ConfigurationError


def curated(record):
    """A callable DOI_EXT_CURATION_REQUIRED."""
    return True


#: (key, configured value, accessor, canonical value)
ACCEPTED = [
    ("DOI_EXT_ENABLED", True, settings.enabled, True),
    ("DOI_EXT_ENABLED", False, settings.enabled, False),
    ("DOI_EXT_DATACITE_URL", None, settings.datacite_url, settings.TEST_API_URL),
    ("DOI_EXT_DATACITE_URL", "http://127.0.0.1:9", settings.datacite_url, "http://127.0.0.1:9/"),
    ("DOI_EXT_DATACITE_URL", "https://proxy.example.org/datacite/", settings.datacite_url,
     "https://proxy.example.org/datacite/"),
    ("DOI_EXT_RESTRICTED_POLICY", "redacted", settings.restricted_policy, "redacted"),
    ("DOI_EXT_RESTRICTED_POLICY", "none", settings.restricted_policy, "none"),
    ("DOI_EXT_REDACTED_METADATA", {"titles": [{"title": "Hidden"}]}, settings.redacted_metadata,
     {"titles": [{"title": "Hidden"}]}),
    ("DOI_EXT_RESERVE_ON_DRAFT", False, settings.reserve_on_draft, False),
    ("DOI_EXT_RATE_LIMIT", None, settings.rate_limit, "700 per 5 minutes"),
    ("DOI_EXT_RATE_LIMIT", "10 per second", settings.rate_limit, "10 per second"),
    ("DOI_EXT_RATE_LIMIT_STORAGE", None, settings.rate_limit_storage, "memory://"),
    ("DOI_EXT_RATE_LIMIT_STORAGE", "redis://localhost:6379/0", settings.rate_limit_storage,
     "redis://localhost:6379/0"),
    ("DOI_EXT_HTTP_TIMEOUT", (5.0, 30.0), settings.http_timeout, (5.0, 30.0)),
    ("DOI_EXT_HTTP_TIMEOUT", [2, 7], settings.http_timeout, (2.0, 7.0)),
    ("DOI_EXT_HTTP_TIMEOUT", 3, settings.http_timeout, (3.0, 3.0)),
    ("DOI_EXT_HTTP_TIMEOUT", 2.5, settings.http_timeout, (2.5, 2.5)),
    ("DOI_EXT_HTTP_TIMEOUT", "5, 30", settings.http_timeout, (5.0, 30.0)),
    ("DOI_EXT_BACKOFF", (30.0, 3600.0), settings.backoff, Backoff(30.0, 3600.0)),
    ("DOI_EXT_BACKOFF", [1, 10], settings.backoff, Backoff(1.0, 10.0)),
    ("DOI_EXT_CIRCUIT_BREAKER", {"failures": 3, "pause": 120}, settings.circuit_breaker, Breaker(3, 120.0)),
    ("DOI_EXT_CIRCUIT_BREAKER", {"failures": 8}, settings.circuit_breaker, Breaker(8, 300.0)),
    ("DOI_EXT_CIRCUIT_BREAKER", {"pause": timedelta(minutes=2)}, settings.circuit_breaker, Breaker(5, 120.0)),
    ("DOI_EXT_LEASE_SECONDS", None, settings.lease_seconds, 2 * (5.0 + 30.0) + 60.0),
    ("DOI_EXT_LEASE_SECONDS", 120, settings.lease_seconds, 120.0),
    ("DOI_EXT_LEASE_SECONDS", timedelta(minutes=3), settings.lease_seconds, 180.0),
    ("DOI_EXT_SWEEP_INTERVAL", timedelta(seconds=60), settings.sweep_interval, timedelta(seconds=60)),
    ("DOI_EXT_SWEEP_INTERVAL", 2.0, settings.sweep_interval, timedelta(seconds=2)),
    ("DOI_EXT_SWEEP_BATCH", 50, settings.sweep_batch, 50),
    ("DOI_EXT_COALESCE_SECONDS", 5.0, settings.coalesce_seconds, 5.0),
    ("DOI_EXT_COALESCE_SECONDS", 0, settings.coalesce_seconds, 0.0),
    ("DOI_EXT_COALESCE_SECONDS", timedelta(seconds=3), settings.coalesce_seconds, 3.0),
    ("DOI_EXT_LANDING_URL", "{site}/doi/{doi}", settings.landing_url_template, "{site}/doi/{doi}"),
    ("DOI_EXT_LANDING_URL", "https://doi.example.org/{doi}", settings.landing_url_template,
     "https://doi.example.org/{doi}"),
    ("DOI_EXT_CONTACT_EMAIL", None, settings.contact_email, None),
    ("DOI_EXT_CONTACT_EMAIL", "repository@example.org", settings.contact_email, "repository@example.org"),
    ("DOI_EXT_TASK_QUEUE", None, settings.task_queue, None),
    ("DOI_EXT_TASK_QUEUE", "doi", settings.task_queue, "doi"),
    ("DOI_EXT_JOB_TTL", timedelta(days=1), settings.job_ttl, timedelta(days=1)),
    ("DOI_EXT_JOB_TTL", 3600, settings.job_ttl, timedelta(hours=1)),
    ("DOI_EXT_PERMISSION_POLICY", "invenio_doi_ext.services.permissions:DOIPermissionPolicy",
     settings.permission_policy, DOIPermissionPolicy),
    # the default before services/ existed keeps importing
    ("DOI_EXT_PERMISSION_POLICY", "invenio_doi_ext.resources.permissions:DOIPermissionPolicy",
     settings.permission_policy, DOIPermissionPolicy),
    ("DOI_EXT_PERMISSION_POLICY", DOIPermissionPolicy, settings.permission_policy, DOIPermissionPolicy),
    ("DOI_EXT_CURATION_REQUIRED", False, settings.curation_required, False),
    ("DOI_EXT_CURATION_REQUIRED", True, settings.curation_required, True),
    ("DOI_EXT_CURATION_REQUIRED", curated, settings.curation_required, curated),
    ("DOI_EXT_CURATION_REQUIRED", f"{__name__}:curated", settings.curation_required, curated),
    ("DOI_EXT_CURATOR_ROLE", "doi-curators", settings.curator_role, "doi-curators"),
    ("DOI_EXT_FILTER", None, settings.doi_filter, None),
    ("DOI_EXT_FILTER", filters.never, settings.doi_filter, filters.never),
    ("DOI_EXT_FILTER", "invenio_doi_ext.rdm.filters:never", settings.doi_filter,
     "invenio_doi_ext.rdm.filters:never"),
    ("DOI_EXT_COMMUNITY_FILTERS", {"ocean": filters.never}, settings.community_filters,
     {"ocean": filters.never}),
]


@pytest.mark.parametrize(
    ("key", "value", "accessor", "expected"),
    ACCEPTED,
    ids=[f"{case[0]}={case[1]!r}" for case in ACCEPTED],
)
def test_documented_form_is_read_as_one_value(key, value, accessor, expected):
    config = {key: value}
    settings.validate(config)
    assert accessor(config) == expected


PERMISSIONS = "invenio_doi_ext.services.permissions"

#: (key, configured value, words the message must contain besides the key)
REFUSED = [
    ("DOI_EXT_ENABLED", "False", "True or False"),
    ("DOI_EXT_DATACITE_URL", "127.0.0.1:8899", "http(s) URL"),
    ("DOI_EXT_RESTRICTED_POLICY", "hide", '"redacted" or "none"'),
    ("DOI_EXT_REDACTED_METADATA", {}, "non-empty dict"),
    ("DOI_EXT_RESERVE_ON_DRAFT", 1, "True or False"),
    ("DOI_EXT_RATE_LIMIT", "lots", '"700 per 5 minutes"'),
    ("DOI_EXT_RATE_LIMIT", "0 per second", '"700 per 5 minutes"'),
    ("DOI_EXT_RATE_LIMIT_STORAGE", "localhost:6379", '"redis://localhost:6379/0"'),
    ("DOI_EXT_RATE_LIMIT_STORAGE", "async+redis://localhost:6379", '"memory://"'),
    ("DOI_EXT_HTTP_TIMEOUT", (5,), "(connect, read)"),
    ("DOI_EXT_HTTP_TIMEOUT", (5, 30, 60), "(connect, read)"),
    ("DOI_EXT_HTTP_TIMEOUT", (0, 30), "above 0"),
    ("DOI_EXT_HTTP_TIMEOUT", -1, "above 0"),
    ("DOI_EXT_HTTP_TIMEOUT", "fast", "(connect, read)"),
    ("DOI_EXT_HTTP_TIMEOUT", True, "(connect, read)"),
    ("DOI_EXT_BACKOFF", 30, "pair (base, cap)"),
    ("DOI_EXT_BACKOFF", (3600, 30), "cap below its base"),
    ("DOI_EXT_CIRCUIT_BREAKER", {"failures": 0}, "at least 1"),
    ("DOI_EXT_CIRCUIT_BREAKER", {"pauses": 10}, '"failures" and "pause"'),
    ("DOI_EXT_CIRCUIT_BREAKER", 5, "not a dict"),
    ("DOI_EXT_LEASE_SECONDS", 0, "above 0"),
    ("DOI_EXT_LEASE_SECONDS", "2m", "seconds or a timedelta"),
    ("DOI_EXT_SWEEP_INTERVAL", 0, "above 0"),
    ("DOI_EXT_SWEEP_INTERVAL", "1 minute", "seconds or a timedelta"),
    ("DOI_EXT_SWEEP_BATCH", 0, "at least 1"),
    ("DOI_EXT_SWEEP_BATCH", 2.5, "whole number"),
    ("DOI_EXT_COALESCE_SECONDS", -1, "at least 0"),
    ("DOI_EXT_COALESCE_SECONDS", "5", "seconds or a timedelta"),
    ("DOI_EXT_LANDING_URL", "{site}/records", "{doi}"),
    ("DOI_EXT_LANDING_URL", "{site}/{lang}/{doi}", "only {site} and {doi}"),
    ("DOI_EXT_CONTACT_EMAIL", "nobody", "e-mail address"),
    ("DOI_EXT_TASK_QUEUE", 5, "not a string"),
    ("DOI_EXT_JOB_TTL", 0, "above 0"),
    ("DOI_EXT_PERMISSION_POLICY", f"{PERMISSIONS}:DOIPermisionPolicy", "cannot be imported"),
    ("DOI_EXT_PERMISSION_POLICY", f"{PERMISSIONS}:owning_record", "subclass of"),
    ("DOI_EXT_PERMISSION_POLICY", {"read": "everyone"}, "subclass of"),
    ("DOI_EXT_CURATION_REQUIRED", "yes", "cannot be imported"),
    ("DOI_EXT_CURATION_REQUIRED", 1, "True/False nor a callable"),
    ("DOI_EXT_CURATOR_ROLE", 5, "not a string"),
    ("DOI_EXT_FILTER", "invenio_doi_ext.rdm.filters:nevr", "cannot be imported"),
    ("DOI_EXT_FILTER", 5, "not callable"),
    ("DOI_EXT_COMMUNITY_FILTERS", [filters.never], "not a dict"),
    ("DOI_EXT_COMMUNITY_FILTERS", {"ocean": "no.such.module:f"}, "DOI_EXT_COMMUNITY_FILTERS['ocean']"),
]


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    REFUSED,
    ids=[f"{case[0]}={case[1]!r}" for case in REFUSED],
)
def test_wrong_form_stops_start_up_naming_the_key_and_the_fix(key, value, fix):
    with pytest.raises(ConfigurationError) as info:
        settings.validate({"DATACITE_ENABLED": False, key: value})
    message = str(info.value)
    assert key in message
    assert fix in message


def test_resolve_stores_one_form_of_each_value():
    config = {
        "DOI_EXT_HTTP_TIMEOUT": 3,
        "DOI_EXT_BACKOFF": [1, 10],
        "DOI_EXT_CIRCUIT_BREAKER": {"failures": 2},
        "DOI_EXT_SWEEP_INTERVAL": 30,
        "DOI_EXT_COALESCE_SECONDS": timedelta(seconds=2),
        "DOI_EXT_JOB_TTL": 60,
    }
    settings.validate(config)
    settings.resolve(config)
    assert config == {
        "DOI_EXT_HTTP_TIMEOUT": (3.0, 3.0),
        "DOI_EXT_BACKOFF": (1.0, 10.0),
        "DOI_EXT_CIRCUIT_BREAKER": {"failures": 2, "pause": 300.0},
        "DOI_EXT_SWEEP_INTERVAL": timedelta(seconds=30),
        "DOI_EXT_COALESCE_SECONDS": 2.0,
        "DOI_EXT_JOB_TTL": timedelta(seconds=60),
    }


def test_unset_keys_read_config_py_defaults_not_inline_fallbacks():
    from invenio_doi_ext import config as ext_config

    assert settings.coalesce_seconds({}) == ext_config.DOI_EXT_COALESCE_SECONDS == 5.0
    assert settings.http_timeout({}) == ext_config.DOI_EXT_HTTP_TIMEOUT
    assert tuple(settings.backoff({})) == ext_config.DOI_EXT_BACKOFF
    assert settings.circuit_breaker({})._asdict() == ext_config.DOI_EXT_CIRCUIT_BREAKER
    assert settings.sweep_interval({}) == ext_config.DOI_EXT_SWEEP_INTERVAL
    assert settings.sweep_batch({}) == ext_config.DOI_EXT_SWEEP_BATCH
    assert settings.job_ttl({}) == ext_config.DOI_EXT_JOB_TTL


def test_lease_follows_a_single_number_timeout():
    assert settings.lease_seconds({"DOI_EXT_HTTP_TIMEOUT": 3}) == 2 * (3 + 3) + 60.0
