# Shared settings of the tooling; sourced by the other scripts, never run alone.
# Every path the tooling writes lives under $STATE (git-ignored).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${CRM_LOYALTY_STATE:-$ROOT/.local}
VENV=$STATE/venv
PY=$VENV/bin/python
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_UPSTREAM=${ODOO_UPSTREAM:-https://github.com/odoo/odoo.git}
ODOO_BRANCH=18.0
HTTP_PORT=${HTTP_PORT:-8069}
HTTP_INTERFACE=${HTTP_INTERFACE:-127.0.0.1}
DEMO_DB=${DEMO_DB:-crm_loyalty_demo}
TEST_DB=${TEST_DB:-crm_loyalty_test}
CONF=$STATE/odoo.conf

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# The database is an existing server when the user sets the usual libpq variables,
# otherwise a private cluster under $STATE/pg reached through its Unix socket only.
if [ -z "${CRM_LOYALTY_EXTERNAL_PG:-}" ]; then
  if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then CRM_LOYALTY_EXTERNAL_PG=1; else CRM_LOYALTY_EXTERNAL_PG=0; fi
  export CRM_LOYALTY_EXTERNAL_PG
fi
external_pg() { [ "$CRM_LOYALTY_EXTERNAL_PG" = 1 ]; }

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_DIR=$STATE/pg
# initdb refuses root: as root the cluster belongs to the 'postgres' system user, who
# must be able to reach it; a project under an unreachable home gets a private folder.
if is_root && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$STATE" 2>/dev/null \
   && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  PG_DIR=/var/tmp/crm_loyalty-pg-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)
fi
PG_DATA=$PG_DIR/data
PG_SOCKET=$PG_DIR/run
PG_LOG=$PG_DIR/postgres.log
PG_PORT_EMBEDDED=5432   # names the socket file only: the cluster listens on no TCP port
PG_ROLE=odoo
# A Unix socket path may not exceed 107 bytes: fall back to a short private directory.
if [ ${#PG_SOCKET} -gt 90 ]; then
  PG_SOCKET=/tmp/crm_loyalty-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)
fi

# libpq settings for the tooling's own psql/createdb calls.
pg_env() {
  if external_pg; then return; fi
  export PGHOST=$PG_SOCKET PGPORT=$PG_PORT_EMBEDDED PGUSER=$PG_ROLE PGDATABASE=postgres
}

# Run the set-up, then point this script at the Odoo source it found and the database.
setup_and_enter() {
  bash "$ROOT/tools/setup.sh"
  ODOO_SRC=$(cat "$STATE/odoo-src")
  export ODOO_SRC
  pg_env
}

# A fingerprint of the addon's files: a database made from other files needs an update.
module_stamp() {
  (cd "$ROOT" && find crm_loyalty -type f -not -name '*.pyc' -print0 | sort -z | xargs -0 md5sum | md5sum | cut -c1-16)
}

# A copy of a database with its filestore (attachments such as the web assets live there).
clone_db() {
  PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$2"
  createdb -T "$1" "$2"
  rm -rf "$STATE/data/filestore/$2"
  if [ -d "$STATE/data/filestore/$1" ]; then cp -a "$STATE/data/filestore/$1" "$STATE/data/filestore/$2"; fi
}

# Drop a database and its filestore.
drop_db() {
  PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$1"
  rm -rf "$STATE/data/filestore/$1"
}
