"""Fixtures of the community tests: a community made through the real communities service."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests_support import Person

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lifecycle"))


@pytest.fixture
def community_owner(make_user: Callable) -> Person:
    """The owner of the communities (may accept inclusion requests)."""
    return make_user("community-owner@example.org")


@pytest.fixture
def make_community(app: Any, search: Any, community_owner: Person) -> Callable[[str], Any]:
    """A public community made by invenio-communities' service (``open``: curators include directly)."""
    from invenio_communities.proxies import current_communities

    def _make(slug: str, review_policy: str = "closed") -> Any:
        access = {
            "visibility": "public",
            "members_visibility": "public",
            "record_submission_policy": "open",
            "review_policy": review_policy,
        }
        data = {
            "slug": slug,
            "access": access,
            "metadata": {"title": slug.replace("-", " ").title()},
        }
        return current_communities.service.create(community_owner.identity, data)

    return _make
