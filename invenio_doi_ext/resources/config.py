"""Routes, request arguments and error handlers of the DOI REST API (flask-resources)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask_resources import JSONSerializer, ResourceConfig, ResponseHandler
from flask_resources.parsers import MultiDictSchema

from ..services import queries
from .errors import ERROR_HANDLERS

#: Largest page of the admin list.
MAX_PAGE_SIZE = 1000

#: Highest page number (far beyond any real list; keeps OFFSET inside PostgreSQL's bigint).
MAX_PAGE = 1_000_000


class PageArgsSchema(MultiDictSchema):
    """``?page=&size=`` of the list routes (unknown arguments are ignored)."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    size = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))


class _RowFilterField(ma.fields.String):
    """A string the services' row filter checks (``RowFilter(<name>=value)``), refused with its words."""

    filter_name = ""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            queries.RowFilter(**{self.filter_name: text})
        except queries.FilterError as exc:
            raise ma.ValidationError(str(exc)) from None
        return text


class StateField(_RowFilterField):
    """``state``: a DataCite state or a DSpace state name, any case."""

    filter_name = "state"


class AccountField(_RowFilterField):
    """``account``: the name of a configured DataCite account."""

    filter_name = "account"


class KindField(ma.fields.String):
    """``kind``: ``record``, ``parent`` or ``file``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            queries.check_kind(text)
        except queries.FilterError as exc:
            raise ma.ValidationError(str(exc)) from None
        return text


class SinceField(ma.fields.String):
    """``since``: an ISO date/time or an age like ``7d``, read as naive UTC."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return queries.parse_since(text)
        except queries.FilterError as exc:
            raise ma.ValidationError(str(exc)) from None


class ListArgsSchema(PageArgsSchema):
    """Filters of ``GET /api/dois``, all checked here, before the permission check."""

    state = StateField()
    failed = ma.fields.Boolean()
    out_of_sync = ma.fields.Boolean(load_default=False)
    since = SinceField()
    account = AccountField()
    kind = KindField()


class UnreservedArgsSchema(PageArgsSchema):
    """Filters of ``GET /api/dois/unreserved``."""

    kind = KindField()


class DOIResourceConfig(ResourceConfig):
    """Configuration of the DOI resource; routes are fixed by the design."""

    blueprint_name = "invenio_doi_ext"
    url_prefix = "/dois"
    routes = {
        "list": "",
        "unreserved": "/unreserved",
        "job": "/jobs/<token>",
        # Static routes win over "/<path:doi>" (a DOI always starts with "10.").
        "health": "/health",
        "metrics": "/metrics",
        "item": "/<path:doi>",
        "reserve": "/<path:doi>/reserve",
        "sync": "/<path:doi>/sync",
        "assign": "/records/<record_id>/doi",
    }
    request_view_args = {
        "doi": ma.fields.String(),
        "token": ma.fields.String(),
        "record_id": ma.fields.String(),
    }
    request_list_args = ListArgsSchema
    request_page_args = UnreservedArgsSchema
    response_handlers = {"application/json": ResponseHandler(JSONSerializer())}
    error_handlers = ERROR_HANDLERS
