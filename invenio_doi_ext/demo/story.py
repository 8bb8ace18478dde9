"""The demo's story, told through the real InvenioRDM records service.

Each step acts like a depositor or an operator would, waits until the Celery
worker has converged every DOI (or shows why not), and prints the table.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from invenio_access.permissions import system_identity
from invenio_db import db

from ..lifecycle import breaker
from ..lifecycle.models import ManagedDOI
from ..lifecycle.states import status_label
from .mailbox import Mailbox, plain_text
from .report import Snapshot, format_table, legend

#: How a concept DOI (the DOI of all versions of the record above it) is labelled.
CONCEPT = "  its concept DOI"

LONG_LICENCE = "Custom licence. " + "Terms and conditions apply to every use of this dataset. " * 40


def dataset(title: str, *, restricted: bool = False, rights_title: str | None = None) -> dict[str, Any]:
    """A dataset as a depositor fills in the deposit form."""
    metadata: dict[str, Any] = {
        "title": title,
        "publication_date": "2025-03-14",
        "publisher": "Demo Repository",
        "resource_type": {"id": "dataset"},
        "creators": [
            {"person_or_org": {"type": "personal", "family_name": "Rossi", "given_name": "Chiara"}},
            {"person_or_org": {"type": "personal", "family_name": "Okafor", "given_name": "Emeka"}},
        ],
        "description": f"<p>{title}: measurements and processing scripts.</p>",
    }
    if rights_title:
        metadata["rights"] = [{"title": {"en": rights_title}}]
    access = "restricted" if restricted else "public"
    return {"access": {"record": access, "files": access}, "files": {"enabled": False}, "metadata": metadata}


@dataclass
class Tracked:
    """One DOI of the story and what DataCite must finally hold for it."""

    what: str
    doi: str
    expected_state: str
    expected_title: str | None = None
    concept_of: str | None = None

    def name(self) -> str:
        """How a problem names this DOI: the record, or whose concept DOI it is."""
        return f"concept DOI of the {self.concept_of}" if self.concept_of else self.what


@dataclass
class Story:
    """Steps, snapshots and the final check."""

    service: Any
    identity: Any
    sandbox: Any
    echo: Callable[[str], None]
    timeout: float = 60.0
    mailbox: Mailbox | None = None
    tracked: dict[str, Tracked] = field(default_factory=dict)
    snapshots: list[Snapshot] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)

    # -- helpers ----------------------------------------------------------------------

    def track(self, what: str, item: Any, state: str, title: str | None) -> str:
        """Follow a published record's DOI and its concept DOI, which DataCite must hold alike."""
        doi = item.data["pids"]["doi"]["identifier"]
        self.tracked[doi] = Tracked(what, doi, state, title)
        concept_doi = item.data["parent"]["pids"]["doi"]["identifier"]
        self.tracked[concept_doi] = Tracked(CONCEPT, concept_doi, state, title, concept_of=what)
        return doi

    def expect(self, doi: str, state: str, title: str | None) -> None:
        """Change what DataCite must end up holding for a tracked DOI."""
        self.tracked[doi].expected_state = state
        self.tracked[doi].expected_title = title

    def rows(self) -> list[dict[str, Any]]:
        """The tracked DOIs as the lifecycle and the sandbox see them now."""
        db.session.expire_all()
        found = {row.doi: row for row in ManagedDOI.query.filter(ManagedDOI.doi.in_(self.tracked))}
        table = []
        for doi, tracked in self.tracked.items():
            row = found.get(doi)
            remote = self.sandbox.control.doi(doi)
            table.append(
                {
                    "what": tracked.what,
                    "doi": doi,
                    "desired": row.desired_state if row else "-",
                    "datacite": remote["state"] if remote else "(absent)",
                    "label": status_label(row) if row else "-",
                    "attempts": row.attempts if row else "-",
                    "error": (row.last_error or "") if row else "",
                    "in_sync": bool(row and row.in_sync and not row.failed),
                }
            )
        db.session.commit()
        return table

    def title_at_datacite(self, doi: str) -> str:
        """The first title DataCite holds for a DOI, as text a reader can quote."""
        remote = self.sandbox.control.doi(doi) or {}
        titles = remote.get("attributes", {}).get("titles") or []
        return f"\u201c{titles[0].get('title', '')}\u201d" if titles else "(none)"

    def show(self, step: str, *notes: str) -> None:
        """Print and keep the table of this step."""
        snapshot = Snapshot(step, self.rows(), list(notes))
        self.snapshots.append(snapshot)
        self.echo(f"\n== {step}")
        for note in notes:
            self.echo(f"   {note}")
        self.echo(format_table(snapshot.rows))

    def wait(self, condition: Callable[[list[dict[str, Any]]], bool] | None = None) -> bool:
        """Wait for the worker (and beat's sweep) until every DOI is in sync, or time out."""
        condition = condition or (lambda rows: all(row["in_sync"] for row in rows))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if condition(self.rows()):
                return True
            time.sleep(0.5)
        return False

    def publish(self, data: dict[str, Any]) -> Any:
        """Create and publish a draft as the depositor."""
        draft = self.service.create(self.identity, data)
        return self.service.publish(self.identity, draft.id)

    def edit_and_publish(self, record_id: str, change: Callable[[dict[str, Any]], None]) -> Any:
        """Edit a published record and publish the change."""
        draft = self.service.edit(self.identity, record_id)
        data = copy.deepcopy(draft.data)
        change(data)
        self.service.update_draft(self.identity, record_id, data)
        return self.service.publish(self.identity, record_id)

    # -- the story ---------------------------------------------------------------------

    def run(self) -> None:
        """Every step in order, after saying once what the tables' columns mean."""
        self.echo("\nThe tables' columns:")
        for line in legend():
            self.echo(f"  {line}")
        public = self.step_public()
        self.step_restricted()
        self.step_refused_metadata()
        self.step_outage()
        self.step_edit(public)
        self.step_tombstone_and_restore(public)

    def step_public(self) -> Any:
        title = "Coastal sea surface temperatures 2024"
        record = self.publish(dataset(title))
        self.track("public dataset", record, "findable", title)
        self.show("1. A public dataset is published (the request returns before DataCite is called)")
        self.wait()
        self.show("   ... and the worker has registered both DOIs")
        return record

    def step_restricted(self) -> None:
        record = self.publish(dataset("Interview transcripts (confidential)", restricted=True))
        doi = self.track("restricted dataset", record, "registered", "Restricted record")
        self.wait()
        self.show(
            "2. A restricted dataset: its DOIs resolve but DataCite holds only redacted metadata",
            "the record's title: \u201cInterview transcripts (confidential)\u201d; "
            f"DataCite's title for it: {self.title_at_datacite(doi)}",
        )

    def step_refused_metadata(self) -> None:
        draft = self.service.create(
            self.identity, dataset("Soil cores, Val Camonica", rights_title=LONG_LICENCE)
        )
        errors = [e for e in (draft.errors or []) if "rights" in e.get("field", "")]
        if not errors:
            draft = self.service.update_draft(self.identity, draft.id, draft.data)
            errors = [e for e in (draft.errors or []) if "rights" in e.get("field", "")]
        notes = [f"deposit form, field {e['field']}: {' '.join(map(str, e['messages']))}" for e in errors]
        if not errors:
            notes.append("(no field error was shown: the validation did not catch it)")
        data = copy.deepcopy(draft.data)
        data["metadata"]["rights"] = [{"title": {"en": "Custom licence: see the README of the dataset."}}]
        self.service.update_draft(self.identity, draft.id, data)
        record = self.service.publish(self.identity, draft.id)
        self.track("fixed licence", record, "findable", "Soil cores, Val Camonica")
        self.wait()
        self.show(
            "3. DataCite's rules are checked when the draft is saved, before anything is sent",
            *notes,
            "the depositor shortens the licence and publishes: registered at the first call",
        )
        self.refused_errors = errors

    def step_outage(self) -> None:
        self.sandbox.control.outage("503_html")
        burst = []
        for number in range(1, 4):
            title = f"Glacier mass balance, station {number}"
            burst.append(self.publish(dataset(title)))
            self.track(f"burst {number}", burst[-1], "findable", title)
        self.wait(lambda rows: self._breaker_engaged())
        self.show(
            "4. DataCite goes down (every answer: an HTML 503) during a burst of three publishes",
            "the records are published; their DOIs wait, retried with back-off; nothing is lost",
            "three failed calls in a row pause every call to DataCite (the breaker opens)",
        )
        self.receive_digest("breaker opened")
        self.sandbox.control.clear_faults()
        self.wait()
        self.show("   ... DataCite is back: beat's sweep and the worker converge every DOI")
        self.receive_digest("calls resumed")

    def receive_digest(self, subject_part: str) -> None:
        """Show the operators' digest e-mail whose subject says ``subject_part``, once it arrives."""
        if self.mailbox is None:
            return
        message = self.mailbox.wait_for(subject_part, self.timeout)
        if message is None:
            self.echo(f"\n   (no digest saying \u201c{subject_part}\u201d reached the operators)")
            return
        text = plain_text(message)
        self.digests.append(text)
        self.echo("\n   The operators' digest e-mail, as sent:")
        for line in text.splitlines():
            self.echo(f"   | {line}")

    def _breaker_engaged(self) -> bool:
        engaged = breaker.state().paused_until is not None
        db.session.commit()
        return engaged

    def step_edit(self, record: Any) -> None:
        title = "Coastal sea surface temperatures 2024 (recalibrated)"

        def retitle(data: dict[str, Any]) -> None:
            data["metadata"]["title"] = title

        self.edit_and_publish(record.id, retitle)
        doi = record.data["pids"]["doi"]["identifier"]
        concept = record.data["parent"]["pids"]["doi"]["identifier"]
        self.expect(doi, "findable", title)
        self.expect(concept, "findable", title)
        self.wait(lambda rows: self._titles_match() and all(row["in_sync"] for row in rows))
        self.show(
            "5. An edit is published: the new title reaches DataCite (for both DOIs)",
            f"DataCite's title now: {self.title_at_datacite(doi)}",
        )

    def step_tombstone_and_restore(self, record: Any) -> None:
        doi = record.data["pids"]["doi"]["identifier"]
        concept = record.data["parent"]["pids"]["doi"]["identifier"]
        title = self.tracked[doi].expected_title
        self.service.delete_record(system_identity, record.id, {})
        self.expect(doi, "registered", title)
        self.expect(concept, "registered", title)
        self.wait(lambda rows: self._states_match() and all(row["in_sync"] for row in rows))
        self.show("6. The record is deleted (tombstone): both DOIs are hidden, never deleted")
        self.service.restore_record(system_identity, record.id)
        self.expect(doi, "findable", title)
        self.expect(concept, "findable", title)
        self.wait(lambda rows: self._states_match() and all(row["in_sync"] for row in rows))
        self.show("7. The record is restored: both DOIs are findable again")

    # -- the verdict -------------------------------------------------------------------

    def _states_match(self) -> bool:
        for doi, tracked in self.tracked.items():
            remote = self.sandbox.control.doi(doi)
            if not remote or remote["state"] != tracked.expected_state:
                return False
        return True

    def _titles_match(self) -> bool:
        for doi, tracked in self.tracked.items():
            remote = self.sandbox.control.doi(doi)
            titles = (remote or {}).get("attributes", {}).get("titles") or [{}]
            if tracked.expected_title and titles[0].get("title") != tracked.expected_title:
                return False
        return True

    def summary(self) -> str:
        """What the verdict checked, counted: DOIs, and the records they belong to."""
        records = sum(1 for tracked in self.tracked.values() if not tracked.concept_of)
        return (
            f"{len(self.tracked)} DOIs checked, the record and concept DOIs of {records} records: "
            "all the demo made"
        )

    def unchecked(self) -> list[str]:
        """DOIs the lifecycle manages or DataCite holds that the story does not check."""
        db.session.expire_all()
        managed = {doi for (doi,) in db.session.query(ManagedDOI.doi)}
        db.session.commit()
        at_datacite = {entry["doi"] for entry in self.sandbox.control.dois()}
        known = {doi.lower() for doi in self.tracked}
        return sorted(doi for doi in managed | at_datacite if doi.lower() not in known)

    def problems(self) -> list[str]:
        """Everything that is not as it must be at the end; empty means success."""
        found = [f"{doi} was made but the demo does not check it" for doi in self.unchecked()]
        for row in self.rows():
            tracked = self.tracked[row["doi"]]
            if not row["in_sync"]:
                found.append(f"{row['doi']} ({tracked.name()}) is not in sync: {row['label']} {row['error']}")
        for doi, tracked in self.tracked.items():
            remote = self.sandbox.control.doi(doi)
            if not remote:
                found.append(f"{doi} ({tracked.name()}) is missing at DataCite")
                continue
            if remote["state"] != tracked.expected_state:
                found.append(
                    f"{doi} ({tracked.name()}) is {remote['state']} at DataCite, not {tracked.expected_state}"
                )
            titles = remote.get("attributes", {}).get("titles") or [{}]
            if tracked.expected_title and titles[0].get("title") != tracked.expected_title:
                held = self.title_at_datacite(doi)
                found.append(
                    f"{doi} ({tracked.name()}) has the title {held} at DataCite, "
                    f"not \u201c{tracked.expected_title}\u201d"
                )
        if self.mailbox is not None and len(self.digests) < 2:
            found.append(
                "the operators were not told of the outage: expected a digest when the breaker "
                f"opened and one when calls resumed, received {len(self.digests)}"
            )
        if not getattr(self, "refused_errors", None):
            found.append("the licence longer than DataCite allows was not reported on the deposit form")
        return found
