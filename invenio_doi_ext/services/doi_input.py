"""Checking a DOI given by a person (command line, URL) before it reaches a query.

Shared by the CLI and the REST API so that both refuse the same inputs with the
same words: a DOI with spaces, ``..``, percent-escapes or of absurd length is a
typing or encoding mistake, never a DOI this instance could manage.
"""

from __future__ import annotations

from flask import current_app

from .. import settings

#: Forms people paste; the DOI is what follows them.
_RESOLVER_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
)

#: Longest piece of a refused value quoted back.
_QUOTE = 60


class InvalidDOIError(ValueError):
    """The value is not a DOI; ``reason`` says what is wrong with it."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"{quote(value)} is not a valid DOI: {reason}")


def quote(value: str) -> str:
    """The value as shown in an error message, clipped so a 10 kB input stays readable."""
    shown = value if len(value) <= _QUOTE else value[:_QUOTE] + f"... ({len(value)} characters)"
    return repr(shown)


def parse_doi(value: str | None) -> str:
    """The DOI in ``value`` (resolver prefixes removed), or ``InvalidDOIError``."""
    if value is None or value == "":
        raise InvalidDOIError("", "it is empty")
    if len(value) > settings.DOI_MAX_LENGTH + len(_RESOLVER_PREFIXES[-1]) + 20:
        raise InvalidDOIError(value, f"it is longer than {settings.DOI_MAX_LENGTH} characters")
    text = value
    for prefix in _RESOLVER_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    if any(char.isspace() for char in text):
        raise InvalidDOIError(value, "it contains whitespace")
    if "%" in text:
        raise InvalidDOIError(
            value, "it contains percent-encoding; give the DOI as written, e.g. 10.1234/abc"
        )
    if ".." in text:
        raise InvalidDOIError(value, "it contains '..'")
    if len(text) > settings.DOI_MAX_LENGTH:
        raise InvalidDOIError(value, f"it is longer than {settings.DOI_MAX_LENGTH} characters")
    if not settings.DOI_PATTERN.match(text):
        raise InvalidDOIError(
            value,
            "expected 10.NNNN/suffix, the suffix made of letters, digits and -._;()/:*~$=",
        )
    return text


def our_prefixes() -> list[str]:
    """The DOI prefixes this instance mints under (DATACITE_PREFIX and additional ones)."""
    config = current_app.config
    prefixes = [config.get("DATACITE_PREFIX")] + list(config.get("DATACITE_ADDITIONAL_PREFIXES") or [])
    return [prefix.lower() for prefix in prefixes if prefix]


def is_ours(doi: str) -> bool:
    """Whether the DOI's prefix is one this instance mints under."""
    return doi.split("/", 1)[0].lower() in our_prefixes()
