"""Every documented form of the file DOI keys is read as one value; wrong ones stop start-up."""

from __future__ import annotations

import pytest

from invenio_doi_ext import settings
from invenio_doi_ext.rdm.targets import is_tombstoned
from invenio_doi_ext.settings import ConfigurationError


def has_file_dois(record):
    """A callable DOI_EXT_FILE_DOIS."""
    return True


#: (key, configured value, accessor, canonical value)
ACCEPTED = [
    ("DOI_EXT_FILE_DOIS", False, settings.file_dois, False),
    ("DOI_EXT_FILE_DOIS", None, settings.file_dois, False),
    ("DOI_EXT_FILE_DOIS", True, settings.file_dois, True),
    (
        "DOI_EXT_FILE_DOIS",
        {"oceans": True, "deserts": False},
        settings.file_dois,
        {"oceans": True, "deserts": False},
    ),
    ("DOI_EXT_FILE_DOIS", has_file_dois, settings.file_dois, has_file_dois),
    (
        "DOI_EXT_FILE_DOIS",
        "invenio_doi_ext.rdm.targets:is_tombstoned",
        settings.file_dois,
        is_tombstoned,
    ),
    ("DOI_EXT_FILE_DOIS_FORMAT", "{prefix}/{id}", settings.file_doi_format, "{prefix}/{id}"),
    ("DOI_EXT_FILE_DOIS_FORMAT", "{prefix}/{recid}.{id}", settings.file_doi_format, "{prefix}/{recid}.{id}"),
    ("DOI_EXT_FILE_DOIS_MIN_SIZE", None, settings.file_doi_min_size, None),
    ("DOI_EXT_FILE_DOIS_MIN_SIZE", 1024, settings.file_doi_min_size, 1024),
    ("DOI_EXT_FILE_DOIS_MAX_SIZE", None, settings.file_doi_max_size, None),
    ("DOI_EXT_FILE_DOIS_MAX_SIZE", 10**10, settings.file_doi_max_size, 10**10),
    ("DOI_EXT_FILE_DOIS_TYPES", None, settings.file_doi_types, None),
    (
        "DOI_EXT_FILE_DOIS_TYPES",
        ["text/CSV", "image/*", ".NC"],
        settings.file_doi_types,
        ("text/csv", "image/*", ".nc"),
    ),
]


@pytest.mark.parametrize(
    ("key", "value", "accessor", "expected"), ACCEPTED, ids=[repr(c[:2]) for c in ACCEPTED]
)
def test_documented_form_is_read_as_one_value(key, value, accessor, expected):
    config = {"DATACITE_ENABLED": False, key: value}
    settings.validate(config)
    assert accessor(config) == expected


def test_the_feature_is_off_by_default():
    assert settings.file_dois({}) is False
    assert settings.file_dois_configured({}) is False
    assert settings.file_dois_configured({"DOI_EXT_FILE_DOIS": {"oceans": False}}) is False
    assert settings.file_dois_configured({"DOI_EXT_FILE_DOIS": has_file_dois}) is True


#: (key, configured value, words the message must contain besides the key)
REFUSED = [
    ("DOI_EXT_FILE_DOIS", "yes", "cannot be imported"),
    ("DOI_EXT_FILE_DOIS", 1, "neither True/False, a dict of communities, nor a callable"),
    ("DOI_EXT_FILE_DOIS", {"oceans": "yes"}, "True or False"),
    ("DOI_EXT_FILE_DOIS", {5: True}, "community slugs or ids"),
    ("DOI_EXT_FILE_DOIS_FORMAT", "{prefix}/{recid}", "contain {id}"),
    ("DOI_EXT_FILE_DOIS_FORMAT", "10.1234/{id}", "start with {prefix}/"),
    ("DOI_EXT_FILE_DOIS_FORMAT", "{prefix}/{record_doi}/f.{n}", "not a placeholder of file DOIs"),
    ("DOI_EXT_FILE_DOIS_FORMAT", 5, "not a string"),
    ("DOI_EXT_FILE_DOIS_MIN_SIZE", -1, "whole number"),
    ("DOI_EXT_FILE_DOIS_MAX_SIZE", "1 GB", "whole number"),
    ("DOI_EXT_FILE_DOIS_TYPES", "text/csv", "non-empty list"),
    ("DOI_EXT_FILE_DOIS_TYPES", [], "non-empty list"),
    ("DOI_EXT_FILE_DOIS_TYPES", ["csv"], "neither a MIME type"),
]


@pytest.mark.parametrize(("key", "value", "fix"), REFUSED, ids=[repr(c[:2]) for c in REFUSED])
def test_wrong_form_stops_start_up_naming_the_key_and_the_fix(key, value, fix):
    with pytest.raises(ConfigurationError) as info:
        settings.validate({"DATACITE_ENABLED": False, key: value})
    assert key in str(info.value)
    assert fix in str(info.value)


def test_a_maximum_below_the_minimum_stops_start_up():
    with pytest.raises(ConfigurationError) as info:
        settings.validate(
            {"DATACITE_ENABLED": False, "DOI_EXT_FILE_DOIS_MIN_SIZE": 10, "DOI_EXT_FILE_DOIS_MAX_SIZE": 5}
        )
    assert "DOI_EXT_FILE_DOIS_MAX_SIZE = 5 is below DOI_EXT_FILE_DOIS_MIN_SIZE = 10" in str(info.value)
