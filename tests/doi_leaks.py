"""No field of a restricted record at DataCite, judged from the records.

For every restricted record (published, tombstoned or a never-published draft)
the values of its private fields (titles, descriptions, names, subjects,
funders, identifiers...) are read from the record itself, and neither its own
DOI nor its concept DOI at the sandbox may carry any of them. The concept may
carry a value that a non-restricted version of the same concept also has (the
same author, say): the concept describes that version. Shared by the soak, the
leak audit and ``tests/lifecycle/test_doi_inventory.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from doi_inventory import Instance, is_public, load_instance

#: Values at least this long also count when they appear inside a longer text.
EMBEDDED_MIN = 8

#: (field, path) of the record metadata that only the public may see; ``*`` walks a list.
PRIVATE_FIELDS = (
    ("title", "title"),
    ("additional title", "additional_titles.*.title"),
    ("description", "description"),
    ("additional description", "additional_descriptions.*.description"),
    ("creator", "creators.*.person_or_org.name"),
    ("creator family name", "creators.*.person_or_org.family_name"),
    ("creator given name", "creators.*.person_or_org.given_name"),
    ("contributor", "contributors.*.person_or_org.name"),
    ("contributor family name", "contributors.*.person_or_org.family_name"),
    ("subject", "subjects.*.subject"),
    ("funder", "funding.*.funder.name"),
    ("award", "funding.*.award.title.en"),
    ("related identifier", "related_identifiers.*.identifier"),
    ("alternate identifier", "identifiers.*.identifier"),
)

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def normalize(value: str) -> str:
    """Compare text as DataCite may hold it: without HTML tags, spaces collapsed, lower case."""
    return _SPACE.sub(" ", _TAG.sub(" ", value)).strip().lower()


def _walk(value: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for item in value if isinstance(value, list) else []:
            yield from _walk(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest)


def private_values(record: Any) -> dict[str, str]:
    """Normalized private values of a record, each with the field it comes from."""
    metadata = record.get("metadata") or {}
    found: dict[str, str] = {}
    for name, path in PRIVATE_FIELDS:
        for value in _walk(metadata, path.split(".")):
            if isinstance(value, str) and normalize(value):
                found.setdefault(normalize(value), name)
    return found


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, normalized."""
    if isinstance(value, str):
        yield normalize(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def carried(private: dict[str, str], attributes: Any) -> list[tuple[str, str]]:
    """(field, value) of the private values found in a DOI's attributes."""
    held = list(strings(attributes))
    exact = set(held)
    found = []
    for value, name in private.items():
        if value in exact:
            found.append((name, value))
        elif len(value) >= EMBEDDED_MIN:
            pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")
            if any(pattern.search(text) for text in held):
                found.append((name, value))
    return found


def _report(doi: str, what: str, leaked: list[tuple[str, str]]) -> list[str]:
    return [f"{doi} ({what}) carries the {name} {value!r}" for name, value in leaked]


@dataclass
class LeakReport:
    """The restricted records' DOIs looked at, and every private value found at the sandbox."""

    problems: list[str] = field(default_factory=list)
    judged: Counter = field(default_factory=Counter)

    def judge(self, doi: str, what: str, private: dict[str, str], held: dict[str, dict[str, Any]]) -> None:
        """Look for ``private`` in what the sandbox holds for ``doi`` (nothing to see if it holds none)."""
        if doi in held:
            self.judged[what.rsplit(" ", 1)[0]] += 1
            self.problems += _report(doi, what, carried(private, held[doi]["attributes"]))


def restricted_field_leaks(held: dict[str, dict[str, Any]], instance: Instance | None = None) -> LeakReport:
    """Restricted records' fields found in their version or concept DOI at the sandbox."""
    instance = instance or load_instance()
    report = LeakReport()
    published = instance.record_ids()
    for draft in instance.drafts:
        doi = instance.ours(draft)
        if doi and not is_public(draft) and str(draft.id) not in published:
            report.judge(doi, f"restricted draft {draft.get('id')}", private_values(draft), held)
    for parent_id, versions in instance.versions_of.items():
        public_values: set[str] = set()
        restricted_values: dict[str, str] = {}
        for record in versions:
            values = private_values(record)
            if is_public(record):
                public_values.update(values)
                continue
            restricted_values.update(values)
            doi = instance.ours(record)
            if doi:
                report.judge(doi, f"version DOI of restricted record {record.get('id')}", values, held)
        parent = instance.parents.get(parent_id)
        concept = instance.ours(parent) if parent is not None else None
        secret = {v: name for v, name in restricted_values.items() if v not in public_values}
        if concept and secret:
            report.judge(concept, f"concept DOI of parent {parent.get('id')}", secret, held)
    return report
