"""``invenio doi ...``: the operator's commands, thin faces on ``invenio_doi_ext.services``.

Exit codes: 0 all good, 1 drift or failures remain, 2 bad input (click's usage
errors). Bulk commands walk the table by id in bounded batches, commit per batch
and go through the rate-limited gateway, so they can be interrupted and rerun.
"""

from __future__ import annotations

from ..monitoring import cli as monitoring_cli
from . import breaker, reading, steering  # noqa: F401 - their commands join the group
from .group import doi

doi.add_command(monitoring_cli.stats)

__all__ = ("doi",)
