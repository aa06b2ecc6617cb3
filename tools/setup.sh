#!/usr/bin/env bash
# Everything `make demo` and `make test` need, from nothing; quick when already done:
# Debian packages, Odoo 18.0 source, a virtualenv with Odoo's requirements and ours,
# the PostgreSQL cluster, and the Odoo configuration file.
set -euo pipefail
source "$(dirname "$0")/common.sh"
mkdir -p "$STATE"

# --- Debian packages -----------------------------------------------------------------
DEBS=(postgresql libpq-dev libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev libjpeg-dev
      zlib1g-dev libffi-dev python3-venv git time chromium fonts-noto-cjk)
missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    die "Missing system packages (${missing[*]}) and no apt-get: install their equivalents by hand."
  fi
  if is_root; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    die "Missing Debian packages: ${missing[*]}. Install them first: sudo apt-get install ${missing[*]}"
  fi
  say "Installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# --- Odoo 18.0 source ----------------------------------------------------------------
if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
  clone=$STATE/odoo
  if [ ! -f "$clone/odoo-bin" ]; then
    say "No Odoo source at $ODOO_SRC: cloning Odoo $ODOO_BRANCH from $ODOO_UPSTREAM"
    git ls-remote --exit-code "$ODOO_UPSTREAM" "refs/heads/$ODOO_BRANCH" >/dev/null 2>&1 || die \
      "No Odoo 18.0 source at $ODOO_SRC and $ODOO_UPSTREAM cannot be reached. Put an Odoo 18.0 Community checkout there, or point ODOO_SRC at one."
    rm -rf "$clone.tmp"
    git clone -q --depth 1 --branch "${ODOO_REVISION:-$ODOO_BRANCH}" "$ODOO_UPSTREAM" "$clone.tmp"
    mv "$clone.tmp" "$clone"
    git -C "$clone" rev-parse HEAD >"$STATE/odoo-revision"
  fi
  ODOO_SRC=$clone
fi
"$PG_BIN/postgres" --version >/dev/null
grep -q "^version_info = (18, 0," "$ODOO_SRC/odoo/release.py" \
  || die "$ODOO_SRC is not Odoo 18.0 (odoo/release.py says otherwise)."
echo "$ODOO_SRC" >"$STATE/odoo-src"

# --- virtualenv ----------------------------------------------------------------------
stamp=$(cat "$ODOO_SRC/requirements.txt" "$ROOT"/tools/requirements*.txt | md5sum | cut -c1-16)
if [ "$(cat "$VENV/.crm_loyalty_stamp" 2>/dev/null)" != "$stamp" ]; then
  say "Creating the virtualenv in $VENV (Odoo's requirements and ours; a few minutes the first time)"
  python3 -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
    || die "Odoo 18 needs Python 3.10 to 3.12; python3 is $(python3 --version)."
  [ -x "$PY" ] || python3 -m venv "$VENV"
  # cbor2 5.4.2 builds only with setuptools < 81
  echo 'setuptools<81' >"$STATE/pip-constraints.txt"
  export PIP_CONSTRAINT=$STATE/pip-constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1
  "$PY" -m pip install -q 'setuptools<81' wheel
  "$PY" -m pip install -q -r "$ODOO_SRC/requirements.txt" -r "$ROOT/tools/requirements.txt"
  "$PY" -m pip install -q --no-deps -r "$ROOT/tools/requirements-data.txt"
  # Odoo's websocket process (workers mode) starts with gevent's monkey-patching, which
  # resolves gevent's dependencies by name (see tools/requirements.txt): fail here, not
  # in a restart loop of that process.
  (cd / && "$PY" -c 'import gevent.monkey; gevent.monkey.patch_all()') \
    || die "gevent cannot start in $VENV: Odoo's workers mode would not run (see tools/requirements.txt)."
  echo "$stamp" >"$VENV/.crm_loyalty_stamp"
fi

# --- database and configuration ------------------------------------------------------
bash "$ROOT/tools/pg.sh" start
if external_pg; then
  db_lines="db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-False}
db_password = ${PGPASSWORD:-False}"
else
  db_lines="db_host = $PG_SOCKET
db_port = $PG_PORT_EMBEDDED
db_user = $PG_ROLE
db_password = False"
fi
cat >"$CONF" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ROOT
data_dir = $STATE/data
$db_lines
http_interface = 127.0.0.1
http_port = $HTTP_PORT
screenshots = $STATE/screenshots
admin_passwd = admin
max_cron_threads = 1
CONF
