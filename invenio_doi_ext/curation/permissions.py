"""The requests permission policy, extended for the DOI request's own status and action.

invenio-requests derives an action's permission from its name
(``can_action_request_changes``) and has no read rule for statuses it does not
know (``changes_requested``). Whatever policy the instance configures is
subclassed with exactly these, so its other rules stay as they are.
"""

from __future__ import annotations

from typing import Any

from invenio_records_permissions.generators import SameAs
from invenio_requests.services.generators import Creator, Receiver, Status, Topic

from .models import CurationStatus

_MARK = "_doi_ext_curation"


def _rules(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def with_curation(base: type) -> type:
    """``base`` plus: curators may request changes; both sides see a request sent back."""
    if getattr(base, _MARK, False):
        return base
    back = [CurationStatus.CHANGES_REQUESTED]
    attrs = {
        _MARK: True,
        "__doc__": f"{base.__name__} with the DOI request's rules.",
        "can_read": [*_rules(base.can_read), Status(back, [Creator(), Receiver(), Topic()])],
        "can_update": [*_rules(base.can_update), Status(back, [Creator()])],
        "can_action_request_changes": [SameAs("can_action_accept")],
    }
    return type(f"DOICuration{base.__name__}", (base,), attrs)
