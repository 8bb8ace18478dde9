"""Compare metadata we send with what DataCite answers: equal unless a field we sent changed.

DataCite answers in its normal form, not with what was sent (lupo's
``DataciteDoiSerializer`` and ``Doi`` model): it completes ``types`` (schemaOrg,
citeproc, bibtex, ris), gives every creator and contributor ``affiliation: []`` and
``nameIdentifiers: []``, fills SPDX rights from their identifier, answers
``alternateIdentifiers`` also as ``identifiers``, numbers as strings or numbers, a
list sent as ``null`` as ``[]``, and publisher and affiliations as plain names unless
the read asks for objects (the gateway asks, ``?publisher=true&affiliation=true``).

So the comparison is one-sided: every field we sent must be held as we sent it;
what DataCite adds where we sent nothing is its enrichment, not drift. A change of
a field we send (title, creators, rights, related identifiers...) is still found,
and named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fingerprint import fingerprint

#: Attributes DataCite answers as plain strings unless asked otherwise (``?publisher=true``).
FLATTENED = ("publisher", "affiliation")


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _scalar(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _flattened_equal(sent: Any, held: Any) -> bool:
    """A publisher or affiliation held as a name where we sent an object (or the reverse)."""
    name_sent = sent.get("name") if isinstance(sent, Mapping) else sent
    name_held = held.get("name") if isinstance(held, Mapping) else held
    return _scalar(name_sent) == _scalar(name_held)


def _rights_equal(sent: Mapping[str, Any], held: Any) -> bool:
    """DataCite rewrites an SPDX entry from its identifier: the identifier decides."""
    if not isinstance(held, Mapping):
        return False
    identifier = sent.get("rightsIdentifier")
    if identifier and str(sent.get("rightsIdentifierScheme", "SPDX")).upper() == "SPDX":
        return str(identifier).lower() == str(held.get("rightsIdentifier") or "").lower()
    return covers(sent, held)


def covers(sent: Any, held: Any, key: str | None = None) -> bool:
    """Whether DataCite's ``held`` value says what ``sent`` says (its additions aside)."""
    if _empty(sent):
        return _empty(held)  # a list sent empty or null comes back []
    if key in FLATTENED or (key == "affiliation" and isinstance(held, list)):
        if isinstance(sent, list):
            return isinstance(held, list) and len(sent) == len(held) and all(
                _flattened_equal(one, other) for one, other in zip(sent, held)
            )
        return _flattened_equal(sent, held)
    if isinstance(sent, Mapping):
        if not isinstance(held, Mapping):
            return False
        return all(covers(value, held.get(name), name) for name, value in sent.items())
    if isinstance(sent, list):
        if not isinstance(held, list) or len(sent) != len(held):
            return False
        if key == "rightsList":
            return all(
                _rights_equal(one, other) if isinstance(one, Mapping) else covers(one, other)
                for one, other in zip(sent, held)
            )
        return all(covers(one, other, key) for one, other in zip(sent, held))
    if isinstance(sent, str) and isinstance(held, str) and key:
        if key == "language":  # lupo keeps the primary subtag only: "de-CH" is answered "de"
            return sent.split("-")[0].casefold() == held.split("-")[0].casefold()
        if key.endswith("Scheme"):  # "spdx" is answered "SPDX"
            return sent.casefold() == held.casefold()
    return _scalar(sent) == _scalar(held)


def _kept(key: str, value: Any) -> Any:
    """What DataCite keeps of one of our attributes (lupo ``Doi#update_identifiers``).

    A DOI among the alternate identifiers is dropped: a DOI is the DOI itself or a
    related identifier.
    """
    if key == "alternateIdentifiers" and isinstance(value, list):
        return [
            item
            for item in value
            if not (isinstance(item, Mapping) and item.get("alternateIdentifierType") == "DOI")
        ]
    return value


def differing_fields(sent: Mapping[str, Any] | None, answered: Mapping[str, Any] | None) -> list[str]:
    """The attributes we send that DataCite does not hold as sent, in our order."""
    answered = answered or {}
    return [
        key
        for key, value in (sent or {}).items()
        if not covers(_kept(key, value), answered.get(key), key)
    ]


def same_metadata(sent: Mapping[str, Any] | None, answered: Mapping[str, Any] | None) -> bool:
    """Whether DataCite holds the metadata we would send (its enrichment aside)."""
    return not differing_fields(sent, answered)


def held_fingerprint(
    sent: Mapping[str, Any] | None,
    answered: Mapping[str, Any] | None,
    *,
    sent_url: str | None,
    held_url: str | None,
    sent_fingerprint: str | None,
) -> str | None:
    """The fingerprint to record for what DataCite holds.

    The one of our payload when DataCite holds it and its URL (so the row is in
    sync), else one of DataCite's own values for our keys, which no payload of ours
    can equal, so the workers send ours again.
    """
    if sent_fingerprint is not None and (held_url or None) == (sent_url or None) and same_metadata(
        sent, answered
    ):
        return sent_fingerprint
    keys = list((sent or {}).keys())
    return fingerprint({"held at DataCite": {key: (answered or {}).get(key) for key in keys}}, held_url)
