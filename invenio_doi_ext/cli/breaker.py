"""``invenio doi breaker show|reset``: the instance-wide pause of DataCite calls."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from invenio_db import db

from ..lifecycle import breaker
from .group import doi


@doi.group("breaker")
def breaker_group() -> None:
    """The instance-wide pause of DataCite calls (after bad credentials or an outage)."""


@breaker_group.command("show")
@with_appcontext
def breaker_show() -> None:
    """Show whether calls are paused (exit 1 when they are)."""
    row = breaker.state()
    until = breaker.paused_until()
    click.echo(f"state: {'open (calls paused until ' + until.isoformat() + ')' if until else 'closed'}")
    click.echo(f"consecutive failures: {row.consecutive_failures}")
    click.echo(f"reason: {row.reason or '-'}")
    raise SystemExit(1 if until else 0)


@breaker_group.command("reset")
@with_appcontext
def breaker_reset() -> None:
    """Resume calls now (after fixing the credentials, or once DataCite is back)."""
    breaker.reset()
    db.session.commit()
    click.echo("Breaker closed: calls to DataCite resume.")
