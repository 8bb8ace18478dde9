"""Who builds a published DOI's payload in the worker, by kind of DOI.

The lifecycle converges rows and knows nothing of records; the record layer
(``invenio_doi_ext.rdm.build``) registers, at start-up, the functions that read a
row's record and compute its target. Kept apart from ``converge`` so that the
dependency points down: ``rdm`` registers here, ``lifecycle`` only looks up.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import ManagedDOI
from .store import Target

Builder = Callable[[ManagedDOI], "Target | None"]
"""Reads the row's record as committed and returns its target (``None``: the record is gone)."""

_builders: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    """Build the payloads of rows of ``kind`` with ``builder`` (the last registration wins)."""
    _builders[kind] = builder


def builder_for(kind: str) -> Builder | None:
    """The builder of rows of ``kind``, if the record layer registered one."""
    return _builders.get(kind)
