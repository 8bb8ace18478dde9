"""``invenio doi ...``: the operator's commands.

Exit codes: 0 all good, 1 drift or failures remain, 2 bad input (click's usage
errors). Bulk commands walk the table by id in bounded batches, commit per batch
and go through the rate-limited gateway, so they can be interrupted and rerun.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from invenio_db import db

from . import settings
from .lifecycle import breaker
from .lifecycle.client import current_gateway
from .lifecycle.converge import Step, converge
from .lifecycle.desired import get_row
from .lifecycle.enqueue import send, take_touched
from .lifecycle.models import CircuitBreaker, ManagedDOI, utcnow
from .monitoring import cli as monitoring_cli
from .rdm import sync as rdm_sync
from .resources import operations, queries, serialize, verify
from .resources.doi_input import InvalidDOIError, is_ours, parse_doi

ACTOR = "cli"

#: Consecutive unanswered reads after which ``verify`` stops (DataCite is down).
VERIFY_MAX_ERRORS = 10


class DOIType(click.ParamType):
    """A DOI argument: refused with the reason (exit 2) before anything is read."""

    name = "doi"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_doi(value)
        except InvalidDOIError as exc:
            self.fail(str(exc), param, ctx)


class SinceType(click.ParamType):
    """``--since``: an ISO date/time or an age such as ``12h`` or ``7d``."""

    name = "since"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None):
        try:
            return queries.parse_since(value)
        except queries.FilterError as exc:
            self.fail(str(exc), param, ctx)


DOI = DOIType()


def managed_row(doi: str, param: str = "DOI") -> ManagedDOI:
    """The row of a DOI the operator named, or a usage error (exit 2) saying why not."""
    row = get_row(doi)
    if row is None:
        reason = (
            "no such DOI is managed" if is_ours(doi) else "its prefix is not one this instance mints under"
        )
        raise click.BadParameter(f"{doi!r} is not managed by this instance: {reason}.", param_hint=param)
    return row


@click.group()
def doi() -> None:
    """DataCite DOIs managed by invenio-doi-ext."""


@doi.command("config")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
def show_config(fmt: str) -> None:
    """Print the effective configuration (secrets masked) and the active providers."""
    shown = settings.effective(current_app.config)
    shown["(active) record DOI providers"] = _providers("RDM_PERSISTENT_IDENTIFIER_PROVIDERS")
    shown["(active) concept DOI providers"] = _providers("RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS")
    if fmt == "json":
        click.echo(json.dumps(shown, indent=2, default=str))
        return
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        click.echo(f"{key.ljust(width)}  {value}")


def _providers(key: str) -> list[str]:
    return [
        f"{provider.name}: {type(provider).__module__}.{type(provider).__qualname__}"
        for provider in current_app.config.get(key, [])
    ]


# -- status and list ------------------------------------------------------------------


@doi.command("status")
@click.argument("doi_value", metavar="DOI", type=DOI)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--history", "history", type=click.IntRange(min=0), default=None, help="Newest N events only.")
@with_appcontext
def status(doi_value: str, fmt: str, history: int | None) -> None:
    """Everything about one DOI: both sides, derived DSpace state, last error, history.

    Exit 1 when the DOI is failed or not yet in sync.
    """
    row = managed_row(doi_value)
    data = serialize.detail(row, history_limit=history)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        _print_status(data)
    raise SystemExit(0 if row.in_sync and not row.failed else 1)


def _print_status(data: dict) -> None:
    desired, remote = data["desired"], data["remote"]
    lines = [
        ("DOI", data["doi"]),
        ("Kind", data["kind"]),
        ("Status", data["label"]),
        ("DSpace state", data["dspace_state"]),
        ("In sync", "yes" if data["in_sync"] else "no"),
        ("Failed", "yes" if data["failed"] else "no"),
        ("Desired state", desired["state"]),
        ("Desired URL", desired["url"]),
        ("Desired fingerprint", desired["fingerprint"]),
        ("Desired changed", desired["changed"]),
        ("Remote state", remote["state"]),
        ("Remote URL", remote["url"]),
        ("Remote fingerprint", remote["fingerprint"]),
        ("Remote checked", remote["checked"]),
        ("Attempts", data["attempts"]),
        ("Next attempt", data["next_attempt_at"]),
        ("Lease until", data["lease_until"]),
        ("Last HTTP status", data["last_status"]),
        ("Last error", data["last_error"]),
        ("Record/parent id", data["object_uuid"]),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"{label.ljust(width)}  {'-' if value is None else value}")
    click.echo(f"History ({len(data['history'])} events, oldest first):")
    for item in data["history"]:
        change = f"{item['from_state'] or '-'} -> {item['to_state'] or '-'}"
        call = " ".join(
            str(part) for part in (item["operation"], item["http_status"], item["outcome"]) if part
        )
        click.echo(f"  {item['created']}  {item['actor']:<16} {item['action']:<9} {change:<24} {call}")
        if item["message"]:
            click.echo(f"      {item['message']}")


TABLE_COLUMNS = (
    ("doi", "DOI", 44),
    ("label", "STATUS", 12),
    ("dspace_state", "DSPACE STATE", 26),
    ("desired_state", "DESIRED", 10),
    ("remote_state", "REMOTE", 10),
    ("attempts", "ATT", 4),
    ("next_attempt_at", "NEXT ATTEMPT", 19),
)
CSV_FIELDS = (
    "doi",
    "kind",
    "label",
    "dspace_state",
    "desired_state",
    "remote_state",
    "in_sync",
    "failed",
    "attempts",
    "next_attempt_at",
    "last_status",
    "last_error",
    "updated",
)


def write_listing(rows: Iterable[Any], fmt: str, echo: Callable[..., None], flush_every: int = 2000) -> int:
    """Write rows as a table, a JSON array or CSV, in chunks; returns how many."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if fmt == "table":
        out.write("  ".join(title.ljust(width) for _, title, width in TABLE_COLUMNS) + "  LAST ERROR\n")
    elif fmt == "csv":
        writer.writerow(CSV_FIELDS)
    else:
        out.write("[")
    count = 0
    for row in rows:
        item = serialize.summary(row)
        if fmt == "table":
            cells = (
                "-"
                if item[key] is None
                else str(item[key])[:19]
                if key == "next_attempt_at"
                else str(item[key])
                for key, _, _ in TABLE_COLUMNS
            )
            line = "  ".join(cell.ljust(width) for cell, (_, _, width) in zip(cells, TABLE_COLUMNS))
            out.write(line + "  " + (item["last_error"] or "")[:80].replace("\n", " ") + "\n")
        elif fmt == "csv":
            writer.writerow(["" if item[key] is None else item[key] for key in CSV_FIELDS])
        else:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(item))
        count += 1
        if count % flush_every == 0:
            echo(out.getvalue(), nl=False)
            out.seek(0)
            out.truncate()
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    echo(out.getvalue(), nl=False)
    return count


