"""Several DataCite repository accounts: ``DOI_EXT_DATACITE_ACCOUNTS`` and who mints with which.

A shared instance serves several institutions, each with its own DataCite
repository account and prefix. The upstream ``DATACITE_*`` keys stay the account
named ``"default"``; ``DOI_EXT_DATACITE_ACCOUNTS`` adds named ones, and
``DOI_EXT_COMMUNITY_ACCOUNTS`` says which community mints with which. A prefix
belongs to exactly one account (checked at start-up), so every DOI under one of
our prefixes has one account that may write it at DataCite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from .. import config as ext_config
from .. import doi_syntax
from . import account as upstream
from . import forms
from .access import (
    PRODUCTION_API_URL,
    TEST_API_URL,
    datacite_format,
    datacite_password,
    datacite_prefix,
    datacite_test_mode,
    datacite_url,
    datacite_username,
    rate_limit,
)
from .forms import ConfigurationError

DEFAULT_ACCOUNT = "default"
"""The account of the upstream ``DATACITE_*`` keys."""

ACCOUNTS_KEY = "DOI_EXT_DATACITE_ACCOUNTS"
COMMUNITY_KEY = "DOI_EXT_COMMUNITY_ACCOUNTS"

_REQUIRED = ("username", "password", "prefix")
_OPTIONAL = ("additional_prefixes", "format", "test_mode", "url", "rate_limit")
_EXAMPLE = '{"b": {"username": "INST.B", "password": "...", "prefix": "10.5678"}}'


@dataclass(frozen=True)
class Account:
    """One DataCite repository account: who calls DataCite, under which prefixes."""

    name: str
    username: str
    password: str = field(repr=False)
    prefix: str
    additional_prefixes: tuple[str, ...] = ()
    doi_format: str | Callable[..., str] = "{prefix}/{id}"
    test_mode: bool = True
    url: str | None = None
    """The API base URL as configured (``None``: ``DOI_EXT_DATACITE_URL``, else by test mode)."""
    rate_limit: str | None = None
    """A limit of this account's own, on top of the instance's shared one (``None``: none)."""

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every prefix the account writes under, its main prefix first."""
        return tuple(p for p in (self.prefix, *self.additional_prefixes) if p)

    def owns(self, doi: str) -> bool:
        """Whether the DOI's prefix is one of this account's."""
        return doi_syntax.prefix_of(doi) in {p.lower() for p in self.prefixes}


def _config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return current_app.config if config is None else config


def _default_account(conf: Mapping[str, Any]) -> Account:
    """The ``DATACITE_*`` keys, read through their accessors, as the account ``default``."""
    return Account(
        name=DEFAULT_ACCOUNT,
        username=datacite_username(conf),
        password=datacite_password(conf),
        prefix=datacite_prefix(conf),
        additional_prefixes=tuple(str(p) for p in upstream.additional_prefixes(conf)),
        doi_format=datacite_format(conf),
        test_mode=datacite_test_mode(conf),
        url=None,
    )


