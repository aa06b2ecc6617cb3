#!/usr/bin/env bash
# The private PostgreSQL cluster: tools/pg.sh start|stop|status.
# Does nothing when the user points the tooling at an existing server (PG* variables).
set -euo pipefail
source "$(dirname "$0")/common.sh"

as_pg_owner() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_init() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin). Run 'make setup' or install Debian's 'postgresql' package."
  if is_root && ! id postgres >/dev/null 2>&1; then
    die "Running as root needs the 'postgres' system user (Debian's 'postgresql' package creates it): PostgreSQL refuses to run as root."
  fi
  mkdir -p "$PG_DIR"
  if [ "$PG_DIR" != "$STATE/pg" ]; then
    warn "The 'postgres' user cannot reach $STATE: the cluster lives in $PG_DIR instead."
  fi
  if is_root; then chown postgres: "$PG_DIR"; fi
  as_pg_owner mkdir -p "$PG_SOCKET"
  as_pg_owner chmod 700 "$PG_SOCKET"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "Creating the private PostgreSQL cluster in $PG_DATA"
    as_pg_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_ROLE" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    # A development cluster: durability traded for speed, listening on its socket only.
    cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PG_SOCKET'
port = $PG_PORT_EMBEDDED
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_connections = 64
CONF
  fi
}

pg_running() { as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    external_pg && exit 0
    pg_init
    if pg_running; then exit 0; fi
    say "Starting PostgreSQL (socket $PG_SOCKET)"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null \
      || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
    ;;
  stop)
    external_pg && exit 0
    [ -f "$PG_DATA/PG_VERSION" ] || exit 0
    if pg_running; then
      say "Stopping PostgreSQL"
      as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    fi
    ;;
  status)
    if external_pg; then echo "external server (${PGHOST:-default host}:${PGPORT:-5432})"; exit 0; fi
    if pg_running; then echo "running, socket $PG_SOCKET"; else echo "stopped"; exit 3; fi
    ;;
  *) die "usage: tools/pg.sh start|stop|status" ;;
esac