@doi.command("list")
@click.option(
    "--state",
    type=click.Choice(queries.STATE_CHOICES, case_sensitive=False),
    default=None,
    help="A DataCite state (matched against the desired state) or a DSpace state name.",
)
@click.option("--failed", is_flag=True, help="Only DOIs DataCite refused (waiting for an operator).")
@click.option("--out-of-sync", is_flag=True, help="Only DOIs that DataCite does not hold as it should.")
@click.option("--awaiting-approval", is_flag=True, help="Only DOIs whose DOI request waits for a curator.")
@click.option(
    "--since", type=SinceType(), default=None, help="Changed since an ISO date/time or an age (12h, 7d)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@with_appcontext
def list_dois(
    state: str | None, failed: bool, out_of_sync: bool, awaiting_approval: bool, since, fmt: str
) -> None:
    """List managed DOIs, streamed in id order (memory stays flat for any number)."""
    row_filter = queries.RowFilter(
        state=state,
        failed=True if failed else None,
        out_of_sync=out_of_sync,
        since=since,
        awaiting_approval=awaiting_approval,
    )
    count = write_listing(queries.stream(row_filter), fmt, click.echo)
    if fmt == "table":
        click.echo(f"{count} DOI(s)", err=True)


# -- sync and retry -----------------------------------------------------------------


@dataclass
class Tally:
    """Counts shown by the progress bar and the summary."""

    total: int
    done: int = 0
    failed: int = 0
    waiting: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed

    def line(self) -> str:
        return f"done {self.done}, failed {self.failed}, remaining {self.remaining}"


def _selected_batches(
    rows: list[ManagedDOI], all_: bool, failed: bool, size: int
) -> Iterator[list[ManagedDOI]]:
    if rows:
        yield rows
    if all_:
        yield from queries.batches(
            queries.rows_query(queries.RowFilter(failed=False, out_of_sync=True)), size
        )
    if failed:
        yield from queries.batches(queries.rows_query(queries.RowFilter(failed=True)), size)


def _count(rows: list[ManagedDOI], all_: bool, failed: bool) -> int:
    total = len(rows)
    if all_:
        total += queries.rows_query(queries.RowFilter(failed=False, out_of_sync=True)).count()
    if failed:
        total += queries.rows_query(queries.RowFilter(failed=True)).count()
    return total


@doi.command("sync")
@click.argument("dois", metavar="[DOI]...", nargs=-1, type=DOI)
@click.option("--all", "all_", is_flag=True, help="Every DOI that is out of sync and not failed.")
@click.option("--failed", is_flag=True, help="Every failed DOI (the failure is cleared).")
@click.option(
    "--wait", is_flag=True, help="Converge here and now, with a progress bar, instead of enqueueing."
)
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
@with_appcontext
def sync_cmd(dois: tuple[str, ...], all_: bool, failed: bool, wait: bool, batch_size: int) -> None:
    """Converge DOIs now: the named ones, --all out-of-sync ones, --failed ones.

    Named and failed DOIs have their failure cleared (the operator asked for
    them); --all leaves failed DOIs alone. Without --wait the work is handed to
    the Celery workers; with --wait it is done in this process.
    """
    if not (dois or all_ or failed):
        raise click.UsageError("Name DOIs, or give --all or --failed.")
    named = [managed_row(value) for value in dict.fromkeys(dois)]
    tally = Tally(total=_count(named, all_, failed))
    if not wait:
        queued = 0
        for batch in _selected_batches(named, all_, failed, batch_size):
            ids = _make_due([row.id for row in batch], "sync")
            for row_id in ids:
                send(row_id)
            queued += len(ids)
        click.echo(
            f"{queued} DOI(s) handed to the workers; follow them with `invenio doi list --out-of-sync`."
        )
        return
    ok = _converge_with_progress(_selected_batches(named, all_, failed, batch_size), tally, prepare=True)
    raise SystemExit(0 if ok else 1)


def _make_due(ids: list[int], operation: str) -> list[int]:
    """Lock, make due (clearing failures) and commit one batch; ids that need work."""
    due = []
    for row_id in ids:
        row = operations.lock(row_id)
        if row is not None and operations.make_due(row, ACTOR, operation):
            due.append(row_id)
    db.session.commit()
    return due


def _converge_with_progress(batches: Iterable[list[ManagedDOI]], tally: Tally, prepare: bool) -> bool:
    """Converge every row in-process with a progress bar; True when all ended in sync."""
    paused = None
    try:
        with click.progressbar(
            length=tally.total, label="Converging", show_pos=True, item_show_func=lambda text: text
        ) as bar:
            for batch in batches:
                ids = [row.id for row in batch]
                if prepare:
                    ids = _make_due(ids, "sync")
                    bar.update(len(batch) - len(ids))
                    tally.done += len(batch) - len(ids)
                for row_id in ids:
                    step, row = converge(row_id, actor=ACTOR, force=True)
                    if step == Step.PAUSED:
                        paused = breaker.paused_until()
                        break
                    _count_outcome(tally, row)
                    bar.update(1, tally.line())
                if paused:
                    break
    except KeyboardInterrupt:
        db.session.rollback()
        click.echo(f"\nInterrupted: {tally.line()}. Rerun the same command to continue.", err=True)
        raise SystemExit(1) from None
    click.echo(tally.line())
    if paused:
        reason = db.session.get(CircuitBreaker, 1)
        click.echo(
            f"Calls to DataCite are paused until {paused.isoformat()} ({reason.reason if reason else ''}); "
            "see `invenio doi breaker show`.",
            err=True,
        )
    return tally.failed == 0 and tally.remaining == 0


def _count_outcome(tally: Tally, row: ManagedDOI | None) -> None:
    if row is None or (row.in_sync and not row.failed):
        tally.done += 1
    elif row.failed:
        tally.failed += 1
    else:
        tally.waiting += 1  # a retryable failure: the worker retries after its back-off


@doi.command("retry")
@click.argument("doi_value", metavar="DOI", type=DOI)
@with_appcontext
def retry(doi_value: str) -> None:
    """Clear a DOI's failure, reset its attempts, and hand it to a worker now."""
    row = operations.lock(managed_row(doi_value).id)
    doi_name, previous = row.doi, row.last_error or "out of sync"
    if not operations.retry(row, ACTOR):
        db.session.commit()
        click.echo(f"{row.doi} is in sync; nothing to retry.")
        return
    row_id = row.id
    db.session.commit()
    send(row_id)
    click.echo(f"{doi_name} handed to the workers (was: {previous}).")


# -- reserve-unreserved ---------------------------------------------------------------


@doi.command("reserve-unreserved")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
@with_appcontext
def reserve_unreserved(batch_size: int) -> None:
    """Reserve at DataCite every never-published draft's DOI it does not hold yet.

    Dataverse's recommended cron step: drafts whose row waits for a reservation,
    and drafts with a DataCite DOI but no row at all (minted before installation).
    """
    if not current_app.config.get("DOI_EXT_RESERVE_ON_DRAFT", True):
        click.echo("DOI_EXT_RESERVE_ON_DRAFT is off: drafts are not reserved at DataCite.", err=True)
        raise SystemExit(1)
    tally = Tally(total=queries.unreserved_rows_query().count() + queries.rowless_draft_pids_query().count())
    skipped: list[str] = []

    def prepared() -> Iterator[list[ManagedDOI]]:
        rows_q = queries.unreserved_rows_query().filter(ManagedDOI.failed.is_(False))
        for batch in queries.batches(rows_q, batch_size):
            yield _refresh_drafts([(row.doi, row) for row in batch], skipped)
        for pids in queries.pid_batches(queries.rowless_draft_pids_query(), batch_size):
            yield _refresh_drafts([(pid.pid_value, None) for pid in pids], skipped)

    tally.failed += queries.unreserved_rows_query().filter(ManagedDOI.failed.is_(True)).count()
    ok = _converge_with_progress(prepared(), tally, prepare=False)
    if skipped:
        click.echo(f"Skipped (no never-published draft carries them): {', '.join(skipped)}", err=True)
    raise SystemExit(0 if ok and not skipped else 1)


def _refresh_drafts(items: list[tuple[str, ManagedDOI | None]], skipped: list[str]) -> list[ManagedDOI]:
    """Recompute each draft's desired state (creating missing rows); commit the batch."""
    rows = []
    for doi_value, row in items:
        draft = operations.find_draft(doi_value, row)
        if draft is None:
            skipped.append(doi_value)
            continue
        rdm_sync.sync_version(draft, "reserve-unreserved", doi=doi_value if row is None else row.pid_value)
        fresh = get_row(doi_value)
        if fresh is not None:
            rows.append(fresh)
    take_touched(db.session)  # converged right here, not by a second task
    db.session.commit()
    return rows


# -- verify -------------------------------------------------------------------------


@doi.command("verify")
@click.option("--fix", is_flag=True, help="Record what DataCite really holds and make drifted DOIs due.")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
@with_appcontext
def verify_cmd(fix: bool, batch_size: int) -> None:
    """Read every managed DOI back from DataCite and report drift.

    Drift: missing (DataCite does not hold it), wrong state, different metadata,
    different URL. Exit 1 when any drift was found or a DOI could not be read.
    """
    gateway = current_gateway()
    checked = drifted = fixed = unreadable = consecutive_errors = 0
    by_problem: dict[str, int] = {}
    for batch in queries.batches(queries.rows_query(), batch_size):
        results = []
        for row in batch:
            result = verify.check(row, gateway)
            checked += 1
            if result.error:
                unreadable += 1
                consecutive_errors += 1
                click.echo(f"{row.doi}  not verified: {result.error}", err=True)
                if consecutive_errors >= VERIFY_MAX_ERRORS:
                    db.session.rollback()
                    click.echo(
                        f"DataCite did not answer {consecutive_errors} times in a row; stopped after "
                        f"{checked} DOI(s). Rerun when it is back.",
                        err=True,
                    )
                    raise SystemExit(1)
                continue
            consecutive_errors = 0
            if result.drift:
                drifted += 1
                for problem in result.problems:
                    by_problem[problem] = by_problem.get(problem, 0) + 1
                click.echo(_drift_line(row, result))
                results.append(result)
        db.session.commit()  # ends the read transaction of the batch
        if fix and results:
            fixed_ids = _fix(results)
            fixed += len(fixed_ids)
            for row_id in fixed_ids:
                send(row_id)
    detail = ", ".join(f"{name} {count}" for name, count in sorted(by_problem.items()))
    click.echo(
        f"checked {checked}, drift {drifted}{f' ({detail})' if detail else ''}, "
        f"not verified {unreadable}" + (f", fixed {fixed}" if fix else "")
    )
    raise SystemExit(1 if drifted or unreadable else 0)


def _drift_line(row: ManagedDOI, result: verify.Check) -> str:
    held = "nothing" if verify.MISSING in result.problems else f"{result.state} {result.url or '-'}"
    return (
        f"{row.doi}  {', '.join(result.problems)}: expected {row.remote_state} "
        f"{row.remote_url or '-'}, DataCite holds {held}"
    )


def _fix(results: list[verify.Check]) -> list[int]:
    """Apply the fixes of one batch under row locks; rows changed meanwhile are left."""
    now = utcnow()
    fixed = []
    for result in results:
        row = operations.lock(result.row_id)
        if row is None or row.version_id != result.version or (row.lease_until and row.lease_until > now):
            click.echo(f"{result.doi}  changed while being verified; not fixed (rerun verify).", err=True)
            continue
        verify.fix(row, result)
        operations.log_operator(row, ACTOR, "verify", "drift: " + ", ".join(result.problems))
        fixed.append(row.id)
    db.session.commit()
    return fixed


# -- breaker ------------------------------------------------------------------------


@doi.group("breaker")
def breaker_group() -> None:
    """The instance-wide pause of DataCite calls (after bad credentials or an outage)."""


@breaker_group.command("show")
@with_appcontext
def breaker_show() -> None:
    """Show whether calls are paused (exit 1 when they are)."""
    row = db.session.get(CircuitBreaker, 1)
    until = breaker.paused_until()
    click.echo(f"state: {'open (calls paused until ' + until.isoformat() + ')' if until else 'closed'}")
    click.echo(f"consecutive failures: {row.consecutive_failures if row else 0}")
    click.echo(f"reason: {row.reason if row and row.reason else '-'}")
    raise SystemExit(1 if until else 0)


@breaker_group.command("reset")
@with_appcontext
def breaker_reset() -> None:
    """Resume calls now (after fixing the credentials, or once DataCite is back)."""
    breaker.reset()
    db.session.commit()
    click.echo("Breaker closed: calls to DataCite resume.")


# -- adopt --------------------------------------------------------------------------


@doi.command("adopt")
@click.option("--dry-run", is_flag=True, help="Report what upstream left behind; change nothing.")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--report", type=click.File("w"), default=None, help="Also write every DOI's findings as CSV.")
@with_appcontext
def adopt_cmd(dry_run: bool, batch_size: int, report: Any) -> None:
    """Take over the DOIs of an instance that used upstream's DataCite provider.

    Every DOI of the ``datacite`` provider without a lifecycle row is read back
    from DataCite (rate-limited) and given a row whose remote side is what
    DataCite really holds, so that the workers repair any difference. Reports
    what upstream left behind. Resumable: DOIs already adopted are skipped.
    Exit 1 when some DOIs could not be read (rerun to resume).
    """
    from collections import Counter

    from .rdm import adopt

    total = adopt.count_candidates()
    writer = csv.writer(report) if report else None
    if writer:
        writer.writerow(["doi", "kind", "local_status", "desired", "datacite", "findings", "error"])
    findings: Counter[str] = Counter()
    adopted = unreadable = 0
    with click.progressbar(length=total, label="adopting", file=click.get_text_stream("stderr")) as bar:
        for result in adopt.adopt(current_gateway(), dry_run=dry_run, batch_size=batch_size):
            bar.update(1)
            adopted += result.adopted
            if result.error:
                unreadable += 1
                click.echo(f"{result.doi}  not read: {result.error}", err=True)
            for finding in result.findings:
                findings[finding] += 1
                click.echo(f"{result.doi}  {finding}")
            if writer:
                writer.writerow(
                    [result.doi, result.kind, result.local_status, result.desired_state,
                     result.remote_state, "; ".join(result.findings), result.error or ""]
                )
    detail = ", ".join(f"{name}: {count}" for name, count in findings.most_common())
    verb = "would adopt" if dry_run else "adopted"
    click.echo(
        f"{verb} {total - unreadable if dry_run else adopted} of {total} DOI(s); "
        f"not read {unreadable}; findings: {detail or 'none'}"
    )
    raise SystemExit(1 if unreadable else 0)


# -- giving a DOI to a published record --------------------------------------------------


@doi.command("assign")
@click.argument("record_id", metavar="RECORD_ID")
@with_appcontext
def assign_cmd(record_id: str) -> None:
    """Give a DOI to a published record that has none (excluded by a DOI filter, or older).

    The DOI set aside for the record is reused if there is one; the concept gets
    a DOI too if it has none. Workers register them at DataCite after the commit.
    Exit 2 for an unknown or malformed record id, 1 when the record cannot get one.
    """
    from .rdm import assign

    try:
        result = assign.assign_doi(record_id, ACTOR)
    except (assign.InvalidRecordIdError, assign.RecordNotFoundError) as exc:
        raise click.BadParameter(str(exc), param_hint="RECORD_ID") from exc
    except assign.AssignError as exc:
        raise click.ClickException(str(exc)) from exc
    how = "the DOI set aside for it" if result.reused else "a new DOI"
    click.echo(f"record {result.record_id}: {how} {result.doi}")
    if result.concept_doi:
        click.echo(f"concept DOI {result.concept_doi}")
    click.echo(f"registration queued; follow it with: invenio doi status {result.doi}")


doi.add_command(monitoring_cli.stats)
