"""Which records qualify for a DOI: DSpace's item filters, for InvenioRDM.

``DOI_EXT_FILTER`` is a callable ``(record, context) -> bool`` (or its import
string); ``DOI_EXT_COMMUNITY_FILTERS`` maps a community (slug or id) to a filter
that decides instead for that community's records. The ready-made filters below
are classes so that an operator can combine them in ``invenio.cfg`` and the
deposit form can say, in words, why a draft gets no DOI (``description``).

A filter is asked when a draft asks for a DOI (``context.event == "request"``),
on every draft save (``"save"``) and at publish (``"publish"``, with the record
being published, whose files have moved from the draft). It never takes a DOI
away from a published record: that is enforced by the callers, not the filters.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from werkzeug.utils import import_string

from .. import settings
from ..metadata import policy

logger = logging.getLogger(__name__)

REQUEST = "request"
SAVE = "save"
PUBLISH = "publish"
EVENTS = (REQUEST, SAVE, PUBLISH)

Filter = Callable[[Any, "FilterContext"], bool]


@dataclass(frozen=True)
class FilterContext:
    """What a filter is told besides the record: why it is asked (``event``)."""

    event: str
    community_ids: tuple[str, ...] = ()
    """Communities of the record (ids), the one a draft is submitted to included."""


@dataclass(frozen=True)
class Decision:
    """A filter's answer, with the sentence the deposit form shows when it is no."""

    qualifies: bool
    reason: str = ""


class DOIFilter:
    """Base of the ready-made filters: callable, with a description for messages."""

    description = "records this repository gives a DOI to"

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Whether ``record`` qualifies."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """The description, so ``invenio doi config`` shows something readable."""
        return f"<{type(self).__name__}: {self.description}>"


class Always(DOIFilter):
    """Every record qualifies (the default, upstream's behaviour)."""

    description = "every record"

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Yes."""
        return True


class Never(DOIFilter):
    """No record qualifies (e.g. a community that mints no DOIs)."""

    description = "no record"

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """No."""
        return False


class ResourceTypeIn(DOIFilter):
    """The record's resource type is one of these ids (``image`` also matches ``image-photo``)."""

    def __init__(self, *type_ids: str) -> None:
        """Resource type ids of the ``resourcetypes`` vocabulary."""
        self.type_ids = tuple(type_ids)
        self.description = "records of type " + ", ".join(self.type_ids)

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Exact id, or a subtype of a listed top-level type."""
        type_id = ((record.get("metadata") or {}).get("resource_type") or {}).get("id") or ""
        return any(type_id == wanted or type_id.startswith(wanted + "-") for wanted in self.type_ids)


class InCommunities(DOIFilter):
    """The record belongs to one of these communities (slug or id), or a draft is submitted to one."""

    def __init__(self, *communities: str) -> None:
        """Community slugs or ids."""
        self.communities = tuple(communities)
        self.description = "records of the communities " + ", ".join(self.communities)

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Any of the record's communities is listed."""
        wanted = set(resolve_communities(self.communities))
        return bool(wanted & set(context.community_ids or record_communities(record)))


class HasFiles(DOIFilter):
    """The record has at least ``minimum`` files (metadata-only records do not)."""

    def __init__(self, minimum: int = 1) -> None:
        """Fewest files a record needs."""
        self.minimum = minimum
        self.description = "records with at least one file" if minimum == 1 else (
            f"records with at least {minimum} files"
        )

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Count the entries of the record's (or draft's) files."""
        files = getattr(record, "files", None)
        if files is None or not getattr(files, "enabled", False):
            return False
        return len(files.entries) >= self.minimum


class IsPublic(DOIFilter):
    """The record's metadata is public (not a restricted record)."""

    description = "public records"

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Restricted metadata (restricted record, or embargoed metadata) does not qualify."""
        return not policy.is_metadata_restricted(record)


class AllOf(DOIFilter):
    """Every filter says yes."""

    def __init__(self, *filters: Filter | str) -> None:
        """Filters (or import strings) combined."""
        self.filters = tuple(load_filter(each) for each in filters)
        self.description = " that are also ".join(describe(each) for each in self.filters)

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """All (an empty list: yes)."""
        return all(each(record, context) for each in self.filters)


class AnyOf(DOIFilter):
    """At least one filter says yes."""

    def __init__(self, *filters: Filter | str) -> None:
        """Filters (or import strings) combined."""
        self.filters = tuple(load_filter(each) for each in filters)
        self.description = " or ".join(describe(each) for each in self.filters)

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Any (an empty list: no)."""
        return any(each(record, context) for each in self.filters)


