"""Configuration keys of invenio-doi-ext, each with its default and meaning.

Upstream's ``DATACITE_*`` keys keep their meaning and their defaults from
invenio-rdm-records; :mod:`invenio_doi_ext.settings` lists them, resolves legacy
names and checks everything at start-up. Only ``DOI_EXT_*`` keys live here, since
this module is also loaded as an ``invenio_config.module``.
"""

from datetime import timedelta

from .compat import keep_callable_datacite_format

keep_callable_datacite_format()

DOI_EXT_ENABLED = True
"""Replace upstream's DataCite PID providers by this package's providers."""

DOI_EXT_DATACITE_URL = None
"""DataCite REST API base URL; ``None`` derives it from ``DATACITE_TEST_MODE``."""

DOI_EXT_DATACITE_ACCOUNTS = {}
"""Further DataCite repository accounts, by name: ``{"b": {"username": ..., "password": ...,
"prefix": "10.NNNN"}}`` (optional entries: ``additional_prefixes``, ``format``,
``test_mode`` (default ``DATACITE_TEST_MODE``), ``url`` (default ``DOI_EXT_DATACITE_URL``,
else by test mode), ``rate_limit`` (a limit of the account's own, on top of
``DOI_EXT_RATE_LIMIT``)). The ``DATACITE_*`` keys are the account named ``"default"``."""

DOI_EXT_COMMUNITY_ACCOUNTS = {}
"""Which account mints the first DOIs of a community's records: ``{"community-slug-or-id":
"account name"}``, or a callable ``(record, context) -> account name or None``. Records of
no listed community use ``"default"``; later versions stay with their concept DOI's account."""

DOI_EXT_RESTRICTED_POLICY = "redacted"
"""``"redacted"``: restricted records get a registered DOI holding only
:data:`DOI_EXT_REDACTED_METADATA`; ``"none"``: restricted records get no DOI."""

DOI_EXT_REDACTED_METADATA = {
    "titles": [{"title": "Restricted record"}],
    "creators": [{"name": ":unav", "nameType": "Organizational"}],
    "publisher": {"name": "{publisher}"},
    "publicationYear": "{year}",
    "types": {"resourceTypeGeneral": "{resource_type_general}"},
    "descriptions": [
        {
            "description": "The metadata of this record is not public.",
            "descriptionType": "Other",
        }
    ],
}
"""What DataCite holds for a restricted record. In its strings ``{publisher}``
(``THEME_SITENAME``), ``{year}`` (publication year) and ``{resource_type_general}``
(from the resource-type vocabulary) are filled in; any other text, braces
included, is sent as written. Nothing else of the record is ever sent."""

DOI_EXT_RESERVE_ON_DRAFT = True
"""A draft that gets a DOI reserves it at DataCite as a draft DOI."""

DOI_EXT_RATE_LIMIT = None
"""Calls to DataCite allowed, ``limits`` syntax; ``None`` means
``"700 per 5 minutes"`` in test mode and ``"2700 per 5 minutes"`` in production."""

DOI_EXT_RATE_LIMIT_STORAGE = None
"""``limits`` storage URI shared by all workers; ``None`` uses ``CACHE_REDIS_URL``
when the instance's cache is Redis, otherwise ``memory://`` (per process). With
Redis (also Sentinel or Cluster) or memory a slot counts from DataCite's answer, so
the limit needs no margin for travel time; other storages count from the send."""

DOI_EXT_HTTP_TIMEOUT = (5.0, 30.0)
"""(connect, read) timeout in seconds of every call to DataCite; one number sets both."""

DOI_EXT_BACKOFF = (30.0, 3600.0)
"""(base, cap) in seconds of the exponential back-off after a retryable failure."""

DOI_EXT_CIRCUIT_BREAKER = {"failures": 5, "pause": 300.0}
"""After this many consecutive 5xx/connection failures, or any 401, every worker
of the instance pauses calls to DataCite for ``pause`` seconds (or a ``timedelta``);
an entry left out keeps its default."""

DOI_EXT_LEASE_SECONDS = None
"""How long a worker holds a row it is sending; ``None``: twice the HTTP timeouts
plus a minute of rate-limit wait (seconds or a ``timedelta``). A worker killed
mid-call delays its DOI this long."""

DOI_EXT_SWEEP_INTERVAL = timedelta(seconds=60)
"""How often Celery beat runs the sweep that re-enqueues due, out-of-sync DOIs
(a ``timedelta`` or seconds)."""

DOI_EXT_SWEEP_BATCH = 500
"""Most rows the sweep enqueues per run (bounded work per beat tick)."""

