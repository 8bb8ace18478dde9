"""The test run's warning filters hide upstream's deprecations, never this package's own."""

from __future__ import annotations

import warnings

import pytest

from invenio_doi_ext.settings import LegacyConfigWarning


def test_legacy_config_warning_is_not_hidden_by_the_filters():
    """pyproject.toml ignores DeprecationWarning, of which LegacyConfigWarning is a kind."""
    with pytest.raises(LegacyConfigWarning, match="rename it"):
        warnings.warn("RDM_RECORDS_DOI_DATACITE_PREFIX: rename it", LegacyConfigWarning, stacklevel=1)


def test_upstream_deprecations_stay_hidden():
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("an upstream package's deprecation", DeprecationWarning, stacklevel=1)
    assert caught == []
