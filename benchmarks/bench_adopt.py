"""Benchmark 5: memory of ``invenio doi adopt`` over 100,000 DOIs and over 10,000.

Adopt walks the DOIs of real InvenioRDM records (version and concept), so it
needs records, not lifecycle rows; publishing 50,000 records through the records
service takes hours here. Instead, per size, in a fresh database:

1. ``prepare`` (a child process): a few template records are created and
   published through the real records service with upstream's provider
   (``DOI_EXT_ENABLED=False``), and upstream's ``register_or_update_pid`` runs
   in-process against the sandbox: their DOIs are as upstream leaves them
   (provider ``datacite``, PID status registered, no ``doi_ext_dois`` row).
2. The templates' rows are cloned in SQL (``INSERT ... SELECT``), each clone
   with new UUIDs, record ids and DOIs, consistently across every table that
   holds them: ``rdm_records_metadata`` (JSON ``id``, ``pid.pk``,
   ``pids.doi``, ``pids.oai``, title; ``parent_id``, new buckets),
   ``rdm_parents_metadata`` (JSON ``id``, ``pid.pk``, ``pids.doi``),
   ``rdm_versions_state``, ``rdm_drafts_metadata`` (the published record's
   emptied draft), ``files_bucket`` and ``pidstore_pid`` (recid of parent and
   record, oai, the record's DOI and the parent's DOI, ``datacite``, ``R``).
   Each clone is then loaded by ``RDMRecord.get_record`` / ``RDMParent.get_record``
   and serialized by upstream's DataCite serializer exactly as a real record.
3. ``measure`` (a fresh child process): the real ``invenio doi adopt`` click
   command through ``app.test_cli_runner()``, with our extension enabled, its
   gateway replaced by a stand-in answering ``get`` from memory (no HTTP): most
   DOIs as DataCite would hold them, 0.5% missing, 1.5% with another title.
   Memory, as the output's ``measure`` says: the tracemalloc peak from just
   before the command to its end (default), or with ``rss`` only the peak RSS
   (``ru_maxrss``) of the measuring process, which does nothing but start the
   app and run the command (tracemalloc makes adopt about 2.5 times slower:
   100,000 DOIs would take well over an hour here). Either way RSS (and traced
   memory when tracing) is sampled every 10% of the DOIs, through the adopt
   iterator, to show whether memory grows with rows. The converge tasks adopt
   hands to Celery after each batch's commit go to a queue of this run on the
   real broker (deleted afterwards; nobody consumes them).

``python bench_adopt.py 100000,10000 [rss]`` prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

from bench_instance import (
    bench_database,
    config,
    create_app,
    delete_queues,
    point_upstream_at,
    queue_length,
    run_child,
    start_sandbox,
)
from bench_request import record

TEMPLATES = 4
ADDRESS = "10.5555/"
OAI = "oai:oai:invenio-app-rdm.org::"


def recid_of(letter: str, number: int) -> str:
    """Record id of clone ``number`` (``r`` a version, ``p`` its parent): 5+5 base32 characters."""
    digits = f"{letter}{number:09x}"
    return f"{digits[:5]}-{digits[5:]}"


def number_of(doi: str) -> int:
    """Inverse of ``recid_of`` for a clone's DOI."""
    return int(doi[len(ADDRESS) + 1:].replace("-", ""), 16)


def title_of(template_title: str, number: int) -> str:
    return f"{template_title} (copy {number})"


# -- prepare: templates through the service, clones in SQL ---------------------------------------


def make_templates(count: int) -> list[dict[str, Any]]:
    """Publish ``count`` records with upstream's provider and let it register their DOIs."""
    from invenio_access.permissions import system_identity
    from invenio_db import db
    from invenio_rdm_records.proxies import current_rdm_records_service as service
    from invenio_rdm_records.records.api import RDMRecord
    from invenio_rdm_records.services.pids.tasks import register_or_update_pid

    templates = []
    for number in range(count):
        draft = service.create(system_identity, record(f"adopt template {number}"))
        recid = service.publish(system_identity, draft.id).id
        register_or_update_pid(recid, "doi")  # what upstream's worker would do
        register_or_update_pid(recid, "doi", parent=True)
        version = RDMRecord.pid.resolve(recid)
        templates.append({
            "record": str(version.id), "parent": str(version.parent.id), "recid": recid,
            "parent_recid": version.parent["id"], "title": version["metadata"]["title"],
            "doi": version["pids"]["doi"]["identifier"],
            "parent_doi": version.parent["pids"]["doi"]["identifier"],
        })
    db.session.commit()
    return templates


