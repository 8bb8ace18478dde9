"""The one DOI syntax rule: what DataCite accepts, shared by every place that checks a DOI.

Start-up (the prefix), minting (the format's output), the lifecycle's targets and
people's input (REST, CLI, administration page) all ask this module, so a DOI is
never accepted in one place and dropped in another.

DataCite's server (datacite/lupo, ``app/models/doi.rb``) refuses to create a DOI
that does not match ``\\A10\\.\\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+\\z``: the prefix is
``10.`` and four or five digits. Lupo's ``Prefix`` model (``app/models/prefix.rb``)
allows up to nine digits for a prefix record, but no DOI could be created under
such a prefix, so this rule follows the DOI check. The 255-character limit is
that of lupo's ``doi`` column.

``idutils`` (InvenioRDM's identifier library) recognises the resolver forms
people paste (``doi:``, ``https://doi.org/...``); it accepts far more than DataCite
does (any number of prefix digits, any suffix character), so it only strips them.
"""

from __future__ import annotations

import re

import idutils

PREFIX_RE = re.compile(r"^10\.\d{4,5}$")
"""A DOI prefix DataCite can create DOIs under."""

SUFFIX_CHARACTERS = "-._;()/:*~$="
"""Characters a suffix may hold besides ASCII letters and digits."""

DOI_RE = re.compile(r"^10\.\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+$")
"""A DOI DataCite accepts on create (lupo ``app/models/doi.rb``)."""

MAX_LENGTH = 255
"""Longest DOI DataCite stores."""

PREFIX_FORM = '10, a dot, then four or five digits, no slash (for example "10.1234")'
DOI_FORM = (
    "10.NNNN/suffix (a prefix of 10, a dot and four or five digits; a suffix of letters, "
    f"digits and {SUFFIX_CHARACTERS})"
)


def prefix_problem(prefix: object) -> str | None:
    """Why ``prefix`` cannot be a DataCite prefix, or None when it can."""
    if not isinstance(prefix, str):
        return f"it is a {type(prefix).__name__}, not a string"
    if not PREFIX_RE.match(prefix):
        return f"it must be {PREFIX_FORM}"
    return None


def doi_problem(doi: object) -> str | None:
    """Why DataCite would refuse ``doi``, or None when it accepts it."""
    if not isinstance(doi, str):
        return f"it is a {type(doi).__name__}, not a string"
    if len(doi) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters ({len(doi)})"
    if not DOI_RE.match(doi):
        return f"it must be {DOI_FORM}"
    return None


def is_valid_doi(doi: object) -> bool:
    """Whether DataCite accepts ``doi``."""
    return doi_problem(doi) is None


def strip_resolver(value: str) -> str:
    """The DOI in a pasted value: ``doi:`` and doi.org resolver URLs removed (idutils)."""
    match = idutils.doi_regexp.match(value)
    # idutils' pattern ends in ``$``, which also matches before a final newline: a
    # value is only stripped when the match covers all of it.
    if match is None or match.end() != len(value):
        return value
    return match.group(2)


def prefix_of(doi: str) -> str:
    """The prefix of a DOI (everything before the first slash), lower-cased."""
    return doi.split("/", 1)[0].lower()
