"""Start-up checks and legacy keys, on the configuration alone (no app needed)."""

from __future__ import annotations

import pytest

from invenio_doi_ext import settings
from invenio_doi_ext.settings import ConfigurationError, LegacyConfigWarning

ENABLED = {
    "DATACITE_ENABLED": True,
    "DATACITE_USERNAME": "REPO.TEST",
    "DATACITE_PASSWORD": "secret-password",
    "DATACITE_PREFIX": "10.1234",
    "DATACITE_FORMAT": "{prefix}/{id}",
    "DOI_EXT_RESTRICTED_POLICY": "redacted",
    "DOI_EXT_LANDING_URL": "{site}/doi/{doi}",
}


def config(**overrides):
    return {**ENABLED, **overrides}


def test_valid_configuration_passes():
    settings.validate(config())


def test_disabled_datacite_is_not_checked():
    settings.validate({"DATACITE_ENABLED": False, "DATACITE_PREFIX": "nonsense"})


@pytest.mark.parametrize(
    ("overrides", "key", "fix"),
    [
        ({"DATACITE_PREFIX": ""}, "DATACITE_PREFIX", "10.NNNN"),
        ({"DATACITE_PREFIX": "10.12"}, "DATACITE_PREFIX", '"10.1234"'),
        ({"DATACITE_PREFIX": "10.1234/"}, "DATACITE_PREFIX", "no slash"),
        ({"DATACITE_PREFIX": "11.1234"}, "DATACITE_PREFIX", "10, a dot"),
        ({"DATACITE_USERNAME": ""}, "DATACITE_USERNAME", "repository account"),
        ({"DATACITE_FORMAT": "{prefix}/fixed"}, "DATACITE_FORMAT", "{id}"),
        ({"DATACITE_FORMAT": "{prefix}/{id}/{year}"}, "DATACITE_FORMAT", "placeholders"),
        ({"DATACITE_FORMAT": "{prefix}/{id} copy"}, "DATACITE_FORMAT", "not a valid DOI"),
        ({"DATACITE_FORMAT": "10.9999/{id}"}, "DATACITE_FORMAT", "Start the format"),
        ({"DATACITE_FORMAT": 42}, "DATACITE_FORMAT", "callable"),
        ({"DOI_EXT_RESTRICTED_POLICY": "hide"}, "DOI_EXT_RESTRICTED_POLICY", '"redacted"'),
        ({"DOI_EXT_LANDING_URL": "{site}/records"}, "DOI_EXT_LANDING_URL", "{doi}"),
    ],
)
def test_start_up_errors_name_the_key_and_the_fix(overrides, key, fix):
    with pytest.raises(ConfigurationError) as info:
        settings.validate(config(**overrides))
    assert key in str(info.value)
    assert fix in str(info.value)


def test_callable_format_is_called_not_stringified():
    def make_doi(prefix, record):
        return f"{prefix}/repo.{record.pid.pid_value}"

    settings.validate(config(DATACITE_FORMAT=make_doi))


def test_callable_format_producing_a_foreign_prefix_is_refused():
    with pytest.raises(ConfigurationError, match="DATACITE_FORMAT"):
        settings.validate(config(DATACITE_FORMAT=lambda prefix, record: "10.9999/x"))


def test_legacy_keys_fill_unset_new_keys_with_a_warning():
    conf = {
        "RDM_RECORDS_DOI_DATACITE_ENABLED": True,
        "RDM_RECORDS_DOI_DATACITE_USERNAME": "OLD.USER",
        "RDM_RECORDS_DOI_DATACITE_PASSWORD": "old-password",
        "RDM_RECORDS_DOI_DATACITE_PREFIX": "10.5555",
        "RDM_RECORDS_DOI_DATACITE_TEST_MODE": False,
        "RDM_RECORDS_DOI_DATACITE_FORMAT": "{prefix}/old.{id}",
        # upstream's defaults are in place, as in a real app: they count as "not set"
        "DATACITE_ENABLED": False,
        "DATACITE_PREFIX": "",
        "DATACITE_TEST_MODE": True,
    }
    with pytest.warns(LegacyConfigWarning) as warned:
        used = settings.apply_legacy_keys(conf)
    assert len(used) == 6
    assert conf["DATACITE_ENABLED"] is True
    assert conf["DATACITE_USERNAME"] == "OLD.USER"
    assert conf["DATACITE_PREFIX"] == "10.5555"
    assert conf["DATACITE_TEST_MODE"] is False
    assert conf["DATACITE_FORMAT"] == "{prefix}/old.{id}"
    messages = " ".join(str(w.message) for w in warned)
    assert "rename it to DATACITE_PREFIX" in messages


