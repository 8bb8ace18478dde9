"""Errors of the DOI API and their JSON answers: every refusal is a 4xx, never a 500."""

from __future__ import annotations

import marshmallow as ma
from flask_resources import HTTPJSONException, create_error_handler
from invenio_records_resources.services.errors import PermissionDeniedError

from ..rdm.assign import AssignError
from ..services.doi_input import InvalidDOIError
from ..services.errors import DOINotManagedError, JobExpiredError, JobNotFoundError
from ..services.operations import NotReservableError
from ..services.queries import FilterError


def _json(code: int):
    return create_error_handler(lambda exc: HTTPJSONException(code=code, description=str(exc)))


def _validation(exc: ma.ValidationError) -> HTTPJSONException:
    messages = exc.normalized_messages()
    errors = [
        {"field": name, "messages": value if isinstance(value, list) else [str(value)]}
        for name, value in messages.items()
    ]
    return HTTPJSONException(code=400, description="A validation error occurred.", errors=errors)


def _invalid_doi(exc: InvalidDOIError) -> HTTPJSONException:
    return HTTPJSONException(
        code=400, description=str(exc), errors=[{"field": "doi", "messages": [exc.reason]}]
    )


def _filter(exc: FilterError) -> HTTPJSONException:
    return HTTPJSONException(
        code=400, description=str(exc), errors=[{"field": exc.field, "messages": [str(exc)]}]
    )


def _assign(exc: AssignError) -> HTTPJSONException:
    return HTTPJSONException(code=exc.status, description=str(exc))


ERROR_HANDLERS = {
    AssignError: create_error_handler(_assign),
    InvalidDOIError: create_error_handler(_invalid_doi),
    FilterError: create_error_handler(_filter),
    ma.ValidationError: create_error_handler(_validation),
    DOINotManagedError: _json(404),
    JobNotFoundError: _json(404),
    JobExpiredError: _json(410),
    NotReservableError: _json(409),
    PermissionDeniedError: create_error_handler(
        lambda exc: HTTPJSONException(code=403, description="Permission denied.")
    ),
}
