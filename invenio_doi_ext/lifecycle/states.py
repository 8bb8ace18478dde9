"""Names derived from a row for display: DSpace's doi-organiser states and a short label.

They are computed, never stored: the row's desired/remote columns are the truth.
"""

from __future__ import annotations

from .models import DOIHold, DOIState, ManagedDOI


def dspace_state(row: ManagedDOI) -> str:
    """The DSpace state name an operator who knows doi-organiser expects.

    ``PENDING``: minted for a draft that is not to be reserved (yet);
    ``MINTED``: known locally only, never sent, or set aside by a DOI filter;
    ``DELETED``: DataCite held it as a draft and deleted it (a discarded draft).
    """
    desired, remote = row.desired_state, row.remote_state
    hold = getattr(row, "hold", None)
    if row.in_sync and desired == DOIState.NONE and hold == DOIHold.SET_ASIDE:
        return "MINTED"
    if row.in_sync and desired == DOIState.NONE and hold == DOIHold.PENDING:
        return "PENDING"
    if row.in_sync:
        return {
            DOIState.NONE: "DELETED" if hold == DOIHold.DELETED else "MINTED",
            DOIState.DRAFT: "IS_RESERVED",
            DOIState.REGISTERED: "IS_REGISTERED",
            DOIState.FINDABLE: "IS_REGISTERED",
        }[desired]
    if desired == DOIState.NONE:
        return "TO_BE_DELETED"
    if desired == DOIState.DRAFT:
        return "UPDATE_RESERVED" if remote == DOIState.DRAFT else "TO_BE_RESERVED"
    if remote in (DOIState.REGISTERED, DOIState.FINDABLE):
        return "UPDATE_REGISTERED"
    if remote == DOIState.DRAFT:
        return "TO_BE_REGISTERED"
    return "UPDATE_BEFORE_REGISTRATION" if row.attempts else "TO_BE_REGISTERED"


def status_label(row: ManagedDOI) -> str:
    """One word for depositors and the admin list."""
    if row.failed:
        return "failed"
    if not row.in_sync:
        if row.desired_state == DOIState.DRAFT:
            return "reserving"
        if row.desired_state == DOIState.NONE:
            return "deleting"
        if row.desired_state == DOIState.REGISTERED and row.remote_state == DOIState.FINDABLE:
            return "hiding"
        return "registering" if row.remote_state in (DOIState.NONE, DOIState.DRAFT) else "updating"
    return {
        DOIState.NONE: "not at DataCite",
        DOIState.DRAFT: "reserved",
        DOIState.REGISTERED: "registered",
        DOIState.FINDABLE: "findable",
    }[row.desired_state]
