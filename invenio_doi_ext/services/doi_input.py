"""Checking a DOI given by a person (command line, URL) before it reaches a query.

Shared by the CLI and the REST API so that both refuse the same inputs with the
same words: a DOI with spaces, ``..``, percent-escapes or of absurd length is a
typing or encoding mistake, never a DOI this instance could manage.
"""

from __future__ import annotations

from .. import doi_syntax, settings

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
    """The DOI in ``value`` (resolver forms such as ``doi:`` removed), or ``InvalidDOIError``.

    The last word is :mod:`invenio_doi_ext.doi_syntax`, the rule every part of the
    package applies; the checks before it only explain the usual mistakes.
    """
    if value is None or value == "":
        raise InvalidDOIError("", "it is empty")
    if len(value) > doi_syntax.MAX_LENGTH + 40:  # room for a resolver prefix
        raise InvalidDOIError(value, f"it is longer than {doi_syntax.MAX_LENGTH} characters")
    text = doi_syntax.strip_resolver(value)
    if any(char.isspace() for char in text):
        raise InvalidDOIError(value, "it contains whitespace")
    if not text.isprintable():
        raise InvalidDOIError(value, "it contains control characters")
    if "%" in text:
        raise InvalidDOIError(
            value, "it contains percent-encoding; give the DOI as written, e.g. 10.1234/abc"
        )
    if ".." in text:
        raise InvalidDOIError(value, "it contains '..'")
    if len(text) > doi_syntax.MAX_LENGTH:
        raise InvalidDOIError(value, f"it is longer than {doi_syntax.MAX_LENGTH} characters")
    if not doi_syntax.is_valid_doi(text):
        raise InvalidDOIError(value, f"expected {doi_syntax.DOI_FORM}")
    return text


def our_prefixes() -> list[str]:
    """The DOI prefixes this instance writes under: every account's, main and additional."""
    return [prefix.lower() for prefix in settings.all_prefixes()]


def is_ours(doi: str) -> bool:
    """Whether the DOI's prefix is one this instance mints under."""
    return doi_syntax.prefix_of(doi) in our_prefixes()
