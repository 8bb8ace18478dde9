"""``python -m invenio_doi_ext.demo [--output DIR] [--timeout SECONDS] [--serve [--port N]]``."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
import traceback
from pathlib import Path


def echo(line: str = "") -> None:
    """Print at once (the demo is watched live)."""
    print(line, flush=True)


class _QuietStatistics(logging.Filter):
    """The search stand-in has no statistics indices; their warnings are noise here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "IndexMissingException[[stats-" not in record.getMessage()


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 when every DOI converged as it must, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m invenio_doi_ext.demo", description=__doc__)
    parser.add_argument("--output", default="demo-output", help="folder for the report, journal and logs")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for each step to converge"
    )
    parser.add_argument(
        "--serve", action="store_true",
        help="after the story, serve the instance in InvenioRDM's UI until Ctrl-C "
             "(needs the built frontend: DOI_EXT_UI_STATIC, set by ./run-demo.sh --serve)",
    )
    parser.add_argument("--port", type=int, default=5000, help="loopback port for --serve")
    args = parser.parse_args(argv)
    static = Path(os.environ.get("DOI_EXT_UI_STATIC", ""))
    if args.serve and not (static / "dist" / "manifest.json").is_file():
        echo("--serve needs InvenioRDM's built frontend: run ./run-demo.sh --serve (it builds it "
             "with scripts/ensure-ui-bundle.sh) or set DOI_EXT_UI_STATIC to its static folder.")
        return 2

    started = time.monotonic()
    output = Path(args.output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)

    from ..sandbox import SandboxServer
    from .bootstrap import DemoDatabaseInUse, create_instance, populate, prepare_database
    from .instance import Services, instance_config, worker_environment
    from .mailbox import Mailbox
    from .processes import Processes, start_beat, start_worker
    from .report import write_html, write_journal
    from .story import Story

    services = Services.from_environment(output)
    echo("invenio-doi-ext demo")
    for line in services.describe():
        echo(f"  {line}")

    sandbox = SandboxServer(
        prefixes=("10.5555",),
        username="DEMO.REPOSITORY",
        password="demo-password",
        allowed_domains=("demo.example.org",),
    )
    sandbox.start()
    echo(f"  DataCite sandbox listening on {sandbox.url}")
    mailbox = Mailbox().start()
    echo(f"  operators' mailbox (SMTP) listening on 127.0.0.1:{mailbox.port}")
    processes = Processes()
    story = None
    problems: list[str] = []
    try:
        try:
            prepare_database(services.database_url)
        except DemoDatabaseInUse as error:
            echo(f"\nDEMO_DATABASE_URL: {error}")
            return 2
        config = instance_config(services, sandbox.url, output, mail_port=mailbox.port)
        instance_path = output / "instance"
        instance_path.mkdir()
        app = create_instance(config, instance_path)
        app.logger.addFilter(_QuietStatistics())
        env = worker_environment(config, instance_path)
        start_worker(processes, env, output)
        start_beat(processes, env, output)
        echo("  Celery worker and beat started (logs: worker.log, beat.log)")

        with app.app_context():
            from invenio_rdm_records.proxies import current_rdm_records_service

            from ..embedded import install_search_standin

            install_search_standin()
            identity = populate(output / "files")
            story = Story(
                current_rdm_records_service, identity, sandbox, echo, timeout=args.timeout, mailbox=mailbox
            )
            try:
                story.run()
            except Exception:  # noqa: BLE001 - the verdict must still be written
                problems.append("the story stopped with an error:\n" + traceback.format_exc())
            problems += story.problems()
            dead = processes.dead()
            if dead:
                problems.append(f"processes exited early: {', '.join(dead)} (see their logs)")
        if args.serve:
            from .serve import serve

            echo(f"\n{'PASS' if not problems else 'FAIL (see the report)'}: the story is over")
            serve(config, instance_path, app, args.port, static, echo)
    finally:
        processes.stop()
        journal = sandbox.control.journal()
        sandbox.stop()
        mailbox.stop()

    passed = not problems
    elapsed = time.monotonic() - started
    verdict = (
        f"PASS: every DOI is at DataCite as it must be ({story.summary()}; {len(journal)} requests "
        f"to DataCite, {elapsed:.0f} s)"
        if passed and story
        else "FAIL:\n  " + "\n  ".join(problems)
    )
    write_html(output / "report.html", story.snapshots if story else [], verdict, passed, services.describe())
    write_journal(output / "datacite-journal.jsonl", journal)
    digests = output / "operator-digests.txt"
    digests.write_text("\n\n".join(story.digests) if story else "")
    echo(f"\n{verdict}")
    echo(f"Report: {output / 'report.html'}  Journal: {output / 'datacite-journal.jsonl'}")
    echo(f"The operators' digest e-mails: {digests}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
