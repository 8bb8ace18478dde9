"""Every configuration key of this package, read, resolved and checked in one place.

Defaults live only in :mod:`invenio_doi_ext.config` (and upstream's ``DATACITE_*``
defaults in invenio-rdm-records); every other module reads a key through an accessor
here (``settings.http_timeout()``, ``settings.backoff()``, ...), which turns each
documented form of the value into one canonical value. The start-up check
(:func:`validate`, run from the extension's ``init_app``) calls every accessor, so a
value that cannot work stops the application with a message naming the key and the
fix, instead of a 500 or a failed registration weeks later.

- :mod:`.access`: the accessors;
- :mod:`.account`: upstream's ``DATACITE_*`` keys, their legacy names, the account checks;
- :mod:`.accounts`: several DataCite accounts, which prefix belongs to which;
- :mod:`.forms`: the forms a value may take (numbers, durations, pairs, import paths);
- :mod:`.startup`: defaults, :func:`validate`, :func:`resolve`, :func:`effective`;
- :mod:`.files`: file-level DOIs (``DOI_EXT_FILE_DOIS`` and its limits);
- :mod:`.masking`: secrets and passwords in URLs, never shown.
"""

from .access import (
    PRODUCTION_API_URL,
    PRODUCTION_RATE_LIMIT,
    RESTRICTED_POLICIES,
    TEST_API_URL,
    TEST_RATE_LIMIT,
    Backoff,
    Breaker,
    backoff,
    circuit_breaker,
    coalesce_seconds,
    community_filters,
    contact_email,
    curation_required,
    curator_role,
    datacite_enabled,
    datacite_format,
    datacite_password,
    datacite_prefix,
    datacite_test_mode,
    datacite_url,
    datacite_username,
    doi_filter,
    enabled,
    health_max_lag,
    http_timeout,
    job_ttl,
    landing_url_template,
    lease_seconds,
    metrics_token,
    notify_enabled,
    notify_interval,
    notify_role,
    permission_policy,
    rate_limit,
    rate_limit_storage,
    raw,
    redacted_metadata,
    reserve_on_draft,
    restricted_policy,
    sweep_batch,
    sweep_interval,
    task_queue,
)
from .account import (
    LEGACY_KEYS,
    SECRET_KEYS,
    UPSTREAM_KEYS,
    LegacyConfigWarning,
    apply_legacy_keys,
    format_doi,
)
from .accounts import (
    DEFAULT_ACCOUNT,
    Account,
    account_for_doi,
    account_names,
    account_url,
    all_prefixes,
    community_accounts,
    configured_accounts,
    get_account,
)
from .files import (
    file_doi_format,
    file_doi_max_size,
    file_doi_min_size,
    file_doi_types,
    file_dois,
    file_dois_configured,
)
from .forms import ConfigurationError
from .masking import mask, mask_url
from .startup import effective, resolve, set_defaults, validate

__all__ = (
    "DEFAULT_ACCOUNT",
    "Account",
    "account_for_doi",
    "account_names",
    "account_url",
    "configured_accounts",
    "all_prefixes",
    "community_accounts",
    "get_account",
    "LEGACY_KEYS",
    "PRODUCTION_API_URL",
    "PRODUCTION_RATE_LIMIT",
    "RESTRICTED_POLICIES",
    "SECRET_KEYS",
    "TEST_API_URL",
    "TEST_RATE_LIMIT",
    "UPSTREAM_KEYS",
    "Backoff",
    "Breaker",
    "ConfigurationError",
    "LegacyConfigWarning",
    "apply_legacy_keys",
    "backoff",
    "circuit_breaker",
    "coalesce_seconds",
    "community_filters",
    "contact_email",
    "curation_required",
    "curator_role",
    "datacite_enabled",
    "datacite_format",
    "datacite_password",
    "datacite_prefix",
    "datacite_test_mode",
    "datacite_url",
    "datacite_username",
    "doi_filter",
    "effective",
    "enabled",
    "file_doi_format",
    "file_doi_max_size",
    "file_doi_min_size",
    "file_doi_types",
    "file_dois",
    "file_dois_configured",
    "format_doi",
    "health_max_lag",
    "http_timeout",
    "job_ttl",
    "landing_url_template",
    "lease_seconds",
    "mask",
    "mask_url",
    "metrics_token",
    "notify_enabled",
    "notify_interval",
    "notify_role",
    "permission_policy",
    "rate_limit",
    "rate_limit_storage",
    "raw",
    "redacted_metadata",
    "reserve_on_draft",
    "resolve",
    "restricted_policy",
    "set_defaults",
    "sweep_batch",
    "sweep_interval",
    "task_queue",
    "validate",
)
