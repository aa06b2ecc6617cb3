#!/usr/bin/env bash
# `make demo`: set-up, a demo database with crm_loyalty and generated data (first run
# only), then Odoo on http://localhost:$HTTP_PORT (admin / admin; zhang / zhang in Chinese) until interrupted.
# DEMO_CUSTOMERS and DEMO_ORDERS size the generated data of a new demo database.
# WORKERS=n serves in production (multi-process) mode: n HTTP workers, a cron worker
# (MAX_CRON_THREADS) and the websocket process on GEVENT_PORT, with Odoo's limits
# LIMIT_TIME_CPU, LIMIT_TIME_REAL and LIMIT_TIME_REAL_CRON.
set -euo pipefail
source "$(dirname "$0")/common.sh"
setup_and_enter

WORKERS=${WORKERS:-0}
GEVENT_PORT=${GEVENT_PORT:-$((HTTP_PORT + 3))}
[[ "$WORKERS" =~ ^[0-9]+$ ]] || die "WORKERS is a number of HTTP worker processes (0: one threaded process), not '$WORKERS'."
serve=(--http-interface="$HTTP_INTERFACE" --http-port="$HTTP_PORT")
ports=("$HTTP_PORT")
if [ "$WORKERS" -gt 0 ]; then
  serve+=(--workers="$WORKERS" --max-cron-threads="${MAX_CRON_THREADS:-1}" --gevent-port="$GEVENT_PORT"
          --limit-time-real-cron="${LIMIT_TIME_REAL_CRON:-120}")
  if [ -n "${LIMIT_TIME_REAL:-}" ]; then serve+=(--limit-time-real="$LIMIT_TIME_REAL"); fi
  if [ -n "${LIMIT_TIME_CPU:-}" ]; then serve+=(--limit-time-cpu="$LIMIT_TIME_CPU"); fi
  ports+=("$GEVENT_PORT")
fi
for port in "${ports[@]}"; do
  if "$PY" -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
    die "Port $port is taken (another Odoo?). Stop it, or choose other ports: make demo HTTP_PORT=8070 (the websocket port follows: GEVENT_PORT=8073)"
  fi
done

odoo() { "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB" "$@"; }
installed=$(psql -d "$DEMO_DB" -tAc "SELECT state FROM ir_module_module WHERE name = 'crm_loyalty'" 2>/dev/null || true)
stamp_file=$STATE/demo-module-stamp
stamp=$(module_stamp)

if [ "$installed" != installed ]; then
  say "Creating the demo database '$DEMO_DB' with crm_loyalty (a few minutes, once)"
  drop_db "$DEMO_DB"
  odoo -i crm_loyalty --without-demo=all --load-language=zh_CN --stop-after-init --log-level=warn
  echo "$stamp" >"$stamp_file"
elif [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
  say "crm_loyalty changed since the demo database was made: updating it"
  odoo -u crm_loyalty --stop-after-init --log-level=warn
  echo "$stamp" >"$stamp_file"
  if psql -d "$DEMO_DB" -tAc "SELECT 1 FROM ir_config_parameter WHERE key = 'crm_loyalty.demo_data'" | grep -q 1; then
    say "Recomputing the loyalty figures of the demo data"
    echo "env['crm.loyalty.engine']._recompute(); env.cr.commit()" | odoo shell --log-level=warn >/dev/null
  fi
fi

has_data=$(psql -d "$DEMO_DB" -tAc "SELECT 1 FROM ir_config_parameter WHERE key = 'crm_loyalty.demo_data'")
if [ -z "$has_data" ]; then
  say "Generating demo data"
  "$PY" "$ROOT/tools/demo_data.py" --loyalty --customers "${DEMO_CUSTOMERS:-2000}" --orders "${DEMO_ORDERS:-20000}" \
    -- -c "$CONF" -d "$DEMO_DB" --log-level=warn
fi

say "Odoo with crm_loyalty: http://localhost:$HTTP_PORT  (login admin / admin, in English; zhang / zhang, in Chinese; Ctrl-C stops)"
if [ "$WORKERS" -gt 0 ]; then
  say "Workers mode: ${serve[*]:2}; websocket on port $GEVENT_PORT (see README, 'Production mode')"
fi
# Odoo's warnings, and the addon's own progress: the nightly jobs' steps and their times
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" "${serve[@]}" --log-level=warn \
  --log-handler=odoo.addons.crm_loyalty:INFO
