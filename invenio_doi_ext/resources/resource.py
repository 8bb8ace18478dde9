"""The DOI REST resource: thin views over :class:`~.service.DOIService`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, g, jsonify, request
from flask_resources import Resource, resource_requestctx, response_handler, route
from flask_resources.parsers import request_parser
from flask_resources.resources import from_conf
from invenio_records_resources.resources.errors import ErrorHandlersMixin

from ..monitoring import access, health, metrics, summary
from ..services import jobs
from ..services.dois import DOIService
from ..services.serialize import api_url

request_view_args = request_parser(from_conf("request_view_args"), location="view_args")
request_list_args = request_parser(from_conf("request_list_args"), location="args")
request_page_args = request_parser(from_conf("request_page_args"), location="args")


class DOIResource(ErrorHandlersMixin, Resource):
    """``/api/dois``: status of one DOI, admin list, unreserved drafts, reserve, sync, jobs."""

    def __init__(self, config: Any, service: DOIService) -> None:
        super().__init__(config)
        self.service = service

    def create_url_rules(self) -> list[dict]:
        routes = self.config.routes
        return [
            route("GET", routes["list"], self.search),
            route("GET", routes["unreserved"], self.unreserved),
            route("GET", routes["job"], self.read_job),
            # Monitors and scrapers send any Accept header: no content negotiation.
            route("GET", routes["health"], self.health, apply_decorators=False),
            route("GET", routes["metrics"], self.metrics, apply_decorators=False),
            route("GET", routes["item"], self.read),
            route("POST", routes["reserve"], self.reserve),
            route("POST", routes["sync"], self.sync),
            route("POST", routes["assign"], self.assign),
        ]

    @request_view_args
    @response_handler()
    def read(self) -> tuple[dict, int]:
        """``GET /dois/<doi>``."""
        return self.service.read(g.identity, resource_requestctx.view_args["doi"]), 200

    @request_list_args
    @response_handler()
    def search(self) -> tuple[dict, int]:
        """``GET /dois?state=&failed=&out_of_sync=&since=&account=&kind=&page=&size=``."""
        args = dict(resource_requestctx.args)
        page, size = args.pop("page"), args.pop("size")
        result = self.service.search(g.identity, page=page, size=size, **args)
        return self._paged(result, "/dois", page, size), 200

    @request_page_args
    @response_handler()
    def unreserved(self) -> tuple[dict, int]:
        """``GET /dois/unreserved?kind=``."""
        args = resource_requestctx.args
        page, size = args["page"], args["size"]
        result = self.service.unreserved(g.identity, page=page, size=size, kind=args.get("kind"))
        return self._paged(result, "/dois/unreserved", args["page"], args["size"]), 200

    @request_view_args
    def reserve(self) -> Any:
        """``POST /dois/<doi>/reserve``: 202 and the job URL."""
        job = self.service.reserve(g.identity, resource_requestctx.view_args["doi"])
        return self._accepted(job)

    @request_view_args
    def sync(self) -> Any:
        """``POST /dois/<doi>/sync``: 202 and the job URL."""
        job = self.service.sync(g.identity, resource_requestctx.view_args["doi"])
        return self._accepted(job)

    @request_view_args
    def assign(self) -> Any:
        """``POST /dois/records/<record_id>/doi``: 202, the DOIs given, Location of the DOI's status."""
        body = self.service.assign(g.identity, resource_requestctx.view_args["record_id"])
        response = resource_requestctx.response_handler.make_response(body, 202)
        response.headers["Location"] = body["links"]["self"]
        return response

    @request_view_args
    @response_handler()
    def read_job(self) -> tuple[dict, int]:
        """``GET /dois/jobs/<token>``: 202 while pending or running, 200 with the outcome."""
        job = self.service.read_job(g.identity, resource_requestctx.view_args["token"])
        body = jobs.view(job)
        return body, (200 if job.status in job.FINISHED else 202)

    def health(self) -> Any:
        """``GET /dois/health``: 200 or 503; the details for administrators and the token only."""
        healthy, details = health.check()
        body = details if access.may_read() else {"status": details["status"]}
        return jsonify(body), (200 if healthy else 503)

    def metrics(self) -> Any:
        """``GET /dois/metrics``: Prometheus text format, for administrators or the token."""
        if not access.may_read():
            anonymous = access.is_anonymous()
            code = 401 if anonymous else 403
            message = (
                "Metrics are for administrators, or send DOI_EXT_METRICS_TOKEN "
                "as 'Authorization: Bearer <token>'."
            )
            response = jsonify({"status": code, "message": message})
            response.status_code = code
            if anonymous:
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return Response(metrics.exposition(summary.collect()), 200, content_type=metrics.CONTENT_TYPE)

    def _accepted(self, job: Any) -> Any:
        handler = resource_requestctx.response_handler
        response = handler.make_response(jobs.view(job), 202)
        response.headers["Location"] = jobs.job_url(job.token)
        return response

    @staticmethod
    def _paged(result: dict, path: str, page: int, size: int) -> dict:
        """Invenio's list shape with ``self``/``prev``/``next`` links keeping the filters."""
        kept = {key: value for key, value in request.args.items() if key not in ("page", "size")}

        def link(number: int) -> str:
            return api_url(path) + "?" + urlencode({**kept, "page": number, "size": size})

        links = {"self": link(page)}
        if page > 1:
            links["prev"] = link(page - 1)
        if page * size < result["total"]:
            links["next"] = link(page + 1)
        return {"hits": {"hits": result["hits"], "total": result["total"]}, "links": links}
