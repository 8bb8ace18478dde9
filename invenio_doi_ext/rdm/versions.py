"""A new version keeps the kind of DOI its record has (invenio-rdm-records#2282).

Upstream checks the DOI's provider across versions only when the DOI is
optional. With the DOI required (the default), a new version of a record whose
DOIs this repository manages could switch to an external DOI: it would publish
under a DOI DataCite never hears of from us, while the concept DOI, which this
repository keeps registering, would point at it. This component refuses that
on the DOI field: on save as a form error, on publish as a refusal. People
holding ``pid_manage`` (administrators) are exempt, as upstream's check exempts
them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from invenio_drafts_resources.services.records.components import ServiceComponent
from invenio_i18n import gettext as _
from invenio_rdm_records.services.errors import ValidationErrorWithMessageAsList

EXTERNAL = "external"
NOT_NEEDED = "not_needed"


def managed(pids: Any) -> bool:
    """Whether ``pids`` hold a DOI this repository mints (any provider but external)."""
    doi = (pids or {}).get("doi") or {}
    return bool(doi) and doi.get("provider", NOT_NEEDED) not in (EXTERNAL, NOT_NEEDED)


def external(pids: Any) -> bool:
    """Whether ``pids`` hold an external DOI (the only kind a switch can be to)."""
    return ((pids or {}).get("doi") or {}).get("provider") == EXTERNAL


def switch_error(service: Any, identity: Any, draft: Any, new_pids: Any, previous: Any) -> dict | None:
    """The form error for a draft that leaves its record's managed DOI for an external one."""
    if "doi" not in set(service.config.pids_required) or previous is None:
        return None
    if not managed(previous.get("pids")):
        return None
    if not external(new_pids):
        return None
    if service.check_permission(identity, "pid_manage"):
        return None
    site = current_app.config.get("THEME_SITENAME", "this repository")
    message = _(
        "A previous version of this record has a DOI registered by %(site)s: a new version "
        'must get its DOI from %(site)s too (choose "No, I need one").',
        site=site,
    )
    return {"field": "pids.doi", "messages": [message]}


class DOIVersionComponent(ServiceComponent):
    """Runs before upstream's PIDsComponent: refuse a managed-to-external switch across versions."""

    def update_draft(self, identity: Any, data: Any = None, record: Any = None, errors: Any = None) -> None:
        """On save: the error is shown on the DOI field, the draft is kept."""
        pids = data.get("pids", record.pids) if isinstance(data, dict) else record.pids
        if not external(pids):
            return  # no switch: the previous version is not even read
        previous = self.service.record_cls.get_latest_published_by_parent(record.parent)
        error = switch_error(self.service, identity, record, pids, previous)
        if error is not None and errors is not None:
            errors.append(error)

    def publish(self, identity: Any, draft: Any = None, record: Any = None) -> None:
        """On publish: refused, with the same message on the DOI field."""
        if not external(draft.get("pids")):
            return
        previous = self.service.record_cls.get_previous_published_by_parent(record.parent)
        error = switch_error(self.service, identity, draft, draft.get("pids"), previous)
        if error is not None:
            raise ValidationErrorWithMessageAsList(message=[error])
