#!/usr/bin/env bash
# The one test command of invenio-doi-ext.
#
#   ./run-tests.sh [pytest arguments]
#
# Creates (or reuses) the virtual environment .venv, installs the package with its
# test extras (pinned by requirements/constraints.txt), then runs ruff, the
# Sphinx docs build (warnings are errors) and pytest.
#
# Services: PostgreSQL (127.0.0.1:5432), RabbitMQ (:5672) and Redis (:6379) are
# used when reachable; without them the suite runs on SQLite with eager Celery and
# an in-memory broker, and the tests that need a real worker are skipped with a
# reason. DOI_EXT_TEST_SERVICES=none forces that mode even when services run.
# DOI_EXT_VENV picks another virtualenv directory; PYTHON another interpreter.
#
# Chromium: when /usr/bin/chromium or chromedriver is missing and this runs as
# root with apt-get, it installs the Debian packages chromium and chromium-driver
# (saying so first). DOI_EXT_INSTALL_CHROMIUM=no skips that; the browser tests
# then skip with a reason.
#
# InvenioRDM's frontend: scripts/ensure-ui-bundle.sh builds the webpack bundle of
# the installed InvenioRDM modules (ours included) when it is missing, into
# ~/.cache/invenio-doi-ext/ui-bundle/<key> (outside the clone: a fresh clone reuses
# it), once per set of inputs (about 5 to 13 minutes, 2.5 GB of memory at peak).
# The browser tests of the deposit form need it; without it (no node, no npm
# registry, a failed build) they skip with the reason. DOI_EXT_UI_BUNDLE=no
# skips the build.
#
# Before the suite, a few login tests run with DOI_EXT_TEST_SERVICES=none and an
# instance whose every service URL points at a closed port
# (tests/closed-services/invenio.cfg): proof that "no services" means none.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n==> %s\n' "$*"; }

DOI_EXT_EXTRAS=tests
# shellcheck source=scripts/ensure-venv.sh
. scripts/ensure-venv.sh

# Headless Chromium for the browser tests: installed when possible, else those
# tests skip with a reason.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "${DOI_EXT_INSTALL_CHROMIUM:-yes}" = "no" ]; then
        log "chromium: not installed (DOI_EXT_INSTALL_CHROMIUM=no): the browser tests will be skipped"
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "chromium: installing the Debian packages chromium and chromium-driver with apt-get (DOI_EXT_INSTALL_CHROMIUM=no skips this)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
            || echo "chromium could not be installed: the browser tests will be skipped"
    else
        log "chromium: missing, and installing it needs root and apt-get: the browser tests will be skipped"
    fi
fi

reachable() { python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.5).close()
except OSError:
    sys.exit(1)
PY
}

if [ "${DOI_EXT_TEST_SERVICES:-auto}" = "none" ]; then
    log "services: none (DOI_EXT_TEST_SERVICES=none): SQLite, eager Celery, memory broker"
    unset SQLALCHEMY_DATABASE_URI
else
    pg=no; amqp=no; redis=no
    reachable 127.0.0.1 5432 && pg=yes
    reachable 127.0.0.1 5672 && amqp=yes
    reachable 127.0.0.1 6379 && redis=yes
    log "services: PostgreSQL=$pg RabbitMQ=$amqp Redis=$redis (unreachable ones are replaced as described above)"
fi

if [ "${DOI_EXT_UI_BUNDLE:-yes}" = "no" ]; then
    log "frontend bundle: not built (DOI_EXT_UI_BUNDLE=no): the deposit-form browser tests will be skipped"
elif static=$(scripts/ensure-ui-bundle.sh --print); then
    log "frontend bundle: reusing $static"
else
    log "frontend bundle: building InvenioRDM's frontend (scripts/ensure-ui-bundle.sh; once per set of inputs)"
    scripts/ensure-ui-bundle.sh || echo "the frontend could not be built: the deposit-form browser tests will be skipped"
fi

log "ruff"
ruff check invenio_doi_ext tests benchmarks

log "docs (sphinx, warnings are errors)"
sphinx-build -q -W --keep-going -b html docs docs/_build/html

log "no services: login tests with every service URL on a closed port (tests/closed-services)"
closed=$(mktemp -d)
cp tests/closed-services/invenio.cfg "$closed/"
DOI_EXT_TEST_SERVICES=none INSTANCE_PATH="$closed" \
    SQLALCHEMY_DATABASE_URI=postgresql+psycopg2://postgres@127.0.0.1:1/closed \
    BROKER_URL=amqp://guest:guest@127.0.0.1:1// CACHE_REDIS_URL=redis://127.0.0.1:1/0 \
    python -m pytest -q tests/foundation/test_services_none.py tests/resources/test_rest_status.py \
    tests/views/test_admin_page.py
rm -rf "$closed"

log "pytest"
python -m pytest tests "$@"
