"""The local PID follows DataCite, changed from here only."""

from __future__ import annotations

from invenio_pidstore.models import PersistentIdentifier, PIDStatus

from ..models import DOIState


def _pid(pid_value: str) -> PersistentIdentifier | None:
    return PersistentIdentifier.query.filter_by(pid_type="doi", pid_value=pid_value).one_or_none()


def mark_pid_registered(pid_value: str) -> None:
    """The local PID says REGISTERED only once DataCite has confirmed it."""
    pid = _pid(pid_value)
    if pid is not None and pid.status in (PIDStatus.NEW, PIDStatus.RESERVED):
        pid.register()


def align_pid_status(pid: PersistentIdentifier, remote_state: str) -> None:
    """The local PID says REGISTERED exactly when DataCite has it registered or findable."""
    at_datacite = remote_state in (DOIState.REGISTERED, DOIState.FINDABLE)
    if pid.status == PIDStatus.REGISTERED and not at_datacite:
        # pidstore has no method back from REGISTERED: DataCite never had it (adopt found
        # upstream's record of a registration that did not happen).
        pid.status = PIDStatus.RESERVED
    elif pid.status in (PIDStatus.NEW, PIDStatus.RESERVED) and at_datacite:
        pid.register()
