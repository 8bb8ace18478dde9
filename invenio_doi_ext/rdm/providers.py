"""PID providers that never call DataCite themselves.

They subclass upstream's DataCite providers so that every place InvenioRDM
calls a provider (publish, discard, tombstone, restore, lift embargo, the
upstream ``register_or_update_pid`` task) keeps working, but each call only
records the desired state in the lifecycle; Celery workers do the HTTP.

Local PID status: NEW while a draft's DOI is only minted (even if reserved at
DataCite as a draft DOI), RESERVED from publish until DataCite confirms, and
REGISTERED only once a worker has had DataCite's confirmation.
"""

from __future__ import annotations

from typing import Any

from invenio_i18n import lazy_gettext as _
from invenio_pidstore.errors import PIDDoesNotExistError
from invenio_pidstore.models import PIDStatus
from invenio_rdm_records.services.pids.providers import DataCiteClient, DataCitePIDProvider
from invenio_rdm_records.services.pids.providers.base import PIDProvider
from marshmallow import ValidationError

from .. import doi_syntax, settings
from ..metadata import payload as payloads
from ..metadata import policy, validation
from . import accounts, filters, qualification, sync
from .qualification import CONCEPT_ROLE, VERSION_ROLE


class DOIExtClient(DataCiteClient):
    """Upstream's configuration reader, minting DOIs with a checked format.

    It never builds the ``datacite`` package's HTTP client: calls go through the
    lifecycle's gateway.
    """

    def generate_doi(self, record: Any, **kwargs: Any) -> str:
        """A DOI under the prefix and format of the account that mints for ``record``.

        Which account: :mod:`invenio_doi_ext.rdm.accounts`. A ``prefix`` asked for
        explicitly must be a prefix of one of the accounts (that account's format applies).
        """
        asked = kwargs.get("prefix")
        name = settings.account_for_doi(f"{asked}/x") if asked else accounts.minting_account(record)
        if name == settings.DEFAULT_ACCOUNT:
            # Upstream's reader, so that a client's ``config_overrides`` still apply.
            main, doi_format = self.cfg("prefix"), self.cfg("format", "{prefix}/{id}")
            allowed = [main, *(self.cfg("additional_prefixes") or [])]
        else:
            chosen = settings.get_account(name)
            main, doi_format, allowed = chosen.prefix, chosen.doi_format, list(chosen.prefixes)
        prefix = asked or main
        if not prefix or prefix not in allowed:
            raise RuntimeError(
                f"DOI prefix {prefix!r} is not configured: set DATACITE_PREFIX "
                "(or DATACITE_ADDITIONAL_PREFIXES, or an account of DOI_EXT_DATACITE_ACCOUNTS)."
            )
        doi = settings.format_doi(doi_format, prefix, record)
        problem = doi_syntax.doi_problem(doi)
        if problem:
            raise RuntimeError(
                f"The DOI format of account {name!r} produced {doi!r}, which is not a DOI "
                f"DataCite accepts: {problem}."
            )
        return doi

    @property
    def api(self) -> Any:
        """Refuse the synchronous client: nothing in a request may call DataCite."""
        raise RuntimeError("invenio-doi-ext sends every DataCite call through its workers.")


