"""Several DataCite accounts in configuration: what start-up refuses, and in which words."""

from __future__ import annotations

from typing import Any

import pytest
from invenio_app.factory import create_api

from invenio_doi_ext import settings
from invenio_doi_ext.settings import ConfigurationError
from invenio_doi_ext.settings.startup import effective, validate

BASE = {
    "DATACITE_ENABLED": True,
    "DATACITE_USERNAME": "MAIN",
    "DATACITE_PASSWORD": "main-secret",
    "DATACITE_PREFIX": "10.1234",
}
B = {"username": "INST.B", "password": "b-secret", "prefix": "10.5678"}


def refused(**config: Any) -> str:
    with pytest.raises(ConfigurationError) as info:
        validate({**BASE, **config})
    return str(info.value)


def test_upstream_keys_alone_are_the_default_account():
    found = settings.configured_accounts(BASE)
    assert list(found) == ["default"]
    default = found["default"]
    assert (default.username, default.password, default.prefix) == ("MAIN", "main-secret", "10.1234")
    validate(BASE)


def test_a_named_account_with_only_the_required_entries_inherits_the_rest():
    config = {**BASE, "DATACITE_TEST_MODE": False, "DOI_EXT_DATACITE_ACCOUNTS": {"b": B}}
    validate(config)
    b = settings.get_account("b", config)
    assert b.prefixes == ("10.5678",) and b.doi_format == "{prefix}/{id}"
    assert b.test_mode is False  # follows DATACITE_TEST_MODE unless given
    assert settings.account_url(b, config) == "https://api.datacite.org/"
    assert settings.account_for_doi("10.5678/abc", config) == "b"
    assert settings.account_for_doi("10.1234/abc", config) == "default"


def test_missing_password_names_the_account_and_the_entry():
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "password": ""}})
    assert "DOI_EXT_DATACITE_ACCOUNTS['b'][\"password\"] is missing" in message
    assert "required: username, password and prefix" in message


def test_prefix_not_10_nnnn_is_refused():
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "prefix": "10.123456"}})
    assert "DOI_EXT_DATACITE_ACCOUNTS['b'][\"prefix\"] '10.123456'" in message
    assert '"10.NNNN"' in message
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "additional_prefixes": ["11.5555"]}})
    assert "[\"additional_prefixes\"] '11.5555'" in message


def test_duplicate_prefix_across_accounts_is_refused_naming_both():
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "additional_prefixes": ["10.1234"]}})
    assert "'10.1234' belongs to two accounts, 'default' and 'b'" in message
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": B, "c": {**B, "username": "C"}})
    assert "'10.5678' belongs to two accounts, 'b' and 'c'" in message


def test_unknown_account_in_the_community_mapping_is_refused():
    message = refused(DOI_EXT_DATACITE_ACCOUNTS={"b": B}, DOI_EXT_COMMUNITY_ACCOUNTS={"ocean": "bb"})
    assert "DOI_EXT_COMMUNITY_ACCOUNTS['ocean'] = 'bb' is not an account" in message
    assert "['default', 'b']" in message


def test_other_mistakes_name_the_key_and_the_fix():
    assert 'names an account "default"' in refused(DOI_EXT_DATACITE_ACCOUNTS={"default": B})
    assert "unknown entries ['prefixes']" in refused(
        DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "prefixes": ["10.5678"]}}
    )
    assert "is not a dict of accounts" in refused(DOI_EXT_DATACITE_ACCOUNTS=[B])
    assert "[\"format\"] '{prefix}/x' has no {id}" in refused(
        DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "format": "{prefix}/x"}}
    )
    assert "[\"url\"]" in refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "url": "ftp://x"}})
    assert "[\"rate_limit\"]" in refused(DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "rate_limit": "lots"}})
    assert "[\"test_mode\"] = 'no' is not True or False" in refused(
        DOI_EXT_DATACITE_ACCOUNTS={"b": {**B, "test_mode": "no"}}
    )
    assert "neither a dict nor callable" in refused(DOI_EXT_COMMUNITY_ACCOUNTS=42)


def test_effective_configuration_never_shows_an_accounts_password():
    shown = effective({**BASE, "DOI_EXT_DATACITE_ACCOUNTS": {"b": B}})
    assert shown["DOI_EXT_DATACITE_ACCOUNTS"]["b"]["password"] == "***"
    assert "b-secret" not in repr(shown) and "main-secret" not in repr(shown)
    assert shown["(effective) DataCite accounts"]["b"] == {
        "username": "INST.B",
        "prefixes": ["10.5678"],
        "url": "https://api.test.datacite.org/",
        "test_mode": True,
    }


def test_start_up_of_the_real_application_stops_on_an_unknown_account(app_config):
    with pytest.raises(ConfigurationError) as info:
        create_api(**{**app_config, "DOI_EXT_COMMUNITY_ACCOUNTS": {"ocean": "nobody"}})
    assert "DOI_EXT_COMMUNITY_ACCOUNTS['ocean'] = 'nobody'" in str(info.value)
