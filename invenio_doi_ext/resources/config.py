"""Routes, request arguments and error handlers of the DOI REST API (flask-resources)."""

from __future__ import annotations

import marshmallow as ma
from flask_resources import JSONSerializer, ResourceConfig, ResponseHandler
from flask_resources.parsers import MultiDictSchema

from .errors import ERROR_HANDLERS

#: Largest page of the admin list.
MAX_PAGE_SIZE = 1000


class PageArgsSchema(MultiDictSchema):
    """``?page=&size=`` of the list routes (unknown arguments are ignored)."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    size = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))


class ListArgsSchema(PageArgsSchema):
    """Filters of ``GET /api/dois``; ``since`` is an ISO date/time or an age like ``7d``."""

    state = ma.fields.String(validate=ma.validate.Length(max=64))
    failed = ma.fields.Boolean()
    out_of_sync = ma.fields.Boolean(load_default=False)
    since = ma.fields.String(validate=ma.validate.Length(max=64))


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
    request_page_args = PageArgsSchema
    response_handlers = {"application/json": ResponseHandler(JSONSerializer())}
    error_handlers = ERROR_HANDLERS
