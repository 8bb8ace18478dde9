"""``invenio doi stats [--json] [--rebuild]``: the metrics' figures, for a terminal or a script."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from invenio_db import db

from .. import settings
from . import summary as summaries


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def render_text(s: summaries.Summary) -> str:
    """The human form: one figure a line, states sorted by name."""
    lines = [f"DOIs: {s.total}  out of sync: {s.out_of_sync}  failed: {s.failed}"]
    lines += [f"  {name:<28} {count}" for name, count in sorted(s.by_state.items())]
    lines.append(f"oldest out of sync: {_age(s.oldest_out_of_sync_seconds)}")
    lines.append(f"oldest due (waiting for a worker): {_age(s.oldest_due_seconds)}")
    if s.breaker_open:
        lines.append(f"breaker: open until {s.breaker_paused_until.isoformat()} ({s.breaker_reason or '-'})")
    else:
        lines.append(f"breaker: closed (consecutive failures: {s.breaker_failures})")
    for account, state in sorted(s.breakers.items()):
        if account != settings.DEFAULT_ACCOUNT and state["open"]:
            until, reason = state["paused_until"], state["reason"]
            lines.append(f"breaker of account {account}: open until {until} ({reason})")
    calls = ", ".join(f"{o} {c}: {n}" for (o, c), n in sorted(s.calls.items())) or "none"
    lines.append(f"DataCite calls: {calls}")
    waits = ", ".join(f"{source}: {n}" for source, n in sorted(s.rate_limit_waits.items()))
    lines.append(f"rate-limit waits: {waits}")
    return "\n".join(lines)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Recount the maintained summary from the tables first (one full scan; after a restore).",
)
@with_appcontext
def stats(as_json: bool, rebuild: bool) -> None:
    """DOIs by derived state, out of sync, failed, lag, breaker, DataCite calls (exit 0)."""
    if rebuild:
        summaries.rebuild()
        db.session.commit()
    s = summaries.collect()
    click.echo(json.dumps(s.as_json(), indent=2) if as_json else render_text(s))
