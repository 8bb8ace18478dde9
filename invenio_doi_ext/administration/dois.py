"""The "DataCite DOIs" administration view (invenio-administration ``AdminView``).

It reads the lifecycle table, not search: the rows are the truth and the page
must work when search is behind. Retry is a server-side form with Flask-WTF's
CSRF token, so the page needs no JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from invenio_administration.views.base import AdminView
from invenio_i18n import lazy_gettext as _
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, ValidationError

from ..services.doi_input import InvalidDOIError, parse_doi, quote
from ..views import ADMIN_ENDPOINT, describe, format_time
from .actions import find, query_problems, retry

PAGE_SIZE = 50


#: Highest page number read (keeps the OFFSET inside PostgreSQL's bigint).
MAX_PAGE = 1_000_000


def _doi_syntax(form: FlaskForm, field: HiddenField) -> None:
    """The DOI rule every part of the package applies (a NUL never reaches the database)."""
    try:
        parse_doi(field.data or "")
    except InvalidDOIError as exc:
        raise ValidationError(exc.reason) from None


class RetryForm(FlaskForm):
    """One Retry button: the DOI and the CSRF token."""

    doi = HiddenField(validators=[DataRequired(), Length(max=255), _doi_syntax])


def page_argument() -> int:
    """``?page=``: a whole number from 1 to :data:`MAX_PAGE`, else 400 naming it."""
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        reason = f"give a whole number from 1 to {MAX_PAGE}"
        abort(400, description=f"page: {quote(value)} is not a page number; {reason}.")
    return int(value)


def retried_argument() -> str | None:
    """``?retried=``: the DOI whose retry outcome is shown, checked like any DOI, else 400."""
    value = request.args.get("retried", "")
    if not value:
        return None
    try:
        return parse_doi(value)
    except InvalidDOIError as exc:
        abort(400, description=f"retried: {exc}")


class DOIAdministrationView(AdminView):
    """Failed and out-of-sync DOIs, with their last error and a Retry button."""

    name = "doi_ext_dois"
    category = _("Site administration")
    menu_label = _("DataCite DOIs")
    title = _("DataCite DOIs")
    url = "/dois"
    icon = "barcode"
    order = 90
    extension_name = "invenio-doi-ext"
    template = "invenio_doi_ext/administration/dois.html"

    def get(self) -> Any:
        """The list, paginated by offset; ``retried`` shows the outcome of a retry."""
        page = page_argument()
        retried_doi = retried_argument()
        query = query_problems()
        total = query.count()
        rows = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
        retried_row = find(retried_doi) if retried_doi else None
        return self.render(
            title=self.title,
            name=self.name,
            entries=[(row, describe(row), RetryForm(doi=row.pid_value)) for row in rows],
            total=total,
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            retried=describe(retried_row) if retried_row is not None else None,
            format_time=format_time,
        )

    def post(self) -> Any:
        """Retry one DOI (CSRF-checked), then show the list with its new state."""
        form = RetryForm()
        if not form.validate_on_submit():
            problems = "; ".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
            )
            abort(400, description=f"Retry refused: {problems or 'missing or invalid CSRF token or DOI'}.")
        row = retry(parse_doi(form.doi.data), actor=f"user:{current_user.get_id()}")
        if row is None:
            abort(404, description="This DOI is not managed here.")
        return redirect(url_for(ADMIN_ENDPOINT, retried=row.pid_value), code=303)