class DOIExtPIDProvider(DataCitePIDProvider):
    """Version DOIs: every hook records the desired state, none calls DataCite."""

    #: Which DOIs this provider mints; how ``qualification`` finds it without importing it.
    doi_ext_role = VERSION_ROLE

    def __init__(self, id_: str = "datacite", client: Any = None, **kwargs: Any) -> None:
        """Same name as upstream's provider, so existing records keep resolving."""
        super().__init__(
            id_, client=client or DOIExtClient("datacite", config_prefix="DATACITE"), **kwargs
        )

    def _sync(self, record: Any, reason: str, doi: str | None = None) -> None:
        if record is not None:
            sync.sync_version(record, reason, doi=doi)

    def create(self, record: Any, pid_value: str | None = None, status: Any = None, **kwargs: Any):
        """Mint the DOI locally; reserve it at DataCite when the draft keeps it.

        A record that does not qualify (``DOI_EXT_FILTER``) is refused one, with
        the reason on ``pids.doi``; ``check_filter=False`` is the administrator's
        override. A record whose DOI was set aside by a filter gets that DOI back.
        """
        if kwargs.pop("check_filter", True) and getattr(record, "is_draft", False):
            decision = qualification.decision_for(record, filters.REQUEST)
            if not decision.qualifies:
                raise ValidationError(decision.reason, field_name="pids.doi")
        reason = "DOI minted"
        if pid_value is None:
            kept = qualification.remembered(getattr(record, "id", None))
            if kept is not None:
                pid_value, reason = kept.pid_value, "DOI set aside by the filter given back"
        pid = super().create(record, pid_value=pid_value, status=status, **kwargs)
        self._sync(record, reason, doi=pid.pid_value)
        return pid

    def reserve(self, pid, record: Any = None, **kwargs: Any) -> bool:
        """Publish reserves the DOI locally; DataCite hears of it from a worker."""
        result = PIDProvider.reserve(self, pid, **kwargs)
        self._sync(record, "DOI reserved for publication", doi=pid.pid_value)
        return result

    def register(self, pid, record: Any = None, **kwargs: Any) -> bool:
        """Called by upstream's post-publish task: refresh, never mark REGISTERED here."""
        self._sync(_unchain(record), "registration requested")
        return True

    def update(self, pid, record: Any = None, url: str | None = None, **kwargs: Any) -> bool:
        """Called by upstream's tasks after edits, tombstones and restores: refresh."""
        self._sync(_unchain(record), "update requested")
        return True

    def delete(self, pid, soft_delete: bool = False, record: Any = None, **kwargs: Any):
        """Discard a draft DOI (deleted at DataCite if reserved).

        A tombstone (``soft_delete``) changes nothing here: the service component,
        which runs after every other component of ``delete_record``, recomputes
        both DOIs once (computing them here too only doubled the request's work).
        """
        if soft_delete:
            return None
        sync.withdraw(pid.pid_value, "draft DOI discarded")
        return PIDProvider.delete(self, pid, soft_delete=False, **kwargs)

    def restore(self, pid, record: Any = None, **kwargs: Any) -> None:
        """Nothing here: the service component's ``restore_record`` recomputes both DOIs once."""

    def validate(
        self, record: Any, identifier: str | None = None, provider: str | None = None, **kwargs: Any
    ):
        """Upstream's checks, then DataCite's rules on what publishing will send.

        Upstream calls this on every draft save (errors shown on the form) and on
        publish (errors refuse it). "doi" is a required scheme, so it also runs
        for drafts without a DOI yet: they will get one of ours on publish, and
        the depositor sees DataCite's objections now. A DOI that will not exist
        (restricted record under the "none" policy, a record the DOI filter
        excludes) is not held to them.
        """
        success, errors = PIDProvider.validate(self, record, identifier, provider, **kwargs)
        for error in validation.doi_errors(identifier):
            self._insert_pid_type_error_msg(errors, error.message)
        if not _qualifies(record):
            return not errors, errors
        if not record.get("metadata", {}).get("publisher"):
            errors.append(
                {
                    "field": "metadata.publisher",
                    "messages": [_("Missing publisher field required for DOI registration.")],
                }
            )
        if _doi_will_be_sent(self, record, identifier):
            url = payloads.landing_url(identifier or _PLACEHOLDER_DOI)
            found = validation.validate_record(record, None, url)
            for error in found:
                if error.field == "pids.doi":  # the landing URL: same entry as the DOI's own errors
                    self._insert_pid_type_error_msg(errors, error.message)
            _merge(errors, validation.as_form_errors(e for e in found if e.field != "pids.doi"))
        return not errors, errors

    def validate_restriction_level(self, record: Any, identifier: str | None = None, **kwargs: Any) -> None:
        """Called on publish, before PIDs are created: align the DOI with the restricted policy.

        "none": a restricted record gets no DOI (upstream removes a NEW one).
        "redacted": a restricted record gets a DOI like a public one, which
        upstream would skip; asking for one here makes upstream mint it.
        A record the DOI filter excludes gets none: the placeholder that kept
        upstream from minting the required scheme is removed here.
        """
        if qualification.drop_placeholder(record):
            return
        if not policy.is_metadata_restricted(record):
            return
        if policy.policy() == policy.NONE:
            super().validate_restriction_level(record, identifier=identifier, **kwargs)
            return
        pids = record.get("pids")
        if identifier is None and isinstance(pids, dict) and "doi" not in pids:
            pids["doi"] = {"provider": self.name}