def _named_account(name: Any, given: Any, conf: Mapping[str, Any]) -> Account:
    key = f"{ACCOUNTS_KEY}[{name!r}]"
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ConfigurationError(
            f"{ACCOUNTS_KEY} has the account name {name!r}: names are non-empty strings of at "
            f"most 64 characters, e.g. {_EXAMPLE}."
        )
    if name == DEFAULT_ACCOUNT:
        raise ConfigurationError(
            f'{ACCOUNTS_KEY} names an account "default": that name is the account of the '
            "upstream DATACITE_* keys. Set those keys for it, or choose another name."
        )
    if not isinstance(given, Mapping):
        raise ConfigurationError(f"{key} = {given!r} is not a dict: write for example {_EXAMPLE}.")
    unknown = sorted(set(given) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ConfigurationError(
            f"{key} has unknown entries {unknown}: only {', '.join(_REQUIRED + _OPTIONAL)}."
        )
    for required in _REQUIRED:
        if not given.get(required):
            what = "the account's password" if required == "password" else f"a {required}"
            raise ConfigurationError(
                f'{key}["{required}"] is missing or empty: give {what} (required: username, '
                f"password and prefix), e.g. {_EXAMPLE}."
            )
    additional = given.get("additional_prefixes") or []
    if not isinstance(additional, (list, tuple)):
        raise ConfigurationError(
            f'{key}["additional_prefixes"] = {additional!r} is not a list: write for example ["10.5555"].'
        )
    if "test_mode" in given:
        test_mode = forms.flag(f'{key}["test_mode"]', given["test_mode"])
    else:
        test_mode = datacite_test_mode(conf)
    return Account(
        name=name,
        username=str(given["username"]),
        password=str(given["password"]),
        prefix=str(given["prefix"]),
        additional_prefixes=tuple(str(p) for p in additional),
        doi_format=given.get("format") or "{prefix}/{id}",
        test_mode=test_mode,
        url=given.get("url") or None,
        rate_limit=given.get("rate_limit") or None,
    )


def configured_accounts(config: Mapping[str, Any] | None = None) -> dict[str, Account]:
    """Every account by name, ``"default"`` (the ``DATACITE_*`` keys) first."""
    conf = _config(config)
    configured = conf.get(ACCOUNTS_KEY, ext_config.DOI_EXT_DATACITE_ACCOUNTS) or {}
    if not isinstance(configured, Mapping):
        raise ConfigurationError(
            f"{ACCOUNTS_KEY} = {configured!r} is not a dict of accounts: write for example {_EXAMPLE}, "
            "or {} for the DATACITE_* account only."
        )
    found = {DEFAULT_ACCOUNT: _default_account(conf)}
    for name, given in configured.items():
        found[name] = _named_account(name, given, conf)
    return found


def account_names(config: Mapping[str, Any] | None = None) -> list[str]:
    """Names of the configured accounts, ``"default"`` first."""
    return list(configured_accounts(config))


def get_account(name: str | None, config: Mapping[str, Any] | None = None) -> Account:
    """The account of that name; an unknown name says which exist."""
    found = configured_accounts(config)
    chosen = found.get(name or DEFAULT_ACCOUNT)
    if chosen is None:
        raise ConfigurationError(
            f"No DataCite account named {name!r}: the accounts are {sorted(found)} "
            f"(add it to {ACCOUNTS_KEY} in invenio.cfg)."
        )
    return chosen


def account_for_doi(doi: str, config: Mapping[str, Any] | None = None) -> str:
    """The account whose prefixes (main or additional) hold the DOI; ``"default"`` for others."""
    for name, each in configured_accounts(config).items():
        if each.owns(doi):
            return name
    return DEFAULT_ACCOUNT


def all_prefixes(config: Mapping[str, Any] | None = None) -> list[str]:
    """Every prefix of every account: the DOIs this instance may write at DataCite."""
    return [prefix for each in configured_accounts(config).values() for prefix in each.prefixes]


def community_accounts(config: Mapping[str, Any] | None = None) -> Mapping[str, str] | Callable[..., Any]:
    """``DOI_EXT_COMMUNITY_ACCOUNTS``: community slug or id → account name, or a callable."""
    conf = _config(config)
    value = conf.get(COMMUNITY_KEY, ext_config.DOI_EXT_COMMUNITY_ACCOUNTS)
    example = '{"ocean-data": "b"} or a callable (record, context) -> account name'
    if value is None:
        return {}
    if isinstance(value, str):
        value = forms.imported(
            COMMUNITY_KEY, value, what="a callable (record, context) -> name", example=example
        )
    if callable(value):
        return value
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{COMMUNITY_KEY} = {value!r} is neither a dict nor callable: write {example}."
        )
    names = account_names(conf)
    for community, name in value.items():
        if name not in names:
            raise ConfigurationError(
                f"{COMMUNITY_KEY}[{community!r}] = {name!r} is not an account: the accounts are "
                f"{names}; add {name!r} to {ACCOUNTS_KEY} or use one of those."
            )
    return value


def check_accounts(config: Mapping[str, Any]) -> None:
    """Every named account, the prefixes of all of them, and the community mapping.

    The default account is checked by :func:`.account.check_account` (its messages
    name the upstream keys); a prefix may belong to one account only, since the
    account of a DOI is found from its prefix.
    """
    found = configured_accounts(config)
    owner: dict[str, str] = {}
    for name, each in found.items():
        key = DEFAULT_ACCOUNT if name == DEFAULT_ACCOUNT else f"{ACCOUNTS_KEY}[{name!r}]"
        if name != DEFAULT_ACCOUNT:
            _check_named(key, each, config)
        for prefix in each.prefixes:
            other = owner.get(prefix.lower())
            if other is not None:
                raise ConfigurationError(
                    f"The prefix {prefix!r} belongs to two accounts, {other!r} and {name!r} "
                    f"({ACCOUNTS_KEY}, DATACITE_PREFIX, DATACITE_ADDITIONAL_PREFIXES): a prefix "
                    "is assigned to one DataCite repository; remove it from one of them."
                )
            owner[prefix.lower()] = name
    community_accounts(config)


def _check_named(key: str, each: Account, config: Mapping[str, Any]) -> None:
    named = [("prefix", each.prefix)] + [("additional_prefixes", p) for p in each.additional_prefixes]
    for entry, prefix in named:
        problem = doi_syntax.prefix_problem(prefix)
        if problem:
            raise ConfigurationError(
                f'{key}["{entry}"] {prefix!r} is not a DOI prefix DataCite can mint under: '
                f'{problem}. Write it as "10.NNNN" (datacite/lupo, app/models/doi.rb).'
            )
    try:
        upstream.check_format(each.doi_format, each.prefix)
    except ConfigurationError as exc:
        raise ConfigurationError(str(exc).replace("DATACITE_FORMAT", f'{key}["format"]')) from None
    for entry, value, accessor, own_key in (
        ("url", each.url, datacite_url, "DOI_EXT_DATACITE_URL"),
        ("rate_limit", each.rate_limit, rate_limit, "DOI_EXT_RATE_LIMIT"),
    ):
        if value is None:
            continue
        try:
            accessor({own_key: value})
        except ConfigurationError as exc:
            raise ConfigurationError(str(exc).replace(own_key, f'{key}["{entry}"]')) from None


def account_url(each: Account, config: Mapping[str, Any] | None = None) -> str:
    """The API base URL of an account: its own, else ``DOI_EXT_DATACITE_URL``, else by test mode."""
    conf = _config(config)
    if each.url:
        return datacite_url({"DOI_EXT_DATACITE_URL": each.url})
    if conf.get("DOI_EXT_DATACITE_URL"):
        return datacite_url(conf)
    return TEST_API_URL if each.test_mode else PRODUCTION_API_URL
