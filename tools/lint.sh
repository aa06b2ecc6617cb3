#!/usr/bin/env bash
# `make lint`: ruff over all our Python, pylint-odoo's mandatory checks over the addon.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
"$VENV/bin/ruff" check --quiet crm_loyalty tools
"$VENV/bin/pylint" --rcfile=.pylintrc crm_loyalty
echo "lint: ruff and pylint-odoo found nothing"