class DOIExtParentPIDProvider(DOIExtPIDProvider):
    """Concept DOIs: described by the latest public version."""

    doi_ext_role = CONCEPT_ROLE

    def _sync(self, record: Any, reason: str, doi: str | None = None) -> None:
        if record is None:
            return
        parent, current = _parent_and_version(record)
        if parent is not None:
            sync.sync_concept(parent, current, reason, doi=doi)

    def create(self, record: Any, pid_value: str | None = None, status: Any = None, **kwargs: Any):
        """Mint the concept DOI; the service component describes it once the version is built."""
        return PIDProvider.create(self, record, pid_value=pid_value, status=status, **kwargs)

    def reserve(self, pid, record: Any = None, **kwargs: Any) -> bool:
        """Reserve locally only: at this point of a publish the version is half-built."""
        return PIDProvider.reserve(self, pid, **kwargs)

    def register(self, pid, record: Any = None, **kwargs: Any) -> bool:
        """Upstream's task passes a ChainObject(parent, latest version)."""
        self._sync(record, "registration requested")
        return True

    def update(self, pid, record: Any = None, url: str | None = None, **kwargs: Any) -> bool:
        """Upstream's task after tombstone or restore: recompute, never re-publish blindly."""
        self._sync(record, "update requested")
        return True

    def validate(
        self, record: Any, identifier: str | None = None, provider: str | None = None, **kwargs: Any
    ):
        """A concept DOI has no metadata of its own: upstream's checks and DataCite's DOI syntax."""
        success, errors = PIDProvider.validate(self, record, identifier, provider, **kwargs)
        for error in validation.doi_errors(identifier):
            self._insert_pid_type_error_msg(errors, error.message)
        return not errors, errors

    def validate_restriction_level(self, record: Any, identifier: str | None = None, **kwargs: Any) -> None:
        """Concept DOIs follow the versions; nothing to remove here."""


#: Stands for the DOI a draft will get, to check the landing URL before it exists.
_PLACEHOLDER_DOI = "10.0000/placeholder"


def _doi_will_be_sent(provider: PIDProvider, record: Any, identifier: str | None) -> bool:
    """False when publishing will leave no DOI to send (restricted under "none")."""
    if policy.policy() != policy.NONE or not policy.is_metadata_restricted(record):
        return True
    if identifier is None:
        return False
    try:
        return provider.get(identifier).status != PIDStatus.NEW
    except PIDDoesNotExistError:
        return False


def _qualifies(record: Any) -> bool:
    """Whether the DOI filter lets this record have a DOI (published records keep theirs)."""
    if not getattr(record, "is_draft", False) or getattr(record, "is_published", False):
        return True
    return qualification.decision_for(record, filters.SAVE).qualifies


def _merge(errors: list[dict], found: list[dict]) -> None:
    """Add form errors, joining the messages of a field upstream already reported."""
    by_field = {error.get("field"): error for error in errors}
    for error in found:
        existing = by_field.get(error["field"])
        if existing is None:
            errors.append(error)
            by_field[error["field"]] = error
        else:
            existing["messages"] = [*existing["messages"], *error["messages"]]


def _unchain(record: Any) -> Any:
    """Upstream passes a ChainObject for parents; version hooks want the record."""
    return getattr(record, "_child", record)


def _parent_and_version(record: Any) -> tuple[Any, Any]:
    """(parent, version in memory) from whatever upstream passed to a parent hook."""
    if hasattr(record, "_parent"):
        return record._parent, record._child
    if hasattr(record, "parent") and getattr(record, "parent", None) is not None and "pids" in record:
        parent = record.parent
        if parent is not None and parent is not record:
            return parent, record
    return record, None