class Not(DOIFilter):
    """The filter says no."""

    def __init__(self, inner: Filter | str) -> None:
        """The filter negated."""
        self.inner = load_filter(inner)
        self.description = "records other than " + describe(self.inner)

    def __call__(self, record: Any, context: FilterContext) -> bool:
        """Negation."""
        return not self.inner(record, context)


# The names an invenio.cfg reads best.
always = Always()
never = Never()
resource_type_in = ResourceTypeIn
in_communities = InCommunities
has_files = HasFiles
is_public = IsPublic()
all_of = AllOf
any_of = AnyOf
not_ = Not


def load_filter(value: Filter | str | None) -> Filter:
    """A filter from configuration: a callable, an import string, or ``None`` (always)."""
    if value is None:
        return always
    if isinstance(value, str):
        value = import_string(value)
    if isinstance(value, type) and issubclass(value, DOIFilter):
        value = value()
    if not callable(value):
        raise TypeError(f"A DOI filter must be callable as (record, context) -> bool, not {value!r}.")
    return value


def describe(value: Filter) -> str:
    """Words for a filter: its ``description``, else its docstring's first line, else its name."""
    text = getattr(value, "description", None)
    if not text:
        doc = (getattr(value, "__doc__", None) or "").strip().splitlines()
        text = doc[0].rstrip(".") if doc else getattr(value, "__name__", "the configured filter")
    return str(text)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def resolve_communities(values: Iterable[str]) -> list[str]:
    """Community ids of slugs or ids (an unknown slug is logged and skipped)."""
    from invenio_communities.communities.records.api import Community
    from invenio_pidstore.errors import PIDDoesNotExistError

    ids = []
    for value in values:
        if _is_uuid(value):
            ids.append(str(uuid.UUID(str(value))))
            continue
        try:
            ids.append(str(Community.pid.resolve(value).id))
        except PIDDoesNotExistError:
            logger.warning("DOI filter: no community with slug %r", value)
    return ids


def record_communities(record: Any) -> tuple[str, ...]:
    """The record's communities, default first, then the one a draft is submitted to."""
    parent = getattr(record, "parent", None)
    found: list[str] = []
    communities = getattr(parent, "communities", None)
    if communities is not None:
        default = getattr(communities, "default", None)
        if default is not None:
            found.append(str(getattr(default, "id", default)))
        found.extend(str(each) for each in communities.ids)
    review = _review_of(record, parent)
    if review is not None:
        receiver = (review.get("receiver") or {}).get("community")
        if receiver and review.get("status") not in ("declined", "cancelled", "expired"):
            found.append(str(receiver))
    return tuple(dict.fromkeys(found))


def _review_of(record: Any, parent: Any) -> Any:
    """The review request of a draft (community submission), if any."""
    if not getattr(record, "is_draft", False):
        return None
    try:
        return getattr(parent, "review", None)
    except Exception:  # noqa: BLE001 - a dangling request reference must not break a save
        logger.exception("DOI filter: cannot read the review request of %s", getattr(record, "id", None))
        return None


def community_filters() -> dict[str, Filter]:
    """``DOI_EXT_COMMUNITY_FILTERS`` keyed by community id."""
    configured = settings.community_filters()
    by_id: dict[str, Filter] = {}
    for key, value in configured.items():
        for community_id in resolve_communities([key]):
            by_id[community_id] = load_filter(value)
    return by_id


def decide(record: Any, event: str) -> Decision:
    """Whether ``record`` qualifies for a DOI now, and why not.

    The first of the record's communities (default first) that has an entry in
    ``DOI_EXT_COMMUNITY_FILTERS`` decides; otherwise ``DOI_EXT_FILTER``.
    """
    communities = record_communities(record)
    context = FilterContext(event=event, community_ids=communities)
    chosen: Filter | None = None
    overrides = community_filters() if communities else {}
    for community_id in communities:
        if community_id in overrides:
            chosen = overrides[community_id]
            break
    if chosen is None:
        chosen = load_filter(settings.doi_filter())
    if chosen(record, context):
        return Decision(True)
    sitename = current_app.config.get("THEME_SITENAME", "this repository")
    reason = f"This record does not qualify for a DOI from {sitename} (DOIs are given to {describe(chosen)})."
    return Decision(False, reason)
