"""The ``invenio doi`` group and the argument types its commands share."""

from __future__ import annotations

import click

from ..lifecycle.models import ManagedDOI
from ..lifecycle.store import get_row
from ..services import queries
from ..services.doi_input import InvalidDOIError, is_ours, parse_doi

ACTOR = "cli"


@click.group()
def doi() -> None:
    """DataCite DOIs managed by invenio-doi-ext."""


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


def managed_row(doi_value: str, param: str = "DOI") -> ManagedDOI:
    """The row of a DOI the operator named, or a usage error (exit 2) saying why not."""
    row = get_row(doi_value)
    if row is None:
        reason = (
            "no such DOI is managed"
            if is_ours(doi_value)
            else "its prefix is not one this instance mints under"
        )
        raise click.BadParameter(
            f"{doi_value!r} is not managed by this instance: {reason}.", param_hint=param
        )
    return row
