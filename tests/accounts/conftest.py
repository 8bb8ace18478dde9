"""Fixtures of the several-accounts tests: three DataCite accounts, communities mapped to two.

Accounts: ``default`` (the ``DATACITE_*`` keys, 10.1234, user ``sandbox``), ``a``
(INST.A, 10.4444) and ``b`` (INST.B, 10.5678, with the additional prefix 10.5679).
Communities ``alpha`` mint with ``a``, ``beta`` with ``b``; any other with ``default``.
The sandbox knows all three accounts, each with its own password.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from accounts_setup import ACCOUNTS, with_accounts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lifecycle"))


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Two accounts besides the default one, and two communities mapped to them."""
    return {
        "DOI_EXT_DATACITE_ACCOUNTS": ACCOUNTS,
        "DOI_EXT_COMMUNITY_ACCOUNTS": {"alpha": "a", "beta": "b"},
    }


@pytest.fixture
def sandbox(sandbox: Any) -> Any:
    """The reset sandbox, knowing the accounts ``a`` and ``b`` with their prefixes."""
    return with_accounts(sandbox)


@pytest.fixture
def in_community(db: Any, service: Any) -> Callable[..., None]:
    """Put a draft's or record's parent in a community, as its default (as accepting does)."""

    def _put(draft_id: str, comm: Any, leave: Any = None) -> None:
        draft = service.draft_cls.pid.resolve(draft_id, registered_only=False)
        if leave is not None:
            draft.parent.communities.remove(leave)
        draft.parent.communities.add(comm, default=True)
        draft.parent.commit()
        db.session.commit()

    return _put