DOI_EXT_COALESCE_SECONDS = 5.0
"""Delay in seconds (or a ``timedelta``) before a changed DOI is sent, so that a burst
of edits becomes one call; 0 sends at once."""

DOI_EXT_LANDING_URL = "{site}/doi/{doi}"
"""URL registered at DataCite; upstream's ``/doi/<doi>`` route redirects to the
record, so moving records never requires re-registering URLs."""

DOI_EXT_CONTACT_EMAIL = None
"""E-mail added to the User-Agent (DataCite's identified-client rate tier)."""

DOI_EXT_TASK_QUEUE = None
"""Celery queue for the convergence tasks (``None``: the default queue)."""

DOI_EXT_JOB_TTL = timedelta(days=1)
"""How long the outcome of a ``POST /api/dois/<doi>/sync`` job stays readable
(a ``timedelta`` or seconds)."""

DOI_EXT_PERMISSION_POLICY = "invenio_doi_ext.services.permissions:DOIPermissionPolicy"
"""Who may read a DOI's status and who may list, reserve and sync (class or import path)."""

DOI_EXT_CURATION_REQUIRED = False
"""Curated DOI requests: a published record's DOI stays a DataCite draft until a curator
accepts its "DOI request". ``True``/``False``, or a callable (or import string) taking
the record and returning a bool, for per-community decisions."""

DOI_EXT_CURATOR_ROLE = "admin"
"""Name of the role whose members accept, decline or send back DOI requests (superusers
always can); InvenioRDM's setup creates ``admin`` with superuser access."""

DOI_EXT_FILTER = None
"""Which records qualify for a DOI: a callable ``(record, context) -> bool`` or its
import string; ``None`` means every record. Asked when a draft asks for a DOI, on
every draft save and at publish; a published DOI is never withdrawn by it. Ready-made
filters and combinators are in :mod:`invenio_doi_ext.rdm.filters` (see "DOI filters")."""

DOI_EXT_COMMUNITY_FILTERS = {}
"""Per-community override of :data:`DOI_EXT_FILTER`: ``{"community-slug-or-id": filter}``.
The record's default community decides first, then its other communities in order,
then (for a draft) the community it is submitted to."""

DOI_EXT_NOTIFY_ENABLED = True
"""Send operators a digest (e-mail, invenio-notifications) of DOIs that failed permanently
and of the breaker opening and closing; ``False`` sends nothing."""

DOI_EXT_NOTIFY_INTERVAL = timedelta(hours=1)
"""At most one operator digest per interval; what happens meanwhile waits for the next."""

DOI_EXT_NOTIFY_ROLE = None
"""Role whose members receive the operator digest; ``None`` means :data:`DOI_EXT_CURATOR_ROLE`."""

DOI_EXT_METRICS_TOKEN = None
"""Bearer token that may read ``/api/dois/metrics`` and the details of ``/api/dois/health``
besides administrators (a Prometheus scraper); ``None``: administrators only."""

DOI_EXT_HEALTH_MAX_LAG = timedelta(minutes=15)
"""``/api/dois/health`` answers 503 when the oldest due DOI has waited longer than this
(workers stopped or behind), or while the breaker pauses calls."""

DOI_EXT_FILE_DOIS = False
"""File-level DOIs (docs: "File DOIs"): ``False`` (none), ``True`` (every record's files),
a mapping ``{"community-slug-or-id": True}`` (the files of records of the listed communities,
as :data:`DOI_EXT_COMMUNITY_FILTERS` decides), or a callable ``(record) -> bool`` (or its
import path). A file's DOI is minted when the file is added to a draft and reserved at
DataCite as a draft DOI; publish makes it findable."""

DOI_EXT_FILE_DOIS_FORMAT = "{prefix}/{id}"
"""The DOI of a file: ``{prefix}`` is the prefix of the account of the record's DOI,
``{id}`` a fresh random id (``xxxxx-xxxxx``, as record ids; required, it makes the DOI
unique), ``{recid}`` the record's id. A draft may have no DOI yet when a file is added, so
the record's DOI is not a placeholder."""

DOI_EXT_FILE_DOIS_MIN_SIZE = None
"""Only files of at least this many bytes get a DOI (``None``: no lower limit)."""

DOI_EXT_FILE_DOIS_MAX_SIZE = None
"""Only files of at most this many bytes get a DOI (``None``: no upper limit)."""

DOI_EXT_FILE_DOIS_TYPES = None
"""Only files of these types get a DOI: a list of MIME types (``"text/csv"``), MIME
families (``"image/*"``) or file name extensions (``".nc"``); ``None``: every type."""
