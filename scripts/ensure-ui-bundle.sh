#!/usr/bin/env bash
# Build InvenioRDM's frontend (the webpack bundle of the installed invenio-app-rdm
# and its modules, this package's assets included) once per set of inputs, into a
# cache OUTSIDE the clone, and print the static folder that holds it.
#
#   scripts/ensure-ui-bundle.sh            # build when missing, print the folder
#   scripts/ensure-ui-bundle.sh --print    # print the folder if built, else exit 3
#
# Run inside the virtualenv (the `invenio` command of the installed packages).
# The cache key hashes what decides the bundle: the Python pins
# (requirements/constraints.txt, setup.cfg: they fix every module's JavaScript),
# this package's assets (invenio_doi_ext/assets), the override mapping
# (invenio_doi_ext/assets/mapping.js is the instance's mapping.js here), this
# script, and the Node version. The folder is
#   ${DOI_EXT_UI_CACHE:-~/.cache/invenio-doi-ext/ui-bundle}/<key>/static
# (static/dist/manifest.json plus the collected static files). The build
# workspace (with its node_modules) and npm's download cache are kept beside it,
# so a rebuild for a new key downloads little. A failed build leaves nothing
# under <key>; its log is <key>.log. scripts/ui-instance/ holds what an
# instance's own assets/ folder adds (theme.config, the override mapping).
# scripts/ui-npm-overrides.json pins npm packages whose newest wanted version the
# registry lacks (it is hashed into the key too).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${DOI_EXT_UI_CACHE:-$HOME/.cache/invenio-doi-ext/ui-bundle}
inputs() {
    cat requirements/constraints.txt setup.cfg scripts/ensure-ui-bundle.sh scripts/ui-npm-overrides.json
    find scripts/ui-instance invenio_doi_ext/assets -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum
    node --version 2>/dev/null || true
}
KEY=$(inputs | sha256sum | cut -c1-16)
OUT="$CACHE/$KEY"

if [ -f "$OUT/static/dist/manifest.json" ]; then
    echo "$OUT/static"
    exit 0
fi
if [ "${1:-}" = "--print" ]; then
    exit 3
fi
for tool in node npm invenio; do
    command -v "$tool" >/dev/null 2>&1 || { echo "ensure-ui-bundle: $tool not found" >&2; exit 2; }
done

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # one build at a time; a second caller waits, then reuses it
if [ -f "$OUT/static/dist/manifest.json" ]; then
    echo "$OUT/static"
    exit 0
fi

# The workspace is kept between builds for its node_modules (npm install is then
# quick); everything else in it is made afresh.
WORK="$CACHE/workspace"
LOG="$CACHE/$KEY.log"
if [ -d "$WORK/instance/assets/node_modules" ]; then
    mv "$WORK/instance/assets/node_modules" "$CACHE/node_modules.keep"
fi
rm -rf "$WORK"
mkdir -p "$WORK/instance/assets" "$WORK/static"
if [ -d "$CACHE/node_modules.keep" ]; then
    mv "$CACHE/node_modules.keep" "$WORK/instance/assets/node_modules"
fi
echo "ensure-ui-bundle: building InvenioRDM's frontend into $OUT (log: $LOG); this takes minutes" >&2

export INVENIO_INSTANCE_PATH="$WORK/instance" INVENIO_STATIC_FOLDER="$WORK/static"
export INVENIO_COLLECT_STORAGE=flask_collect.storage.file
export INVENIO_WEBPACKEXT_STORAGE_CLS=pywebpack.storage.FileStorage
export INVENIO_SECRET_KEY=ui-bundle-build INVENIO_TRUSTED_HOSTS='["localhost"]'
export npm_config_cache="$CACHE/npm-cache" npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false npm_config_loglevel=error

build() {
    set -ex
    invenio collect
    invenio webpack create
    # What an instance's own assets/ folder adds (theme.config, JSX template
    # folders, the override mapping): see scripts/ui-instance/README.
    cp -r scripts/ui-instance/. "$INVENIO_INSTANCE_PATH/assets/"
    # npm overrides: versions the registry in use lacks (scripts/ui-npm-overrides.json).
    node -e '
        const fs = require("fs"), [pkg, extra] = process.argv.slice(1);
        const json = JSON.parse(fs.readFileSync(pkg));
        json.overrides = Object.assign(json.overrides || {}, JSON.parse(fs.readFileSync(extra)));
        fs.writeFileSync(pkg, JSON.stringify(json, null, 2));
    ' "$INVENIO_INSTANCE_PATH/assets/package.json" scripts/ui-npm-overrides.json
    (cd "$INVENIO_INSTANCE_PATH/assets" && /usr/bin/time -v npm install --no-audit --no-fund)
    /usr/bin/time -v invenio webpack build
}

start=$(date +%s)
if ! (build) >"$LOG" 2>&1; then
    echo "ensure-ui-bundle: build failed, see $LOG" >&2
    exit 1
fi
if [ ! -f "$WORK/static/dist/manifest.json" ]; then
    echo "ensure-ui-bundle: the build wrote no dist/manifest.json, see $LOG" >&2
    exit 1
fi
secs=$(( $(date +%s) - start ))
peak=$(grep "Maximum resident" "$LOG" | awk '{print $NF}' | sort -n | tail -1)
rm -rf "$OUT"
mkdir -p "$OUT"
mv "$WORK/static" "$OUT/static"
# Older bundles are of no use to this clone; keep the newest two for other branches.
ls -1dt "$CACHE"/*/static/dist/manifest.json 2>/dev/null | tail -n +3 \
    | while read -r old; do rm -rf "$(dirname "$(dirname "$(dirname "$old")")")"; done
echo "built in ${secs}s, peak resident memory $((peak / 1024)) MB, bundle $(du -sh "$OUT" | cut -f1)," \
    "node_modules $(du -sh "$WORK/instance/assets/node_modules" | cut -f1)" | tee "$OUT/BUILD-INFO" >&2
echo "$OUT/static"
