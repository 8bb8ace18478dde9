"""Through the REST API: a draft with a DataCite problem cannot be published (400, field errors)."""

from __future__ import annotations

from typing import Any

from flask_security.utils import hash_password
from invenio_access.permissions import authenticated_user
from invenio_access.utils import get_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_rest.csrf import _get_new_csrf_token

from invenio_doi_ext.lifecycle.models import utcnow


def depositor(app: Any, db: Any) -> tuple[Any, Any]:
    """A confirmed account committed directly (no user indexing: search is a stand-in)."""
    datastore = app.extensions["security"].datastore
    user = datastore.create_user(
        email="depositor@example.org", password=hash_password("secret-password"), active=True,
        confirmed_at=utcnow(),
    )
    db.session.commit()
    identity = get_identity(user)
    identity.provides.add(authenticated_user)
    return user, identity


def logged_in(app: Any, client: Any, user: Any) -> Any:
    """The client with a session and the CSRF token InvenioRDM checks on writes."""
    login_user_via_session(client, email=user.email)
    with app.test_request_context():
        token = _get_new_csrf_token()
    client.set_cookie(app.config["CSRF_COOKIE_NAME"], token)
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


def test_publish_is_refused_with_400_and_field_errors(app, db, rdm, client, record_data, sandbox):
    user, identity = depositor(app, db)
    draft = rdm.create(identity, record_data(publication_date="0999"))
    api = logged_in(app, client, user)

    response = api.post(f"/records/{draft.id}/draft/actions/publish")

    assert response.status_code == 400, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert {"field": "metadata.publication_date",
            "messages": ["DataCite needs a four-digit publication year (YYYY), not '999'."]} in errors
    assert sandbox.control.dois() == []

    fixed = api.put(f"/records/{draft.id}/draft", json=record_data(publication_date="1999"))
    assert fixed.status_code == 200
    assert not [e for e in fixed.get_json().get("errors", []) if e["field"] == "metadata.publication_date"]
    assert api.post(f"/records/{draft.id}/draft/actions/publish").status_code == 202
