"""Uninstall crm_loyalty from a database where it is installed, and check it left nothing.

    python tools/check_uninstall.py RESULT.json -c odoo.conf -d DATABASE

Writes RESULT.json in the format of `tools/odoo_tests.py`: one check, failed when the
uninstall raised, logged an error, or left the module's models, fields, columns, menus
or groups behind.
"""
import json
import logging
import os
import sys

from odoo_tests import ResultCollector

MODULE = 'crm_loyalty'


def leftovers(env):
    """What of the module is still in the database after its uninstall."""
    found = []
    imd = env['ir.model.data'].search([('module', '=', MODULE)])
    if imd:
        found.append(f"{len(imd)} external ids ({', '.join(imd[:5].mapped('name'))}...)")
    fields = env['ir.model.fields'].search(['|', ('name', '=like', 'loyalty\\_%'),
                                            ('model', '=like', 'crm.loyalty.%')])
    if fields:
        found.append(f"fields {', '.join(fields[:5].mapped(lambda f: f'{f.model}.{f.name}'))}")
    env.cr.execute("""SELECT table_name, column_name FROM information_schema.columns
                       WHERE column_name LIKE 'loyalty\\_%%' OR table_name LIKE 'crm\\_loyalty\\_%%'""")
    if columns := env.cr.fetchall():
        found.append(f"columns {columns[:5]}")
    menus = env['ir.ui.menu'].with_context(active_test=False).search([('name', '=', 'Loyalty')])
    if menus:
        found.append("the Loyalty menu")
    return found


def main():
    result_path, odoo_args = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(odoo_args, setup_logging=True)
    collector = ResultCollector()
    logging.getLogger().addHandler(collector)
    dbname = odoo.tools.config['db_name']
    failed = []
    try:
        with Registry(dbname).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            module = env['ir.module.module'].search([('name', '=', MODULE), ('state', '=', 'installed')])
            if not module:
                failed.append(f"{MODULE} is not installed in {dbname}")
            else:
                module.button_immediate_uninstall()
        with Registry(dbname).cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if found := leftovers(env):
                failed.append("uninstall left " + "; ".join(found))
    except Exception as exc:
        logging.getLogger(__name__).exception("uninstall failed")
        failed.append(f"uninstall raised {exc!r}")
    result = {
        'exit_code': 0, 'run': 1, 'failures': 1 if failed else 0, 'errors': 0, 'skipped': 0,
        'failed_tests': [f"FAIL check_uninstall: {reason}" for reason in failed],
        'skipped_tests': [], 'stray_errors': [] if failed else collector.stray_errors,
    }
    with open(result_path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2)
    print(f"uninstall check: {'FAILED ' + '; '.join(failed) if failed else 'module removed cleanly'}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