def test_new_key_set_by_the_operator_wins_over_legacy():
    conf = {"RDM_RECORDS_DOI_DATACITE_PREFIX": "10.5555", "DATACITE_PREFIX": "10.7777"}
    assert settings.apply_legacy_keys(conf) == []
    assert conf["DATACITE_PREFIX"] == "10.7777"


def test_effective_configuration_masks_secrets():
    conf = config(DOI_EXT_RATE_LIMIT_STORAGE="redis://:hunter2@localhost:6379/0")
    settings.set_defaults(conf)
    shown = settings.effective(conf)
    text = repr(shown)
    assert "secret-password" not in text
    assert "hunter2" not in text
    assert shown["DATACITE_PASSWORD"] == "***"
    assert shown["(effective) DataCite API URL"] == settings.TEST_API_URL


@pytest.mark.parametrize(
    ("overrides", "url", "limit"),
    [
        ({}, "https://api.test.datacite.org/", "700 per 5 minutes"),
        ({"DATACITE_TEST_MODE": False}, "https://api.datacite.org/", "2700 per 5 minutes"),
        ({"DOI_EXT_DATACITE_URL": "http://127.0.0.1:9"}, "http://127.0.0.1:9/", "700 per 5 minutes"),
        ({"DOI_EXT_RATE_LIMIT": "10 per second"}, "https://api.test.datacite.org/", "10 per second"),
    ],
)
def test_derived_url_and_rate_limit(overrides, url, limit):
    conf = config(**overrides)
    assert settings.datacite_url(conf) == url
    assert settings.rate_limit(conf) == limit


@pytest.mark.parametrize("prefix", ["10.123456", "10.1234567", "10.123456789"])
def test_prefix_datacite_cannot_mint_under_stops_start_up(prefix):
    """Lupo's DOI check allows four or five digits; minting under more would fail at DataCite."""
    with pytest.raises(ConfigurationError) as info:
        settings.validate(config(DATACITE_PREFIX=prefix, DATACITE_FORMAT="{prefix}/{id}"))
    message = str(info.value)
    assert message.startswith(f"DATACITE_PREFIX {prefix!r}")
    assert "four or five digits" in message


def test_five_digit_prefix_is_accepted():
    settings.validate(config(DATACITE_PREFIX="10.12345"))


@pytest.mark.parametrize(
    ("additional", "fix"),
    [(["10.5555", "10.123456"], "four or five digits"), ("10.5555", "not a list")],
)
def test_additional_prefixes_are_checked_like_the_prefix(additional, fix):
    with pytest.raises(ConfigurationError) as info:
        settings.validate(config(DATACITE_ADDITIONAL_PREFIXES=additional))
    assert "DATACITE_ADDITIONAL_PREFIXES" in str(info.value)
    assert fix in str(info.value)


def test_mistyped_permission_policy_stops_start_up_even_without_datacite():
    with pytest.raises(ConfigurationError) as info:
        settings.validate(
            {"DATACITE_ENABLED": False, "DOI_EXT_PERMISSION_POLICY": "invenio_doi_ext.resources.permission:X"}
        )
    assert "DOI_EXT_PERMISSION_POLICY" in str(info.value)
    assert "invenio_doi_ext.services.permissions:DOIPermissionPolicy" in str(info.value)


def test_effective_configuration_masks_credentials_in_the_datacite_url():
    conf = config(DOI_EXT_DATACITE_URL="https://user:hunter2@proxy.example.org/datacite")
    settings.set_defaults(conf)
    shown = settings.effective(conf)
    assert "hunter2" not in repr(shown)
    assert shown["DOI_EXT_DATACITE_URL"] == "https://user:***@proxy.example.org/datacite"
    assert shown["(effective) DataCite API URL"] == "https://user:***@proxy.example.org/datacite/"


def test_a_refused_datacite_url_is_not_echoed_with_its_password():
    for url in ("ftp://user:hunter2@proxy/", "https://user:hunt/er2@proxy/"):
        with pytest.raises(ConfigurationError, match="DOI_EXT_DATACITE_URL") as info:
            settings.validate(config(DOI_EXT_DATACITE_URL=url))
        assert "hunter2" not in str(info.value) and "hunt" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:secret@proxy/x", "https://user:***@proxy/x"),
        ("https://user:p@ss@proxy/x?to=a@b", "https://user:***@proxy/x?to=a@b"),
        ("redis://:secret@localhost:6379/0", "redis://:***@localhost:6379/0"),
        ("https://token-only@proxy/", "https://***@proxy/"),
        ("https://proxy/path@with-at", "https://proxy/path@with-at"),
        ("PUT https://u:secret@proxy/dois/10.1234/x failed", "PUT https://u:***@proxy/dois/10.1234/x failed"),
        ("memory://", "memory://"),
    ],
)
def test_mask_url_hides_passwords_wherever_a_url_appears(text, shown):
    assert settings.mask_url(text) == shown
