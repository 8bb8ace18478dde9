"""``invenio doi ...``: the operator's commands."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from . import settings


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
