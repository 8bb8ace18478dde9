"""``invenio doi breaker show|reset``: the pause of DataCite calls, per DataCite account."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from invenio_db import db

from .. import settings
from ..lifecycle import breaker
from .group import doi


@doi.group("breaker")
def breaker_group() -> None:
    """The pause of DataCite calls of an account (after bad credentials or an outage)."""


def _account_option(value: str | None) -> str | None:
    if value is not None and value not in settings.account_names():
        raise click.BadParameter(
            f"unknown account {value!r}; one of: {', '.join(settings.account_names())}",
            param_hint="--account",
        )
    return value


@breaker_group.command("show")
@click.option("--account", default=None, metavar="NAME", help="Only this DataCite account's breaker.")
@with_appcontext
def breaker_show(account: str | None) -> None:
    """Show whether calls are paused, per account (exit 1 when any is)."""
    account = _account_option(account)
    if account:
        rows = [breaker.state(account)]
    else:  # every configured account, then any other that still has a breaker
        names = settings.account_names()
        rows = [breaker.state(name) for name in names]
        rows += [row for row in breaker.states() if row.account not in names]
    any_open = False
    for row in rows:
        until = breaker.paused_until(account=row.account)
        any_open = any_open or until is not None
        click.echo(f"account: {row.account}")
        click.echo(f"state: {'open (calls paused until ' + until.isoformat() + ')' if until else 'closed'}")
        click.echo(f"consecutive failures: {row.consecutive_failures}")
        click.echo(f"reason: {row.reason or '-'}")
    db.session.commit()  # an account's row is made the first time it is asked for
    raise SystemExit(1 if any_open else 0)


@breaker_group.command("reset")
@click.option("--account", default=None, metavar="NAME", help="Only this account (default: every account).")
@with_appcontext
def breaker_reset(account: str | None) -> None:
    """Resume calls now (after fixing the credentials, or once DataCite is back)."""
    account = _account_option(account)
    breaker.reset(account)
    db.session.commit()
    which = f"of account {account!r} " if account else ""
    click.echo(f"Breaker closed: calls to DataCite {which}resume.")
