"""Hand changed rows to Celery only after the transaction that changed them commits.

A task sent before the commit could run before the row is visible, and one sent
for a transaction that rolls back would converge something that never happened.
Rows touched in a session are collected in ``session.info`` (``touched``). The
service component registers a :class:`ConvergeOp` in the unit of work, which
sends them after the commit; changes made outside a service component (e.g. the
pids endpoints) are sent by the session's ``after_commit`` hook. With eager
Celery (tests, demo without broker) that hook cannot run a task (the session may
not emit SQL inside it), so such rows wait for the next unit of work or the sweep.
A broker that is down loses nothing either: the sweep finds the row.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, has_app_context
from invenio_db.uow import Operation
from kombu.exceptions import KombuError
from sqlalchemy import event
from sqlalchemy.orm import Session

from .tasks import converge_doi, task_options
from .touched import drop_touched, take_touched

log = logging.getLogger(__name__)


def send(row_id: int, countdown: float = 0.0) -> bool:
    """Enqueue the convergence of one row; a broker failure is logged, not raised."""
    try:
        converge_doi.apply_async(args=(row_id,), countdown=max(countdown, 0.0) or None, **task_options())
        return True
    except (KombuError, OSError):
        # The broker is unreachable: the sweep recovers the row. (With eager Celery
        # there is no broker, and an error is the task's own: let it show.)
        if has_app_context() and current_app.config.get("CELERY_TASK_ALWAYS_EAGER"):
            raise
        log.warning("Could not enqueue DOI row %s; the sweep will pick it up.", row_id, exc_info=True)
        return False


def send_touched(session: Session) -> None:
    """Send every row this session's transaction touched (after it committed)."""
    for row_id, countdown in take_touched(session).items():
        send(row_id, countdown)


class ConvergeOp(Operation):
    """Unit-of-work operation: enqueue the rows touched by this unit of work."""

    def on_post_commit(self, uow) -> None:
        """Send the rows touched by the unit of work once its change is durable."""
        send_touched(uow.session)


_OP_FLAG = "_doi_ext_converge_op"


def converge_after_commit(uow: Any) -> None:
    """Register one :class:`ConvergeOp` in ``uow`` (once, whichever component asks first).

    One is enough: it sends every row the unit of work touched, whenever it was touched.
    """
    if uow is not None and not getattr(uow, _OP_FLAG, False):
        uow.register(ConvergeOp())
        setattr(uow, _OP_FLAG, True)


def _after_commit(session: Session) -> None:
    if not has_app_context() or current_app.config.get("CELERY_TASK_ALWAYS_EAGER"):
        return
    send_touched(session)


def _after_rollback(session: Session) -> None:
    # Only a rollback of the whole transaction discards the rows; a savepoint's
    # rollback (pytest-invenio's nested sessions) keeps the outer changes pending.
    if not session.in_transaction():
        drop_touched(session)


_installed = False


def install_session_hooks() -> None:
    """Listen once per process on every SQLAlchemy session."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    _installed = True