CLONE_SQL = [
    # One row per clone: its template, new UUIDs, record ids and PID ids (5 PIDs a clone).
    """
    CREATE TEMP TABLE clone AS
    SELECT n, t.record AS t_record, t.parent AS t_parent,
           gen_random_uuid() AS record, gen_random_uuid() AS parent,
           gen_random_uuid() AS bucket, gen_random_uuid() AS media_bucket,
           'r' || lpad(to_hex(n), 9, '0') AS r, 'p' || lpad(to_hex(n), 9, '0') AS p,
           :first_pid + 5 * (n - :first) AS pid
    FROM generate_series(:first, :last) AS n
    JOIN (SELECT (ordinality - 1)::int AS slot, record::uuid, parent::uuid
          FROM unnest(CAST(:records AS text[]), CAST(:parents AS text[]))
               WITH ORDINALITY AS u(record, parent)) AS t
      ON t.slot = n % :templates
    """,
    """
    UPDATE clone SET r = substr(r, 1, 5) || '-' || substr(r, 6), p = substr(p, 1, 5) || '-' || substr(p, 6)
    """,
    """
    INSERT INTO files_bucket (id, default_location, default_storage_class, size, quota_size, max_file_size,
                              locked, deleted, created, updated)
    SELECT c.bucket, b.default_location, b.default_storage_class, b.size, b.quota_size, b.max_file_size,
           b.locked, b.deleted, b.created, b.updated
    FROM clone c JOIN rdm_records_metadata t ON t.id = c.t_record
    JOIN files_bucket b ON b.id = t.bucket_id
    UNION ALL
    SELECT c.media_bucket, b.default_location, b.default_storage_class, b.size, b.quota_size, b.max_file_size,
           b.locked, b.deleted, b.created, b.updated
    FROM clone c JOIN rdm_records_metadata t ON t.id = c.t_record
    JOIN files_bucket b ON b.id = t.media_bucket_id
    """,
    """
    INSERT INTO rdm_parents_metadata (id, json, version_id, created, updated)
    SELECT c.parent,
           jsonb_set(jsonb_set(jsonb_set(t.json, '{id}', to_jsonb(c.p)), '{pid,pk}', to_jsonb(c.pid)),
                     '{pids,doi,identifier}', to_jsonb(:address || c.p)),
           t.version_id, t.created, t.updated
    FROM clone c JOIN rdm_parents_metadata t ON t.id = c.t_parent
    """,
    """
    INSERT INTO rdm_records_metadata (id, json, version_id, created, updated, index, parent_id, bucket_id,
                                      media_bucket_id, deletion_status)
    SELECT c.record,
           jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(t.json,
               '{id}', to_jsonb(c.r)), '{pid,pk}', to_jsonb(c.pid + 1)),
               '{pids,doi,identifier}', to_jsonb(:address || c.r)),
               '{pids,oai,identifier}', to_jsonb(:oai || c.r)),
               '{metadata,title}', to_jsonb((t.json #>> '{metadata,title}') || ' (copy ' || c.n || ')')),
           t.version_id, t.created, t.updated, t.index, c.parent, c.bucket, c.media_bucket, t.deletion_status
    FROM clone c JOIN rdm_records_metadata t ON t.id = c.t_record
    """,
    """
    INSERT INTO rdm_drafts_metadata (id, json, version_id, created, updated, index, parent_id, bucket_id,
                                     media_bucket_id, fork_version_id, expires_at)
    SELECT c.record, t.json, t.version_id, t.created, t.updated, t.index, c.parent, t.bucket_id,
           t.media_bucket_id, t.fork_version_id, t.expires_at
    FROM clone c JOIN rdm_drafts_metadata t ON t.id = c.t_record
    """,
    """
    INSERT INTO rdm_versions_state (latest_index, parent_id, latest_id, next_draft_id)
    SELECT t.latest_index, c.parent, c.record, NULL
    FROM clone c JOIN rdm_versions_state t ON t.parent_id = c.t_parent
    """,
    # The PIDs in the order a publish creates them: recid of the parent, of the record, oai, DOIs.
    """
    INSERT INTO pidstore_pid (id, pid_type, pid_value, pid_provider, status, object_type, object_uuid,
                              created, updated)
    SELECT c.pid + k, v.pid_type, v.pid_value, v.pid_provider, 'R', 'rec', v.object_uuid, now(), now()
    FROM clone c
    CROSS JOIN LATERAL (VALUES
        (0, 'recid', c.p, NULL, c.parent),
        (1, 'recid', c.r, NULL, c.record),
        (2, 'oai', :oai || c.r, 'oai', c.record),
        (3, 'doi', :address || c.r, 'datacite', c.record),
        (4, 'doi', :address || c.p, 'datacite', c.parent)
    ) AS v(k, pid_type, pid_value, pid_provider, object_uuid)
    ORDER BY c.pid + k
    """,
    "SELECT setval('pidstore_pid_id_seq', (SELECT max(id) FROM pidstore_pid))",
    "DROP TABLE clone",
]


