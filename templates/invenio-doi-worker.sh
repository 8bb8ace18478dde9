#!/bin/sh
# Start a Celery worker on the queue invenio-doi-ext sends its tasks to.
#
#   invenio-doi-worker.sh [celery worker options...]
#
# The queue is DOI_EXT_TASK_QUEUE as the instance itself sees it (invenio.cfg,
# then INVENIO_* variables), read through `invenio doi config --format json`, so
# the worker follows a change of invenio.cfg at its next restart and never listens
# on a queue nobody sends to. With DOI_EXT_TASK_QUEUE = None the DOI tasks go to
# the default queue and this worker consumes that one, like your other workers.
# INVENIO_VENV names the instance's virtualenv (default /opt/invenio/.venv).
set -eu
venv=${INVENIO_VENV:-/opt/invenio/.venv}

queue=$("$venv/bin/invenio" doi config --format json | "$venv/bin/python" -c \
    'import json, sys; print(json.load(sys.stdin).get("DOI_EXT_TASK_QUEUE") or "")')

if [ -n "$queue" ]; then
    echo "invenio-doi-worker: consuming queue $queue (DOI_EXT_TASK_QUEUE)"
    exec "$venv/bin/celery" -A invenio_app.celery worker -Q "$queue" "$@"
fi
echo "invenio-doi-worker: DOI_EXT_TASK_QUEUE is not set: consuming the default queue"
exec "$venv/bin/celery" -A invenio_app.celery worker "$@"
