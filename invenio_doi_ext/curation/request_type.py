"""The "DOI request" type of invenio-requests.

Registered through the ``invenio_requests.types`` entry point::

    doi_ext_doi_request = invenio_doi_ext.curation.request_type:DOIRequest
"""

from __future__ import annotations

from invenio_i18n import lazy_gettext as _
from invenio_rdm_records.requests.base import BaseRequest
from invenio_requests.customizations import RequestType, actions
from invenio_requests.customizations.states import RequestState
from marshmallow import fields

from . import actions as doi_actions
from .models import CurationStatus


class DOIRequest(BaseRequest):
    """A depositor asks the curators to make a record's DOI findable."""

    type_id = "doi-request"
    name = _("DOI request")

    available_statuses = {
        **RequestType.available_statuses,
        CurationStatus.CHANGES_REQUESTED: RequestState.OPEN,
    }
    creator_can_be_none = False
    topic_can_be_none = False
    receiver_can_be_none = False
    allowed_creator_ref_types = ["user"]
    allowed_receiver_ref_types = ["group"]
    allowed_topic_ref_types = ["record"]
    resolve_topic_needs = True
    needs_context = {"record_permission": "preview"}
    payload_schema = {"doi": fields.String()}

    available_actions = {
        "create": actions.CreateAction,
        "submit": doi_actions.SubmitAction,
        "delete": doi_actions.DeleteAction,
        "accept": doi_actions.AcceptAction,
        "decline": doi_actions.DeclineAction,
        "cancel": doi_actions.CancelAction,
        "request_changes": doi_actions.RequestChangesAction,
    }

