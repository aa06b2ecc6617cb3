#!/usr/bin/env bash
# `make test`: set-up, lint, the unit tests of the tooling and of lib/, a fresh database
# with the addon and all its tests (at_install and post_install, browser tours included),
# an uninstall check, then one summary line. Exits non-zero on any failure, skip, or on no test.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# Leave the PostgreSQL cluster as it was found: stop it at the end if this run started it.
if ! bash "$ROOT/tools/pg.sh" status >/dev/null 2>&1; then trap 'bash "$ROOT/tools/pg.sh" stop' EXIT; fi
setup_and_enter
export CRM_LOYALTY_CONF=$CONF

results=$STATE/test-results
rm -rf "$results" "$STATE/screenshots"
mkdir -p "$results"
started=$(date +%s)

# The result of a check that is not a test run, in the format of tools/odoo_tests.py.
record_check() {  # NAME FILE PASSED(0|1)
  local failed='[]' failures=0
  if [ "$3" != 1 ]; then failed="[\"FAIL $1 (see above)\"]"; failures=1; fi
  printf '{"exit_code": 0, "run": 1, "failures": %d, "errors": 0, "skipped": 0, "failed_tests": %s, "skipped_tests": [], "stray_errors": []}\n' \
    "$failures" "$failed" >"$2"
}

say "Lint"
if bash "$ROOT/tools/lint.sh"; then lint_ok=1; else lint_ok=0; fi
record_check lint "$results/lint.json" "$lint_ok"

say "Unit tests of the tooling and of the addon's pure Python (crm_loyalty/lib)"
"$PY" -m pytest -q -p no:cacheprovider --junitxml="$results/pytest.xml" "$ROOT/tools/tests" "$ROOT/crm_loyalty/lib/tests" || true

say "Odoo tests of crm_loyalty in a fresh database '$TEST_DB'"
drop_db "$TEST_DB"
test_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$STATE/test-results/odoo.log
(cd "$ROOT/tools" && "$PY" odoo_tests.py "$results/odoo.json" -c "$CONF" -d "$TEST_DB" \
    -i crm_loyalty --without-demo=all --test-enable --test-tags "${TEST_TAGS:-/crm_loyalty}" \
    --stop-after-init --http-port="$test_port" --log-level=info --logfile="$log") || true
grep -E " (ERROR|CRITICAL) |FAIL: |skipped " "$log" | tail -n 40 || true

if [ -z "${TEST_TAGS:-}" ]; then
  say "Demo data generator: a copy of '$TEST_DB' filled by tools/demo_data.py, checked by Odoo"
  demo_copy=${TEST_DB}_demo_data
  clone_db "$TEST_DB" "$demo_copy"
  if "$PY" "$ROOT/tools/demo_data.py" --customers 300 --orders 3000 --seed 11 \
       -- -c "$CONF" -d "$demo_copy" --log-level=warn; then
    (cd "$ROOT/tools" && "$PY" odoo_tests.py "$results/demo_data.json" -c "$CONF" -d "$demo_copy" \
        --test-enable --test-tags crm_loyalty_demo_data --stop-after-init --http-port="$test_port" \
        --log-level=info --logfile="$STATE/test-results/demo_data.log") || true
  else
    record_check demo_data.py "$results/demo_data.json" 0
  fi
  say "Care rules: two workers at once on that copy"
  (cd "$ROOT/tools" && "$PY" check_care_concurrency.py "$results/care_concurrency.json" -c "$CONF" \
      -d "$demo_copy" --log-level=warn --logfile="$STATE/test-results/care_concurrency.log") || true
  drop_db "$demo_copy"

  say "Uninstall check: Odoo's own (odoo.tests.test_module_operations), then no column, table or record left"
  columns=$(psql -d "$TEST_DB" -tAc "SELECT string_agg(quote_literal(replace(f.model, '.', '_') || '.' || f.name), ',')
    FROM ir_model_fields f JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
   WHERE d.module = 'crm_loyalty' AND f.store")
  left=
  if "$PY" "$ODOO_SRC/odoo/tests/test_module_operations.py" -d "$TEST_DB" --addons-path "$ROOT" \
       --data-dir "$STATE/data" uninstall crm_loyalty --no-reinstall >"$results/uninstall.log" 2>&1 \
     && ! grep -E " (ERROR|CRITICAL) " "$results/uninstall.log"; then
    left=$(psql -d "$TEST_DB" -tAc "SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns
       WHERE table_name || '.' || column_name IN ($columns) OR table_name LIKE 'crm\_loyalty\_%'
      UNION ALL SELECT count(*) || ' external ids' FROM ir_model_data WHERE module = 'crm_loyalty' HAVING count(*) > 0")
    [ -z "$left" ] && say "crm_loyalty uninstalled: nothing left" || echo "uninstall left: $left"
  else
    left="uninstall failed"; tail -n 20 "$results/uninstall.log"
  fi
  record_check uninstall "$results/uninstall.json" "$([ -z "$left" ] && echo 1 || echo 0)"
fi

if [ -d "$STATE/screenshots" ]; then
  say "Screenshots of the tours: $(find "$STATE/screenshots" -name '*.png' | wc -l) in $STATE/screenshots"
fi
say "Finished in $(( $(date +%s) - started )) s (log: $log)"
"$PY" "$ROOT/tools/test_summary.py" "$results"/*.json "$results/pytest.xml"
