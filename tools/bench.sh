#!/usr/bin/env bash
# `make bench`: performance figures, measured in one run on this machine.
# For each size (customers:orders, BENCH_SIZES), a database is copied from a template
# with crm_loyalty installed and filled by tools/demo_data.py, then one Odoo process
# (tools/bench_engine.py) measures the loyalty engine against the floor (plain SQL), the
# order confirmation hook and, at the smallest size only, a plain ORM implementation
# (timed on BENCH_ORM_SAMPLE customers, extrapolated), then (tools/bench_export.py) the
# Excel export of every customer with every sheet and the dashboard, then (tools/bench_workers.py)
# the nightly recompute and a care rule run by an Odoo server in workers mode under the cron's
# time limit. tools/bench_report.py prints the table and writes .local/bench/bench.json.
# Variables: BENCH_SIZES ("customers:orders ..."), BENCH_REPEATS (engine and floor runs, 2),
# BENCH_ORM_SAMPLE, BENCH_CARE_RUN_CAP, BENCH_CARE_SECONDS (workers mode), BENCH_CRON_LIMIT
# (120), BENCH_SKIP (any of rerun,care,channel,export: steps left out at the largest sizes).
set -euo pipefail
source "$(dirname "$0")/common.sh"
setup_and_enter

sizes=${BENCH_SIZES:-"10000:100000 100000:1000000"}
out=$STATE/bench
mkdir -p "$out"
base=crm_loyalty_bench_base
stamp=$(module_stamp)
if [ "$(cat "$out/base-stamp" 2>/dev/null)" != "$stamp" ] || ! psql -d "$base" -c 'SELECT 1' >/dev/null 2>&1; then
  say "Template database '$base' with crm_loyalty"
  drop_db "$base"
  "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$base" -i crm_loyalty --without-demo=all --stop-after-init --log-level=warn
  echo "$stamp" >"$out/base-stamp"
fi

smallest=$(for size in $sizes; do echo "${size%%:*}"; done | sort -n | head -n 1)
measured=()
for size in $sizes; do
  customers=${size%%:*}; orders=${size##*:}
  db=crm_loyalty_bench_$customers
  say "Generating $customers customers / $orders orders into '$db'"
  clone_db "$base" "$db"
  /usr/bin/time -f '%e %M' -o "$out/time-$customers" "$PY" "$ROOT/tools/demo_data.py" \
    --customers "$customers" --orders "$orders" -- -c "$CONF" -d "$db" --log-level=warn | tee "$out/gen-$customers.log"
  read -r wall peak_kb <"$out/time-$customers"
  lines=$(psql -d "$db" -tAc "SELECT count(*) FROM sale_order_line")
  disk_mb=$(psql -d "$db" -tAc "SELECT pg_database_size(current_database()) / 1048576")
  printf '{"customers": %s, "orders": %s, "order_lines": %s, "generator_seconds": %s, "generator_peak_mb": %s, "disk_mb": %s}\n' \
    "$customers" "$orders" "$lines" "$wall" $((peak_kb / 1024)) "$disk_mb" >"$out/gen-$customers.json"
  say "Measuring the loyalty engine on '$db'"
  orm_sample=0
  if [ "$customers" = "$smallest" ]; then orm_sample=${BENCH_ORM_SAMPLE:-1000}; fi
  rm -f "$out/engine-$customers.json"
  "$PY" "$ROOT/tools/bench_engine.py" --out "$out/engine-$customers.json" --orm-sample "$orm_sample" \
    -- -c "$CONF" -d "$db" --log-level=warn
  rm -f "$out/export-$customers.json"
  if [[ ",${BENCH_SKIP:-}," != *,export,* ]]; then
    say "Measuring the Excel export and the dashboard on '$db' (after the engine's committed recompute)"
    "$PY" "$ROOT/tools/bench_export.py" --out "$out/export-$customers.json" -- -c "$CONF" -d "$db" --log-level=warn
  fi
  say "Measuring the nightly jobs in workers mode on '$db' (--workers=2, cron limit ${BENCH_CRON_LIMIT:-120} s)"
  rm -f "$out/workers-$customers.json"
  "$PY" "$ROOT/tools/bench_workers.py" --out "$out/workers-$customers.json" --cron-limit "${BENCH_CRON_LIMIT:-120}" \
    -- -c "$CONF" -d "$db"
  measured+=("$customers")
done

"$PY" "$ROOT/tools/bench_report.py" "$out" "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB" "${measured[@]}"
say "Figures written to $out/bench.json"
