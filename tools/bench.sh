#!/usr/bin/env bash
# `make bench`: performance figures, measured in one run on this machine.
# For each size (customers:orders, BENCH_SIZES), a database is copied from a template
# with crm_loyalty installed and filled by tools/demo_data.py; the figures go to the
# terminal and to .local/bench/bench.json.
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

results=()
for size in $sizes; do
  customers=${size%%:*}; orders=${size##*:}
  db=crm_loyalty_bench_$customers
  say "Generating $customers customers / $orders orders into '$db'"
  clone_db "$base" "$db"
  /usr/bin/time -f '%e %M' -o "$out/time-$customers" "$PY" "$ROOT/tools/demo_data.py" \
    --customers "$customers" --orders "$orders" -- -c "$CONF" -d "$db" --log-level=warn | tee "$out/gen-$customers.log"
  read -r wall peak_kb <"$out/time-$customers"
  lines=$(psql -d "$db" -tAc "SELECT count(*) FROM sale_order_line")
  results+=("{\"customers\": $customers, \"orders\": $orders, \"order_lines\": $lines, \"generator_seconds\": $wall, \"generator_peak_mb\": $((peak_kb / 1024))}")
done

printf '\n%-10s %-10s %-12s %-14s %-12s\n' customers orders order_lines generator_s peak_MB
for r in "${results[@]}"; do
  "$PY" -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"{r['customers']:<10} {r['orders']:<10} {r['order_lines']:<12} {r['generator_seconds']:<14} {r['generator_peak_mb']:<12}\")" "$r"
done
(IFS=,; echo "{\"machine\": \"$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB\", \"generator\": [${results[*]}]}") \
  | "$PY" -m json.tool >"$out/bench.json"
say "Figures written to $out/bench.json"
