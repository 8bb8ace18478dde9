"""The soak's random record operations, through the real InvenioRDM records service.

Metadata written while a record is restricted carries the marker ``SECRET-``, so
that a leak shows up as that marker in any payload the sandbox received. Every
operation reports which version DOIs became hidden or visible, so that the
checks can tell when DataCite must not make them findable.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from invenio_access.permissions import system_identity
from invenio_db import db

SECRET = "SECRET-"

#: Relative weights of the operations of the mix.
WEIGHTS = {
    "publish": 22,
    "reserve_draft": 6,
    "discard_draft": 7,
    "edit": 20,
    "restrict": 8,
    "unrestrict": 8,
    "new_version": 9,
    "tombstone": 8,
    "restore": 8,
}


@dataclass
class Version:
    """One published version and what it is now."""

    id: str
    doi: str
    restricted: bool
    tombstoned: bool = False

    @property
    def hidden(self) -> bool:
        """DataCite must not show it: restricted or tombstoned."""
        return self.restricted or self.tombstoned


def record_data(label: str, restricted: bool) -> dict[str, Any]:
    """A valid record (see the root conftest's ``minimal_record``), secret when restricted."""
    marker = f"{SECRET}{label}" if restricted else f"public {label}"
    access = "restricted" if restricted else "public"
    return {
        "pids": {},
        "access": {"record": access, "files": access},
        "files": {"enabled": False},
        "metadata": {
            "publication_date": "2024-06-01",
            "resource_type": {"id": "dataset"},
            "creators": [
                {"person_or_org": {"family_name": "Brown", "given_name": "Troy", "type": "personal"}}
            ],
            "title": f"Soak record {marker}",
            "description": f"<p>Soak description {marker}</p>",
            "publisher": "Example Repository",
        },
    }


@dataclass
class Operations:
    """A random mix of record operations, reproducible from the seed of ``rng``."""

    service: Any
    rng: random.Random
    versions: dict[str, Version] = field(default_factory=dict)
    drafts: list[str] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    _labels: int = 0

    def _label(self) -> str:
        self._labels += 1
        return str(self._labels)

    def _alive(self, restricted: bool | None = None) -> list[Version]:
        return [
            v for v in self.versions.values()
            if not v.tombstoned and (restricted is None or v.restricted == restricted)
        ]

    def step(self) -> tuple[str, list[tuple[str, bool]]]:
        """Run one random operation; (name, [(version DOI, hidden now)] changed by it)."""
        names = list(WEIGHTS)
        name = self.rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]
        try:
            changes = getattr(self, f"_{name}")()
            self.done[name] += 1
            return name, changes
        except Exception as exc:  # noqa: BLE001 - counted; the service may refuse a move
            db.session.rollback()
            self.errors[f"{name}: {type(exc).__name__}"] += 1
            return name, []

    def _publish_draft(self, draft_id: str, restricted: bool) -> list[tuple[str, bool]]:
        item = self.service.publish(system_identity, draft_id)
        version = Version(item.id, item.data["pids"]["doi"]["identifier"], restricted)
        self.versions[item.id] = version
        return [(version.doi, version.hidden)]

    def _publish(self) -> list[tuple[str, bool]]:
        restricted = self.rng.random() < 0.15
        draft = self.service.create(system_identity, record_data(self._label(), restricted))
        if self.rng.random() < 0.4:
            self._reserve(draft.id)
        return self._publish_draft(draft.id, restricted)

    def _reserve(self, draft_id: str) -> None:
        """"Get a DOI now" on the deposit form, then the form saves the draft."""
        self.service.pids.create(system_identity, draft_id, "doi")
        data = self.service.read_draft(system_identity, draft_id).data
        self.service.update_draft(system_identity, draft_id, data)

    def _reserve_draft(self) -> list[tuple[str, bool]]:
        draft = self.service.create(system_identity, record_data(self._label(), self.rng.random() < 0.2))
        self._reserve(draft.id)
        self.drafts.append(draft.id)
        return []

    def _discard_draft(self) -> list[tuple[str, bool]]:
        alive = self._alive()
        if self.drafts and (not alive or self.rng.random() < 0.6):
            draft_id = self.drafts.pop(self.rng.randrange(len(self.drafts)))
            self.service.delete_draft(system_identity, draft_id)
            return []
        if not alive:
            return self._publish()
        version = self.rng.choice(alive)
        draft = self.service.edit(system_identity, version.id)
        data = draft.data
        data["metadata"]["title"] = "Soak edit that will be discarded " + self._label()
        self.service.update_draft(system_identity, version.id, data)
        self.service.delete_draft(system_identity, version.id)
        return []

    def _republish(self, version: Version, restricted: bool) -> list[tuple[str, bool]]:
        draft = self.service.edit(system_identity, version.id)
        data = draft.data
        fresh = record_data(self._label(), restricted)
        data["access"] = fresh["access"]
        data["metadata"]["title"] = fresh["metadata"]["title"]
        data["metadata"]["description"] = fresh["metadata"]["description"]
        self.service.update_draft(system_identity, version.id, data)
        self.service.publish(system_identity, version.id)
        version.restricted = restricted
        return [(version.doi, version.hidden)]

    def _edit(self) -> list[tuple[str, bool]]:
        alive = self._alive()
        if not alive:
            return self._publish()
        version = self.rng.choice(alive)
        return self._republish(version, version.restricted)

    def _restrict(self) -> list[tuple[str, bool]]:
        public = self._alive(restricted=False)
        return self._republish(self.rng.choice(public), True) if public else self._publish()

    def _unrestrict(self) -> list[tuple[str, bool]]:
        restricted = self._alive(restricted=True)
        return self._republish(self.rng.choice(restricted), False) if restricted else self._edit()

    def _new_version(self) -> list[tuple[str, bool]]:
        alive = self._alive()
        if not alive:
            return self._publish()
        base = self.rng.choice(alive)
        draft = self.service.new_version(system_identity, base.id)
        restricted = self.rng.random() < 0.15
        data = draft.data
        fresh = record_data(self._label(), restricted)
        data["access"] = fresh["access"]
        data["metadata"] = fresh["metadata"]
        self.service.update_draft(system_identity, draft.id, data)
        return self._publish_draft(draft.id, restricted)

    def _tombstone(self) -> list[tuple[str, bool]]:
        alive = self._alive()
        if not alive:
            return self._publish()
        version = self.rng.choice(alive)
        self.service.delete_record(system_identity, version.id, {})
        version.tombstoned = True
        return [(version.doi, True)]

    def _restore(self) -> list[tuple[str, bool]]:
        gone = [v for v in self.versions.values() if v.tombstoned]
        if not gone:
            return self._tombstone()
        version = self.rng.choice(gone)
        self.service.restore_record(system_identity, version.id)
        version.tombstoned = False
        return [(version.doi, version.hidden)]
