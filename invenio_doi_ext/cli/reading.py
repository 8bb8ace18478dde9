"""Commands that only read: ``config``, ``status``, ``list``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import settings
from ..services import queries, serialize
from .group import DOI, SinceType, doi, managed_row
from .output import print_status, write_listing


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
        print_status(data)
    raise SystemExit(0 if row.in_sync and not row.failed else 1)


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
@click.option("--account", default=None, metavar="NAME", help="Only DOIs of this DataCite account.")
@click.option(
    "--kind",
    type=click.Choice(queries.KIND_CHOICES),
    default=None,
    help="Only version (record), concept (parent) or file DOIs.",
)
@click.option(
    "--since", type=SinceType(), default=None, help="Changed since an ISO date/time or an age (12h, 7d)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@with_appcontext
def list_dois(
    state: str | None,
    failed: bool,
    out_of_sync: bool,
    awaiting_approval: bool,
    account: str | None,
    kind: str | None,
    since,
    fmt: str,
) -> None:
    """List managed DOIs, streamed in id order (memory stays flat for any number)."""
    try:
        row_filter = queries.RowFilter(
            state=state,
            failed=True if failed else None,
            out_of_sync=out_of_sync,
            since=since,
            awaiting_approval=awaiting_approval,
            account=account,
            kind=kind,
        )
    except queries.FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field}") from None
    count = write_listing(queries.stream(row_filter), fmt, click.echo)
    if fmt == "table":
        click.echo(f"{count} DOI(s)", err=True)
