"""Hooks through which optional features hold a version's DOI back at DataCite ``draft``.

``rdm.targets`` asks the gates; a feature (curated DOI requests) registers one
when its extension initialises. The dependency points from the feature to
``rdm``, never back, and an instance without the feature pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

Gate = Callable[[Any], bool]
"""``gate(record) -> True`` while the record's DOI must stay a DataCite draft."""

_KEY = "invenio-doi-ext.gates"


def register_gate(app: Flask, gate: Gate) -> None:
    """Add a gate to an application (once)."""
    gates: list[Gate] = app.extensions.setdefault(_KEY, [])
    if gate not in gates:
        gates.append(gate)


def held(record: Any) -> bool:
    """Whether any registered gate holds the record's DOI at draft."""
    return any(gate(record) for gate in current_app.extensions.get(_KEY, ()))
