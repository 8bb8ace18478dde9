"""Leak audit: no text of a restricted record reaches DataCite, over a generated corpus.

Every record version gets a unique token in each field that must stay private
(title, creator name, description, subject, funder, related identifier). After
every service call, every request the sandbox received since the previous one
is searched for the tokens of the records restricted at that moment; at the
end, what the sandbox holds is compared with what the policy says, and then
judged again starting from the records themselves (``tests/doi_inventory.py``,
``tests/doi_leaks.py``): every record and parent of the instance has its row and
its DOI in the right state, the sandbox holds no DOI the instance does not know,
and no restricted record's version or concept DOI carries any of its fields. The corpus
comes from ``random.Random(SEED)``; the seed is printed and can be changed
with ``DOI_EXT_LEAK_SEED`` to explore other corpora.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any

from doi_inventory import check_inventory
from doi_leaks import restricted_field_leaks
from invenio_access.permissions import system_identity
from metadata_helpers import (
    REDACTED_TITLE,
    doi_of,
    editable,
    embargo_until,
    expire_embargo,
    make_public,
    restrict,
    text,
)

from invenio_doi_ext.lifecycle.models import ManagedDOI

SEED = int(os.environ.get("DOI_EXT_LEAK_SEED", "5170"))
MIN_RECORDS = 200

# Scenario kinds and their weights in the corpus.
KINDS = {
    "public": 4,
    "restricted": 4,
    "embargoed": 2,
    "embargo_lifted": 2,
    "restricted_files": 2,
    "embargoed_files": 2,
    "public_restricted_public": 1,
    "public_restricted": 1,
    "restricted_public": 1,
    "versions": 4,
    "tombstoned_restricted": 1,
}


@dataclass
class Version:
    """One record version as the audit tracks it."""

    token: str
    restricted: bool
    record_id: str = ""
    doi: str = ""
    tombstoned: bool = False


@dataclass
class Concept:
    versions: list[Version] = field(default_factory=list)
    doi: str = ""


def access(kind: str) -> dict[str, Any]:
    if kind == "restricted":
        return {"record": "restricted", "files": "restricted"}
    if kind == "embargoed":
        return {"record": "restricted", "files": "restricted",
                "embargo": {"active": True, "until": embargo_until(), "reason": "audit"}}
    if kind == "restricted_files":
        return {"record": "public", "files": "restricted"}
    if kind == "embargoed_files":
        return {"record": "public", "files": "restricted",
                "embargo": {"active": True, "until": embargo_until(), "reason": "audit"}}
    return {"record": "public", "files": "public"}


def record_data(token: str, access_kind: str) -> dict[str, Any]:
    """A record whose every private field carries ``token``."""
    return {
        "pids": {},
        "access": access(access_kind),
        "files": {"enabled": False},
        "metadata": {
            "publication_date": "2023-05-17",
            "resource_type": {"id": "dataset"},
            "creators": [{"person_or_org": {"type": "personal", "family_name": f"fam{token}",
                                            "given_name": "ann"}}],
            "title": f"title {token}",
            "description": f"<p>description {token}</p>",
            "publisher": "Example Repository",
            "subjects": [{"subject": f"subject {token}"}],
            "funding": [{"funder": {"name": f"funder {token}"}}],
            "related_identifiers": [
                {"identifier": f"10.5555/{token}", "scheme": "doi", "relation_type": {"id": "iscitedby"}}
            ],
        },
    }


class Audit:
    """Runs the corpus through the service, checking the journal after every call."""

    def __init__(self, service: Any, sandbox: Any, drain: Any, rng: random.Random) -> None:
        self.service, self.sandbox, self.drain, self.rng = service, sandbox, drain, rng
        self.concepts: list[Concept] = []
        self.seen = 0
        self.requests = 0
        self.checked_bodies = 0

    def token(self) -> str:
        return f"lk{self.rng.getrandbits(48):012x}"

    def versions(self) -> list[Version]:
        return [v for c in self.concepts for v in c.versions]

    def check_journal(self, step: str) -> None:
        """Requests since the last check must not carry a currently restricted token."""
        self.drain()
        entries = self.sandbox.control.journal(since=self.seen)
        if entries:
            self.seen = entries[-1]["seq"]
        forbidden = [v.token for v in self.versions() if v.restricted]
        for entry in entries:
            self.requests += 1
            if entry.get("body") is None:
                continue
            self.checked_bodies += 1
            sent = text(entry["body"]).lower()
            leaked = [token for token in forbidden if token in sent]
            assert not leaked, f"seed={SEED} step={step}: restricted tokens {leaked} sent in {entry['path']}"

    def publish_new(self, version: Version, kind: str, concept: Concept) -> None:
        draft = self.service.create(system_identity, record_data(version.token, kind))
        self._publish(version, draft.id, concept, f"publish {kind}")

    def _publish(self, version: Version, draft_id: str, concept: Concept, step: str) -> None:
        concept.versions.append(version)
        record = self.service.publish(system_identity, draft_id)
        version.record_id, version.doi = record.id, doi_of(record)
        concept.doi = record.data["parent"]["pids"]["doi"]["identifier"]
        self.check_journal(step)

    def republish(self, version: Version, make_restricted: bool) -> None:
        draft = self.service.edit(system_identity, version.record_id)
        data = editable(draft.data)
        (restrict if make_restricted else make_public)(data)
        self.service.update_draft(system_identity, version.record_id, data)
        version.restricted = make_restricted
        self.service.publish(system_identity, version.record_id)
        self.check_journal("restricted" if make_restricted else "made public")

    def new_version(self, concept: Concept, restricted: bool) -> None:
        version = Version(self.token(), restricted)
        draft = self.service.new_version(system_identity, concept.versions[-1].record_id)
        kind = "restricted" if restricted else "public"
        self.service.update_draft(system_identity, draft.id, record_data(version.token, kind))
        self._publish(version, draft.id, concept, f"new {kind} version")

    def scenario(self, kind: str) -> None:
        concept = Concept()
        self.concepts.append(concept)
        restricted_kinds = ("restricted", "embargoed", "embargo_lifted", "restricted_public",
                            "tombstoned_restricted")
        if kind == "versions":
            first = self.rng.random() < 0.5
            self.publish_new(Version(self.token(), first), "restricted" if first else "public", concept)
            for _ in range(self.rng.choice((1, 1, 2))):
                self.new_version(concept, self.rng.random() < 0.5)
            return
        version = Version(self.token(), kind in restricted_kinds)
        base = {"embargo_lifted": "embargoed", "restricted_public": "restricted",
                "tombstoned_restricted": "restricted"}.get(kind, kind)
        if kind.startswith("public_"):
            base = "public"
        self.publish_new(version, base, concept)
        if kind in ("public_restricted_public", "public_restricted"):
            self.republish(version, make_restricted=True)
        if kind in ("public_restricted_public", "restricted_public"):
            self.republish(version, make_restricted=False)
        if kind == "embargo_lifted":
            expire_embargo(version.record_id)
            version.restricted = False
            self.service.lift_embargo(system_identity, version.record_id)
            self.check_journal("embargo lifted")
        if kind == "tombstoned_restricted":
            self.service.delete_record(
                system_identity, version.record_id, {"removal_reason": {"id": "spam"}, "is_visible": True}
            )
            version.tombstoned = True
            self.check_journal("tombstoned")

    def check_final_state(self) -> dict[str, int]:
        """What the sandbox holds for every DOI is what the policy says."""
        held = {d["doi"]: d for d in self.sandbox.control.dois()}
        counts = {"findable": 0, "registered": 0}
        for version in self.versions():
            doi = held[version.doi.lower()]
            attributes = text(doi["attributes"]).lower()
            if version.restricted:
                assert doi["state"] == "registered", (SEED, version)
                assert doi["attributes"]["titles"] == [{"title": REDACTED_TITLE}], (SEED, version)
                assert version.token not in attributes, (SEED, version)
            else:
                # Full metadata, so the audit's tokens are really visible when they may be.
                assert doi["state"] == ("registered" if version.tombstoned else "findable"), (SEED, version)
                for where in ("titles", "creators", "descriptions", "subjects", "fundingReferences",
                              "relatedIdentifiers"):
                    assert version.token in text(doi["attributes"][where]).lower(), (SEED, version, where)
            counts[doi["state"]] += 1
        for concept in self.concepts:
            doi = held[concept.doi.lower()]
            public = [v for v in concept.versions if not v.restricted and not v.tombstoned]
            attributes = text(doi["attributes"]).lower()
            for version in concept.versions:
                if version not in public[-1:]:
                    assert version.token not in attributes, (SEED, concept)
            if public:
                assert doi["state"] == "findable", (SEED, concept)
                assert public[-1].token in text(doi["attributes"]["titles"]).lower(), (SEED, concept)
            else:
                assert doi["state"] == "registered", (SEED, concept)
                assert doi["attributes"]["titles"] == [{"title": REDACTED_TITLE}], (SEED, concept)
        return counts


def test_no_restricted_metadata_reaches_datacite(rdm, sandbox, drain, db):
    rng = random.Random(SEED)
    audit = Audit(rdm, sandbox, drain, rng)
    kinds = [kind for kind, weight in KINDS.items() for _ in range(weight)]
    # Every kind at least once, then random ones until the corpus is large enough.
    plan = list(KINDS)
    while len(audit.versions()) < MIN_RECORDS:
        kind = plan.pop(0) if plan else rng.choice(kinds)
        audit.scenario(kind)
        # One test-long session: without this every flush walks every object of
        # every earlier scenario (SQLAlchemy-Continuum's before_flush), which made
        # the audit quadratic. The audit keeps ids and DOIs, never ORM objects.
        db.session.expunge_all()
    counts = audit.check_final_state()
    held = {d["doi"]: d for d in sandbox.control.dois()}
    inventory = check_inventory(held)
    leaks = restricted_field_leaks(held)
    print(
        f"leak audit: seed={SEED} records={len(audit.versions())} concepts={len(audit.concepts)} "
        f"requests={audit.requests} bodies checked={audit.checked_bodies} final={counts}; "
        f"from the records: {inventory.summary()}; restricted looked at: {dict(leaks.judged)}"
    )
    # From the records, not from the audit's own list: every DOI of the instance, and
    # every restricted version's and concept's DOI, field by field.
    assert inventory.problems == [], SEED
    assert leaks.problems == [], SEED
    restricted = [v for v in audit.versions() if v.restricted]
    with_restricted = [c for c in audit.concepts if any(v.restricted for v in c.versions)]
    assert inventory.judged["record"] == len(audit.versions())
    assert inventory.judged["parent"] == len(audit.concepts)
    assert leaks.judged["version DOI of restricted record"] == len(restricted)
    assert leaks.judged["concept DOI of parent"] == len(with_restricted)
    assert len(audit.versions()) >= MIN_RECORDS
    assert counts["findable"] > 0 and counts["registered"] > 0
    rows = db.session.query(ManagedDOI).all()
    assert len(rows) == len(audit.versions()) + len(audit.concepts)
    assert [row.doi for row in rows if not row.in_sync or row.failed] == [], SEED