def clone(templates: list[dict[str, Any]], count: int) -> None:
    """``count`` clones of the templates, in chunks of 10,000 (one transaction each)."""
    from invenio_db import db

    connection = db.engine.connect()
    try:
        for first in range(0, count, 10_000):
            last = min(first + 10_000, count) - 1
            with connection.begin():
                first_pid = connection.execute(db.text("SELECT max(id) + 1 FROM pidstore_pid")).scalar()
                params = {
                    "first": first, "last": last, "first_pid": first_pid, "templates": len(templates),
                    "records": [t["record"] for t in templates], "parents": [t["parent"] for t in templates],
                    "address": ADDRESS, "oai": OAI,
                }
                for statement in CLONE_SQL:
                    connection.execute(db.text(statement), params)
        for table in ("pidstore_pid", "rdm_records_metadata", "rdm_parents_metadata", "rdm_versions_state",
                      "rdm_drafts_metadata", "files_bucket"):
            connection.execute(db.text(f"ANALYZE {table}"))
        connection.commit()
    finally:
        connection.close()


def check_clones(count: int, sample: int) -> dict[str, Any]:
    """Clones load as records and parents of their own, and serialize: every ``count // sample``-th."""
    from invenio_db import db
    from invenio_pidstore.models import PersistentIdentifier
    from invenio_rdm_records.records.api import RDMParent, RDMRecord

    from invenio_doi_ext.rdm import targets

    checked = 0
    for number in range(0, count, max(1, count // sample)):
        recid, parent_recid = recid_of("r", number), recid_of("p", number)
        version_pid = PersistentIdentifier.get("doi", ADDRESS + recid)
        parent_pid = PersistentIdentifier.get("doi", ADDRESS + parent_recid)
        version = RDMRecord.get_record(version_pid.object_uuid)
        parent = RDMParent.get_record(parent_pid.object_uuid)
        assert version["id"] == recid and version.parent.id == parent.id, (number, version["id"])
        assert parent["pids"]["doi"]["identifier"] == ADDRESS + parent_recid
        assert RDMRecord.pid.resolve(recid).id == version.id  # the recid PID and JSON pid.pk agree
        assert [str(v.id) for v in targets.published_versions(parent)] == [str(version.id)]
        doi = targets.record_target(version, ADDRESS + recid)
        concept = targets.concept_target(parent, ADDRESS + parent_recid)
        assert doi.state == concept.state == "findable", (doi.state, concept.state)
        assert doi.payload["titles"][0]["title"].endswith(f"(copy {number})")
        checked += 1
    db.session.rollback()
    return {"checked": checked}


def template_answers(templates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What DataCite should hold for each template's DOIs (ours' target), as the stand-in answers it."""
    from invenio_rdm_records.records.api import RDMParent, RDMRecord

    from invenio_doi_ext.rdm import targets

    answers = []
    for template in templates:
        version = RDMRecord.get_record(template["record"])
        parent = RDMParent.get_record(template["parent"])
        record_target = targets.record_target(version, template["doi"])
        concept_target = targets.concept_target(parent, template["parent_doi"])
        answers.append({
            **template,
            "r": {"state": record_target.state, "url": record_target.url,
                  "attributes": record_target.payload},
            "p": {"state": concept_target.state, "url": concept_target.url,
                  "attributes": concept_target.payload},
        })
    return answers


def sandbox_findings(templates: list[dict[str, Any]]) -> list[str]:
    """For the record: what adopt finds for the templates at the sandbox, as upstream left them."""
    from invenio_db import db

    from invenio_doi_ext.lifecycle.client import current_gateway
    from invenio_doi_ext.rdm import adopt

    found = []
    gateway = current_gateway()
    for result in adopt.adopt(gateway, dry_run=True):
        found.append(f"{result.kind}: {'; '.join(result.findings) or 'none'}{result.error or ''}")
    db.session.rollback()
    return sorted(set(found))


def prepare(url: str, sandbox_url: str, dois: int, instance: str, queue: str) -> dict[str, Any]:
    """Templates and clones for ``dois`` DOIs (two a record: version and concept) in ``url``."""
    from invenio_db import db

    point_upstream_at(sandbox_url)
    try:
        # In-process rate limit: the few sandbox reads must not take slots of other runs' limiter in Redis.
        create_app(config(url, sandbox_url, queue, ours=False, DOI_EXT_RATE_LIMIT_STORAGE="memory://"),
                   Path(instance))
        started = time.perf_counter()
        templates = make_templates(TEMPLATES)
        answers = template_answers(templates)
        upstream = sandbox_findings(templates)
        template_seconds = time.perf_counter() - started
        clones = dois // 2 - TEMPLATES
        started = time.perf_counter()
        clone(templates, clones)
        clone_seconds = time.perf_counter() - started
        check = check_clones(clones, 200)
        total = db.session.execute(
            db.text("SELECT count(*) FROM pidstore_pid WHERE pid_type = 'doi' AND pid_provider = 'datacite'")
        ).scalar()
        db.session.remove()
    finally:
        delete_queues(queue, f"{queue}-other")
    return {"templates": answers, "template_records": len(templates), "clones": clones, "dois": total,
            "template_seconds": round(template_seconds, 1), "clone_seconds": round(clone_seconds, 1),
            "checked_clones": check["checked"],
            "sandbox_findings_of_templates": upstream}


# -- measure: the adopt command in a fresh interpreter --------------------------------------------


class MemoryGateway:
    """Answers ``get`` as DataCite would for the templates and their clones, without HTTP.

    A clone's answer is its template's with the template's record ids (hence DOIs)
    and title replaced by the clone's. Per 1,000 clones: 5 missing at DataCite
    (``registered locally, missing``), 15 with another title (``different metadata``).
    """

    def __init__(self, templates: list[dict[str, Any]]) -> None:
        self.templates = templates
        self.by_doi = {t["doi"]: (t, "r") for t in templates} | {t["parent_doi"]: (t, "p") for t in templates}
        self.texts = [{kind: json.dumps(t[kind]) for kind in ("r", "p")} for t in templates]
        self.calls = 0

    def get(self, doi: str) -> Any:
        from invenio_doi_ext.datacite.outcome import Outcome, OutcomeKind

        self.calls += 1
        if doi in self.by_doi:
            template, kind = self.by_doi[doi]
            answer = template[kind]
        else:
            number, kind = number_of(doi), doi[len(ADDRESS)]
            slot = number % 1000
            if slot < 5:
                return Outcome(OutcomeKind.SUCCESS, "get", doi, status=404, found=False)
            template = self.templates[number % len(self.templates)]
            text = self.texts[number % len(self.templates)][kind]
            text = text.replace(template["recid"], recid_of("r", number))
            text = text.replace(template["parent_recid"], recid_of("p", number))
            title = template["title"] if slot < 20 else title_of(template["title"], number)
            text = text.replace(json.dumps(template["title"])[1:-1], json.dumps(title)[1:-1])
            answer = json.loads(text)
        return Outcome(OutcomeKind.SUCCESS, "get", doi, status=200, state=answer["state"], url=answer["url"],
                       attributes=answer["attributes"])


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def measure(
    url: str, sandbox_url: str, instance: str, answers_file: str, queue: str, traced: bool
) -> dict[str, Any]:
    """Memory and time of ``invenio doi adopt`` over every DOI of the database, in this process."""
    import logging
    from unittest import mock

    from invenio_db import db

    from invenio_doi_ext.cli.steering import adopt_cmd
    from invenio_doi_ext.demo.bootstrap import create_instance
    from invenio_doi_ext.embedded import index_vocabularies, install_search_standin
    from invenio_doi_ext.lifecycle.models import ManagedDOI
    from invenio_doi_ext.rdm import adopt

    logging.getLogger("invenio_rdm_records").setLevel(logging.ERROR)
    values = config(url, sandbox_url, queue, ours=True, DOI_EXT_RATE_LIMIT_STORAGE="memory://")
    app = create_instance(values, Path(instance))
    app.logger.setLevel(logging.ERROR)
    app.app_context().push()
    install_search_standin()
    index_vocabularies()
    gateway = MemoryGateway(json.loads(Path(answers_file).read_text()))
    total = adopt.count_candidates()
    db.session.remove()
    samples: list[dict[str, Any]] = []
    real_adopt = adopt.adopt
    started = 0.0

    def sample(done: int) -> None:
        traced_mib = round(tracemalloc.get_traced_memory()[0] / 2**20, 2) if traced else None
        samples.append({"done": done, "rss_mib": rss_mib(), "traced_mib": traced_mib,
                        "seconds": round(time.perf_counter() - started, 1)})

    def sampled_adopt(*args: Any, **kwargs: Any) -> Any:
        """The real iterator, sampling memory every 10% of the DOIs."""
        step = max(1, total // 10)
        sample(0)
        for done, result in enumerate(real_adopt(*args, **kwargs), start=1):
            if done % step == 0:
                sample(done)
            yield result

    runner = app.test_cli_runner()
    rss_before = rss_mib()
    with mock.patch("invenio_doi_ext.cli.steering.current_gateway", return_value=gateway), \
            mock.patch.object(adopt, "adopt", sampled_adopt):
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        result = runner.invoke(adopt_cmd, [])
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
    rows = ManagedDOI.query.count()
    in_sync = ManagedDOI.query.filter(ManagedDOI.in_sync.is_(True)).count()
    db.session.remove()
    sent = queue_length(queue)
    output = result.output.strip().splitlines()
    return {
        "dois": total, "measure": "tracemalloc peak" if traced else "peak RSS (ru_maxrss)",
        "peak_traced_mib": round(peak / 2**20, 2) if traced else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10, 1),
        "rss_before_mib": rss_before, "seconds": round(seconds, 1), "exit": result.exit_code,
        "summary": output[-1:], "output_lines": len(output),
        "output_kib": round(len(result.output) / 1024, 1),
        "gateway_gets": gateway.calls, "rows": rows, "rows_in_sync": in_sync, "tasks_sent": sent,
        "samples": samples, "error": repr(result.exception) if result.exit_code not in (0, 1) else None,
    }


def run(sizes: list[int], traced: bool) -> dict[str, Any]:
    """Per size (largest first): a fresh database, prepared in one child, measured in another."""
    sandbox = start_sandbox(0)
    queue = f"doi-ext-bench-adopt-{uuid.uuid4().hex[:8]}"  # Celery's, of both children; nobody consumes
    results = []
    try:
        for size in sorted(sizes, reverse=True):
            with bench_database(f"adopt_{size}") as url, tempfile.TemporaryDirectory() as tmp:
                prepare_queue = f"{queue}-prepare"
                prepared = run_child(__file__, "prepare", url, sandbox.url, str(size), tmp, prepare_queue)
                answers = Path(tmp) / "answers.json"
                answers.write_text(json.dumps(prepared.pop("templates")))
                mode = "traced" if traced else "rss"
                measured = run_child(__file__, "measure", url, sandbox.url, tmp, str(answers), queue, mode)
                delete_queues(queue)
                results.append({"size": size, "prepare": prepared, **measured})
    finally:
        delete_queues(queue, f"{queue}-other", f"{queue}-prepare", f"{queue}-prepare-other")
        sandbox.stop()
    return {"adopt": results}


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        print(json.dumps(prepare(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:7])))
    elif sys.argv[1] == "measure":
        print(json.dumps(measure(*sys.argv[2:7], traced=sys.argv[7] == "traced")))
    else:
        print(json.dumps(run([int(n) for n in sys.argv[1].split(",")], traced=sys.argv[2:3] != ["rss"])))
