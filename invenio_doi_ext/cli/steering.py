"""Commands that steer DOIs: ``sync``, ``retry``, ``reserve-unreserved``, ``verify``,
``adopt``, ``assign``. Each parses its input, calls ``services``, prints the outcome."""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

import click
from flask.cli import with_appcontext
from invenio_access.permissions import system_identity

from ..lifecycle.client import current_gateway
from ..lifecycle.models import DOIKind
from ..rdm import adopt, assign
from ..services import bulk, credentials, queries, verify_pass
from ..services.dois import DOIService
from .group import ACTOR, DOI, doi, managed_row
from .output import show_progress


def _prove_credentials() -> None:
    """Stop (exit 1) before a pass acts on reads that wrong credentials make meaningless."""
    try:
        credentials.prove(current_gateway)  # every account's credentials
    except credentials.CredentialsError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


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
    batches = bulk.selected_batches(named, all_, failed, batch_size)
    if not wait:
        queued = bulk.hand_to_workers(batches, ACTOR)
        click.echo(
            f"{queued} DOI(s) handed to the workers; follow them with `invenio doi list --out-of-sync`."
        )
        return
    tally = bulk.Tally(total=bulk.count_selected(named, all_, failed))
    ok = show_progress(bulk.converge_here(batches, tally, actor=ACTOR, prepare=True), tally)
    raise SystemExit(0 if ok else 1)


@doi.command("retry")
@click.argument("doi_value", metavar="DOI", type=DOI)
@with_appcontext
def retry(doi_value: str) -> None:
    """Clear a DOI's failure, reset its attempts, and hand it to a worker now."""
    row = managed_row(doi_value)
    doi_name, previous = row.doi, row.last_error or "out of sync"
    _, retried = DOIService().retry(system_identity, doi_value, actor=ACTOR)
    if not retried:
        click.echo(f"{doi_name} is in sync; nothing to retry.")
        return
    click.echo(f"{doi_name} handed to the workers (was: {previous}).")


_KIND = click.option(
    "--kind",
    type=click.Choice(queries.KIND_CHOICES),
    default=None,
    help="Only version (record), concept (parent) or file DOIs.",
)


@doi.command("reserve-unreserved")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
@_KIND
@with_appcontext
def reserve_unreserved(batch_size: int, kind: str | None) -> None:
    """Reserve at DataCite every never-published draft's DOI it does not hold yet.

    Dataverse's recommended cron step: drafts whose row waits for a reservation,
    and drafts with a DataCite DOI but no row at all (minted before installation).
    """
    try:
        bulk.check_reservation_on()
    except bulk.ReservationOffError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    _prove_credentials()
    tally = bulk.unreserved_tally(kind)
    skipped: list[str] = []
    batches = bulk.unreserved_batches(batch_size, skipped, kind)
    ok = show_progress(bulk.converge_here(batches, tally, actor=ACTOR, prepare=False), tally)
    if skipped:
        click.echo(f"Skipped (no never-published draft carries them): {', '.join(skipped)}", err=True)
    raise SystemExit(0 if ok and not skipped else 1)


@doi.command("verify")
@click.option("--fix", is_flag=True, help="Record what DataCite really holds and make drifted DOIs due.")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=200, show_default=True)
@_KIND
@with_appcontext
def verify_cmd(fix: bool, batch_size: int, kind: str | None) -> None:
    """Read every managed DOI back from DataCite and report drift.

    Drift: missing (DataCite does not hold it), wrong state, different metadata,
    different URL. Exit 1 when any drift was found or a DOI could not be read.
    """
    report = verify_pass.VerifyReport()
    found = verify_pass.run(current_gateway, report, fix=fix, batch_size=batch_size, actor=ACTOR, kind=kind)
    for finding in found:
        click.echo(f"{finding.doi}  {finding.text}", err=finding.kind != verify_pass.DRIFT)
    if report.stopped:
        click.echo(report.stopped, err=True)
        raise SystemExit(1)
    detail = ", ".join(f"{name} {count}" for name, count in sorted(report.by_problem.items()))
    click.echo(
        f"checked {report.checked}, drift {report.drifted}{f' ({detail})' if detail else ''}, "
        f"not verified {report.unreadable}" + (f", fixed {report.fixed}" if fix else "")
    )
    raise SystemExit(0 if report.clean else 1)


@doi.command("adopt")
@click.option("--dry-run", is_flag=True, help="Report what upstream left behind; change nothing.")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--report", type=click.File("w"), default=None, help="Also write every DOI's findings as CSV.")
@click.option(
    "--kind",
    type=click.Choice([DOIKind.FILE.value]),
    default=None,
    help="file: file DOIs (upstream never minted any, so there is nothing to adopt).",
)
@with_appcontext
def adopt_cmd(dry_run: bool, batch_size: int, report: Any, kind: str | None) -> None:
    """Take over the DOIs of an instance that used upstream's DataCite provider.

    Every DOI of the ``datacite`` provider without a lifecycle row is read back
    from DataCite (rate-limited) and given a row whose remote side is what
    DataCite really holds, so that the workers repair any difference. Reports
    what upstream left behind. Resumable: DOIs already adopted are skipped.
    Exit 1 when some DOIs could not be read (rerun to resume). File DOIs are
    minted by this package only: ``--kind file`` finds none to adopt (``verify``
    compares the file DOIs this instance manages with DataCite).
    """
    if kind == DOIKind.FILE:
        click.echo("adopted 0 file DOI(s): upstream InvenioRDM mints no file DOIs; use 'verify --kind file'.")
        raise SystemExit(0)
    _prove_credentials()
    total = adopt.count_candidates()
    writer = csv.writer(report) if report else None
    if writer:
        writer.writerow(["doi", "kind", "local_status", "desired", "datacite", "findings", "error"])
    findings: Counter[str] = Counter()
    adopted = unreadable = 0
    with click.progressbar(length=total, label="adopting", file=click.get_text_stream("stderr")) as bar:
        for result in adopt.adopt(current_gateway, dry_run=dry_run, batch_size=batch_size):
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


@doi.command("assign")
@click.argument("record_id", metavar="RECORD_ID")
@with_appcontext
def assign_cmd(record_id: str) -> None:
    """Give a DOI to a published record that has none (excluded by a DOI filter, or older).

    The DOI set aside for the record is reused if there is one; the concept gets
    a DOI too if it has none. Workers register them at DataCite after the commit.
    Exit 2 for an unknown or malformed record id, 1 when the record cannot get one.
    """
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
