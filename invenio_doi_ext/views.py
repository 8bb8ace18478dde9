"""UI: the DOI status block of the record landing page, and what it shows.

The block is one more template in invenio-app-rdm's landing-page side bar
(``APP_RDM_DETAIL_SIDE_BAR_TEMPLATES``), so it sits with the other side-bar
boxes and needs no JavaScript. It reads the lifecycle rows from the database:
nothing here talks to DataCite. The administration page reuses :func:`describe`
so that depositors and operators read the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, redirect, request, url_for
from invenio_administration.permissions import administration_permission
from werkzeug.routing import BuildError

from . import settings
from .lifecycle.models import DOIKind, ManagedDOI
from .lifecycle.states import dspace_state, status_label
from .lifecycle.store import get_row

LANDING_PAGE_TEMPLATE = "invenio_doi_ext/landing_page/doi_status.html"
"""Our side-bar template, added to ``APP_RDM_DETAIL_SIDE_BAR_TEMPLATES``."""

ADMIN_ENDPOINT = "administration.doi_ext_dois"
"""Endpoint of the administration page (see ``administration/``)."""

_AFTER = "invenio_app_rdm/records/details/side_bar/manage_menu.html"
_FIELD_RE = re.compile(r"(?:^|;\s*)([A-Za-z][A-Za-z0-9_.\[\]]*): ")
_METADATA_STATUSES = (400, 422)

#: label -> (Semantic UI colour, Semantic UI icon, one-line meaning)
_LOOK: dict[str, tuple[str, str, str]] = {
    "reserved": ("blue", "bookmark outline", "Reserved at DataCite as a draft DOI: it does not resolve yet."),
    "reserving": ("grey", "sync", "Being reserved at DataCite."),
    "registering": ("grey", "sync", "Being registered at DataCite."),
    "updating": ("grey", "sync", "DataCite is being sent the record's latest metadata."),
    "hiding": ("grey", "sync", "Being hidden at DataCite."),
    "deleting": ("grey", "sync", "The draft DOI is being deleted at DataCite."),
    "registered": ("teal", "check", "Registered at DataCite: it resolves, but is not in DataCite's search."),
    "findable": ("green", "check circle", "Registered and findable at DataCite."),
    "hidden": ("orange", "eye slash", "Hidden at DataCite: it resolves to the tombstone page, "
               "and is no longer in DataCite's search."),
    "failed": ("red", "exclamation triangle", "DataCite refused the last change."),
    "retrying": ("yellow", "clock outline", "DataCite could not be reached or refused for now."),
    "not at DataCite": ("grey", "minus circle", "Not at DataCite."),
}


@dataclass(frozen=True)
class DOIStatus:
    """What a person is shown about one DOI."""

    doi: str
    kind: str
    label: str
    color: str
    icon: str
    summary: str
    advice: str | None
    message: str | None
    http_status: int | None
    attempts: int
    next_attempt_at: datetime | None
    dspace: str
    failed: bool
    in_sync: bool
    updated: datetime | None


def error_fields(message: str | None) -> list[str]:
    """The DataCite fields named in a stored error (``"source: title; ..."``), in order."""
    fields: list[str] = []
    for name in _FIELD_RE.findall(message or ""):
        if name not in fields:
            fields.append(name)
    return fields


def format_time(value: datetime | None) -> str:
    """Our timestamps are naive UTC (Invenio's convention): say so."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""


#: DataCite attribute -> the field of InvenioRDM's deposit form that produces it.
FORM_FIELDS = {
    "titles": "Title",
    "creators": "Creators",
    "contributors": "Contributors",
    "publisher": "Publisher",
    "publicationYear": "Publication date",
    "dates": "Dates",
    "types": "Resource type",
    "rightsList": "Licenses",
    "descriptions": "Description",
    "subjects": "Keywords and subjects",
    "language": "Languages",
    "relatedIdentifiers": "Related works",
    "fundingReferences": "Funding",
    "geoLocations": "Locations",
    "version": "Version",
    "sizes": "Sizes",
    "formats": "Formats",
}


def _metadata_advice(row: ManagedDOI) -> str:
    """A 4xx about the metadata: the fields we send are the depositor's, the others DataCite's."""
    fields = error_fields(row.last_error)
    sent = set(row.desired_payload or {}) | {"doi", "url"}
    ours = [f for f in fields if f.split(".")[0].split("[")[0] in sent and f not in ("doi", "url")]
    foreign = [f for f in fields if f not in ours and f not in ("doi", "url")]
    parts = []
    if ours:
        names = ", ".join(f"{FORM_FIELDS.get(f, f)} ({f})" for f in ours)
        parts.append(f"Fix the field {names} in the record and publish again: the corrected "
                     "metadata is sent automatically.")
    if foreign:
        parts.append(f"DataCite holds a value for {', '.join(foreign)} that this repository does not "
                     "send (it was set outside InvenioRDM): an administrator must correct it at "
                     "DataCite, then retry from the DataCite DOIs administration page.")
    if "url" in fields:
        parts.append("DataCite refused the landing-page URL: an administrator must check the "
                     "repository's domain settings at DataCite and DOI_EXT_LANDING_URL, then retry.")
    if not parts:
        parts.append("Fix the metadata DataCite names above and publish again; if the record is "
                     "right, an administrator can retry from the DataCite DOIs administration page.")
    return " ".join(parts)


def _advice(row: ManagedDOI, label: str) -> str | None:
    """What the person reading should do, if anything."""
    if label == "failed":
        if row.last_status in _METADATA_STATUSES:
            return _metadata_advice(row)
        return (
            "Nothing will be sent again by itself: an administrator must fix the cause named "
            "above (at DataCite: account, prefix, existing DOI) and retry from the DataCite DOIs "
            "administration page."
        )
    if label == "retrying":
        return f"Nothing to do: it will be retried at {format_time(row.next_attempt_at)}."
    if not row.in_sync:
        return "Nothing to do: this happens in the background, usually within a minute."
    return None


def describe(row: ManagedDOI, *, record_deleted: bool = False) -> DOIStatus:
    """The status of a row in the words of :func:`status_label`, plus hidden and retrying."""
    label = status_label(row)
    if label == "registered" and record_deleted:
        label = "hidden"
    elif not row.in_sync and not row.failed and row.attempts > 0 and row.last_error:
        label = "retrying"
    color, icon, summary = _LOOK.get(label, ("grey", "question", label))
    return DOIStatus(
        doi=row.pid_value,
        kind=row.kind,
        label=label,
        color=color,
        icon=icon,
        summary=summary,
        advice=_advice(row, label),
        message=row.last_error if (row.failed or label == "retrying") else None,
        http_status=row.last_status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if not row.in_sync and not row.failed else None,
        dspace=dspace_state(row),
        failed=row.failed,
        in_sync=row.in_sync,
        updated=row.updated,
    )


def _doi_of(pids: Any) -> str | None:
    doi = (pids or {}).get("doi") or {}
    return doi.get("identifier") if doi.get("provider") != "external" else None


def record_dois(record_ui: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, DOI) of a record as the landing page has it: version DOI, then concept DOI."""
    found = [(DOIKind.RECORD, _doi_of(record_ui.get("pids")))]
    found.append((DOIKind.PARENT, _doi_of((record_ui.get("parent") or {}).get("pids"))))
    return [(kind, doi) for kind, doi in found if doi]


def may_see_status(permissions: Mapping[str, Any] | None) -> bool:
    """Who sees the block: the record service's ``manage`` permission, or administrators.

    ``manage`` is what InvenioRDM gives record owners, curators of the record's
    communities, holders of a "manage" access grant, and superusers; the landing
    page has already evaluated it (``permissions.can_manage``).
    """
    if permissions and permissions.get("can_manage"):
        return True
    return administration_permission.can()


def landing_page_statuses(
    record_ui: Mapping[str, Any], permissions: Mapping[str, Any] | None
) -> list[DOIStatus]:
    """The DOI statuses to show on a landing page; empty for people who may not see them."""
    if not record_ui or not may_see_status(permissions):
        return []
    deleted = bool((record_ui.get("deletion_status") or {}).get("is_deleted"))
    statuses = []
    for _kind, doi in record_dois(record_ui):
        row = get_row(doi)
        if row is not None:
            statuses.append(describe(row, record_deleted=deleted))
    return statuses


@dataclass(frozen=True)
class FileDOI:
    """A file's DOI as the landing page lists it."""

    key: str
    doi: str
    status: DOIStatus | None
    """The DOI's status, for people who may see statuses; ``None`` for the others."""


def landing_page_file_dois(
    record_ui: Mapping[str, Any], permissions: Mapping[str, Any] | None
) -> list[FileDOI]:
    """The DOIs of the record's files, in the record's file order.

    Everyone sees the findable ones (they are public identifiers); people who may
    see DOI statuses see every one, with its status.
    """
    if not record_ui or not settings.file_dois_configured():
        return []
    from .rdm import file_parts

    record = _record_of(record_ui)
    if record is None:
        return []
    managing = may_see_status(permissions)
    deleted = bool((record_ui.get("deletion_status") or {}).get("is_deleted"))
    found = []
    for key, row in file_parts.rows_by_file(record).items():
        if managing:
            found.append(FileDOI(key, row.pid_value, describe(row, record_deleted=deleted)))
        elif row.desired_state == "findable" and row.remote_state == "findable":
            found.append(FileDOI(key, row.pid_value, None))
    return found


def _record_of(record_ui: Mapping[str, Any]) -> Any | None:
    from invenio_rdm_records.records.api import RDMDraft, RDMRecord

    recid = record_ui.get("id")
    if not recid:
        return None
    for cls in (RDMRecord, RDMDraft):
        try:
            return cls.pid.resolve(recid, registered_only=False)
        except Exception:  # noqa: BLE001 - not found, deleted, unregistered: the page shows none
            continue
    return None


def file_landing_url(row: ManagedDOI) -> str | None:
    """Where ``/doi/<file DOI>`` leads: the file's preview in its record, else the record's files.

    A file whose type a previewer of the instance shows opens the record page with
    that file previewed (``?preview_file=``); another file opens the record page at
    its list of files.
    """
    from invenio_previewer.proxies import current_previewer

    from .rdm.objects import owning_record

    record = owning_record(row)
    pid = getattr(record, "pid", None) if record is not None else None
    if pid is None or not row.file_key:
        return None
    extension = row.file_key.rsplit(".", 1)[-1].lower() if "." in row.file_key else ""
    endpoint = "invenio_app_rdm_records.record_detail"
    if extension and extension in current_previewer.previewable_extensions:
        return url_for(endpoint, pid_value=pid.pid_value, preview_file=row.file_key)
    return url_for(endpoint, pid_value=pid.pid_value) + "#file-list-table"


def redirect_file_doi() -> Any:
    """``/doi/<file DOI>``: InvenioRDM resolves DOIs through pidstore, which has no file DOIs."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    if not endpoint.endswith(".record_from_pid") or args.get("pid_scheme") != "doi":
        return None
    row = get_row(str(args.get("pid_value") or ""))
    if row is None or row.kind != DOIKind.FILE:
        return None
    target = file_landing_url(row)
    return redirect(target, code=302) if target else None


def add_landing_page_block(config: MutableMapping[str, Any]) -> None:
    """Put our template in the landing-page side bar, right after the manage menu (idempotent)."""
    templates = config.get("APP_RDM_DETAIL_SIDE_BAR_TEMPLATES")
    if templates is None:
        from invenio_app_rdm import config as rdm_config

        templates = rdm_config.APP_RDM_DETAIL_SIDE_BAR_TEMPLATES
    templates = list(templates)
    if LANDING_PAGE_TEMPLATE in templates:
        return
    position = templates.index(_AFTER) + 1 if _AFTER in templates else 0
    templates.insert(position, LANDING_PAGE_TEMPLATE)
    config["APP_RDM_DETAIL_SIDE_BAR_TEMPLATES"] = templates


def admin_page_url() -> str | None:
    """The administration page's URL for administrators, when the page is installed."""
    if not administration_permission.can():
        return None
    try:
        return url_for(ADMIN_ENDPOINT)
    except BuildError:
        return None


def create_ui_blueprint(app: Flask) -> Blueprint:
    """The UI blueprint: it carries the templates and the helpers they call."""
    blueprint = Blueprint("invenio_doi_ext", __name__, template_folder="templates")

    @blueprint.app_context_processor
    def doi_ext_helpers() -> dict[str, Any]:
        return {
            "doi_ext_landing_page_statuses": landing_page_statuses,
            "doi_ext_landing_page_file_dois": landing_page_file_dois,
            "doi_ext_format_time": format_time,
            "doi_ext_admin_page_url": admin_page_url,
            "doi_ext_enabled": settings.enabled(),
        }

    blueprint.before_app_request(redirect_file_doi)
    return blueprint

