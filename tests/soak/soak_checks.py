"""What the soak asserts, from the sandbox's journal and state and the records.

Expected values come from ``invenio_doi_ext.rdm.targets`` applied to the records
as they finally are, the same pure function the lifecycle uses, so the check is
"DataCite holds what the record says", whatever path the workers took.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from doi_inventory import held_problems
from invenio_rdm_records.records.api import RDMDraft, RDMParent, RDMRecord
from soak_ops import SECRET

from invenio_doi_ext.lifecycle.models import DOIKind, DOIState, ManagedDOI
from invenio_doi_ext.lifecycle.plan import coerce
from invenio_doi_ext.lifecycle.store import Target
from invenio_doi_ext.rdm import targets


@dataclass
class JournalTail:
    """The sandbox journal, drained as it grows (the sandbox keeps a bounded tail)."""

    control: Any
    entries: list[dict[str, Any]] = field(default_factory=list)
    last_seq: int = 0

    def drain(self) -> int:
        """Fetch the entries received since the last drain; the highest sequence number."""
        new = self.control.journal(since=self.last_seq)
        if new:
            self.entries.extend(new)
            self.last_seq = new[-1]["seq"]
        return self.last_seq


@dataclass
class HiddenPeriods:
    """Journal ranges during which a version DOI must not become findable again."""

    periods: dict[str, list[list[float]]] = field(default_factory=lambda: defaultdict(list))

    def change(self, doi: str, hidden: bool, seq: int) -> None:
        """The operation that just returned (journal at ``seq``) left the DOI hidden or not."""
        doi = doi.lower()
        spans = self.periods[doi]
        is_open = bool(spans) and spans[-1][1] == float("inf")
        if hidden and not is_open:
            spans.append([seq, float("inf")])
        elif not hidden and is_open:
            spans[-1][1] = seq


def _doi_of(entry: dict[str, Any]) -> str:
    return entry["path"][len("/dois/"):].lower() if entry["path"].startswith("/dois/") else ""


def _answered_state(entry: dict[str, Any]) -> str | None:
    response = entry.get("response")
    if not isinstance(response, dict):
        return None
    return ((response.get("data") or {}).get("attributes") or {}).get("state")


def went_backwards(entries: list[dict[str, Any]], hidden: HiddenPeriods) -> list[str]:
    """A DOI made findable after DataCite had hidden it, while the record was still hidden."""
    problems = []
    by_doi: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        status = entry.get("status")
        if entry["method"] == "PUT" and status is not None and 200 <= status < 300:
            by_doi[_doi_of(entry)].append(entry)
    for doi, spans in hidden.periods.items():
        for start, end in spans:
            hid = False
            for entry in by_doi.get(doi, []):
                if not start < entry["seq"] <= end:
                    continue
                state = _answered_state(entry)
                if state in (DOIState.REGISTERED, DOIState.DRAFT):
                    hid = True
                elif state == DOIState.FINDABLE and hid:
                    problems.append(f"{doi} findable again at journal seq {entry['seq']} while hidden")
    return problems


def leaks(entries: list[dict[str, Any]]) -> list[str]:
    """Requests whose body carries metadata written while a record was restricted."""
    return [
        f"seq {e['seq']} {e['method']} {e['path']}"
        for e in entries
        if e.get("body") is not None and SECRET in json.dumps(e["body"])
    ]


def duplicated_creates(entries: list[dict[str, Any]]) -> dict[str, int]:
    """DOIs the sandbox created more than once (201 answered twice)."""
    created = Counter(_doi_of(e) for e in entries if e.get("status") == 201)
    return {doi: n for doi, n in created.items() if n > 1}


def expected_target(row: ManagedDOI) -> Target:
    """What the record (or draft, or parent) says DataCite should hold for the row's DOI."""
    if row.kind == DOIKind.PARENT:
        return targets.concept_target(RDMParent.get_record(row.object_uuid), row.pid_value)
    model = RDMRecord.model_cls.query.filter_by(id=row.object_uuid).one_or_none()
    if model is not None:
        return targets.record_target(RDMRecord(model.data, model=model), row.pid_value)
    draft = RDMDraft.model_cls.query.filter_by(id=row.object_uuid).one_or_none()
    if draft is None or draft.is_deleted:
        return Target(DOIState.NONE)
    return targets.draft_target(RDMDraft(draft.data, model=draft), row.pid_value)


def mismatches(rows: list[ManagedDOI], held: dict[str, dict[str, Any]]) -> list[str]:
    """DOIs whose state, URL or metadata at the sandbox differ from the expected ones."""
    problems = []
    for row in rows:
        target = expected_target(row)
        state = coerce(target.state, row.remote_state)
        problems += held_problems(row.doi, state, target.url, target.payload, held.get(row.doi))
    return problems
