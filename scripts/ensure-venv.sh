# Sourced by run-tests.sh and run-demo.sh: create or reuse the virtual environment
# and install invenio-doi-ext with the extras given in $DOI_EXT_EXTRAS, pinned by
# requirements/constraints.txt (reinstalled only when packaging files change).
VENV=${DOI_EXT_VENV:-.venv}
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.doi-ext-installed-${DOI_EXT_EXTRAS}"

if [ ! -x "$VENV/bin/python" ]; then
    printf '\n==> creating virtual environment %s\n' "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"

want=$(cat setup.cfg pyproject.toml requirements/constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    printf '\n==> installing invenio-doi-ext[%s] into %s (pinned by requirements/constraints.txt)\n' "$DOI_EXT_EXTRAS" "$VENV"
    python -m pip install --quiet --upgrade "pip>=23" setuptools wheel
    python -m pip install --quiet -c requirements/constraints.txt -e ".[${DOI_EXT_EXTRAS}]"
    echo "$want" > "$STAMP"
fi
