#!/usr/bin/env bash
# The one-command demo of invenio-doi-ext.
#
#   ./run-demo.sh [--output DIR] [--timeout SECONDS] [--serve [--port N]]
#
# Installs what it needs into .venv, starts the DataCite sandbox on a free
# loopback port, creates a throw-away InvenioRDM instance, starts a real Celery
# worker and beat, and tells a story: a public dataset, a restricted one, metadata
# DataCite would refuse, an outage during a burst of publishes, an edit, a
# tombstone and a restore. It prints a table of every DOI at each step and a
# verdict, writes report.html, the sandbox's journal and the operators' digest
# e-mails (operator-digests.txt, sent over SMTP to a loopback mailbox) to the output folder
# (default: demo-output/), stops what it started, and exits non-zero if any DOI
# did not converge.
#
# --serve: after the story, the instance stays up in InvenioRDM's real UI on
# http://127.0.0.1:5000/ (--port) until Ctrl-C, worker and beat running, so a
# newcomer can log in (depositor@demo.example.org / demo-password), deposit, get a
# DOI, publish and watch its status. The frontend is built first when missing
# (scripts/ensure-ui-bundle.sh: minutes, once; cached in ~/.cache/invenio-doi-ext).
#
# Embedded by default (SQLite, a broker in a SQLite file, caches and sessions in memory, the
# search stand-in). Real services when given:
#   DEMO_DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/doi_demo
#   DEMO_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//
#   DEMO_REDIS_URL=redis://127.0.0.1:6379/3
set -euo pipefail
cd "$(dirname "$0")"

DOI_EXT_EXTRAS=demo
# shellcheck source=scripts/ensure-venv.sh
. scripts/ensure-venv.sh

for arg in "$@"; do
    if [ "$arg" = "--serve" ]; then
        DOI_EXT_UI_STATIC=$(scripts/ensure-ui-bundle.sh) || { echo "the frontend could not be built" >&2; exit 2; }
        export DOI_EXT_UI_STATIC
    fi
done

exec python -m invenio_doi_ext.demo "$@"
