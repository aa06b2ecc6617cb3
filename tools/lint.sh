#!/usr/bin/env bash
# `make lint`: ruff over all our Python, pylint-odoo's mandatory checks over the addon.
# Needs only Python: the set-up's virtualenv when it exists, else a small one of its own.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
lint_venv=$VENV
if [ ! -x "$VENV/bin/pylint" ]; then
  lint_venv=$STATE/lint-venv
  stamp=$(md5sum <tools/requirements-lint.txt | cut -c1-16)
  if [ "$(cat "$lint_venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "Creating a virtualenv for the linters in $lint_venv"
    python3 -m venv "$lint_venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$lint_venv/bin/pip" install -q -r tools/requirements-lint.txt
    echo "$stamp" >"$lint_venv/.stamp"
  fi
fi
"$lint_venv/bin/ruff" check --quiet crm_loyalty tools
"$lint_venv/bin/pylint" --rcfile=.pylintrc crm_loyalty
echo "lint: ruff and pylint-odoo found nothing"
