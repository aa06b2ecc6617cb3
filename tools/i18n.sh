#!/usr/bin/env bash
# `make i18n`: regenerate crm_loyalty/i18n/crm_loyalty.pot from the code and merge it into
# zh_CN.po (new terms arrive untranslated and are listed; translate them, then make test).
set -euo pipefail
source "$(dirname "$0")/common.sh"
setup_and_enter
db=crm_loyalty_i18n
if psql -d "$db" -tAc "SELECT 1 FROM ir_module_module WHERE name = 'crm_loyalty' AND state = 'installed'" 2>/dev/null | grep -q 1; then
  action=(-u crm_loyalty)
else
  drop_db "$db"
  action=(-i crm_loyalty --without-demo=all)
fi
"$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$db" "${action[@]}" --stop-after-init --log-level=warn
"$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$db" --i18n-export="$ROOT/crm_loyalty/i18n/crm_loyalty.pot" \
  --modules=crm_loyalty --stop-after-init --log-level=warn
"$PY" - "$ROOT/crm_loyalty/i18n" <<'PY'
import sys
import polib
folder = sys.argv[1]
pot = polib.pofile(f"{folder}/crm_loyalty.pot")
po = polib.pofile(f"{folder}/zh_CN.po")
po.merge(pot)
po.save(f"{folder}/zh_CN.po")
missing = [e.msgid for e in po if not e.msgstr.strip() and not e.obsolete]
print(f"zh_CN.po: {len(po.translated_entries())} translated, {len(missing)} to translate")
for msgid in missing:
    print(f"  - {msgid!r}")
PY
