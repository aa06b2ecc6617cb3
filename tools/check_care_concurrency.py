"""Two workers run the same care rule at the same moment: each customer is cared for once.

    python tools/check_care_concurrency.py RESULT.json -c odoo.conf -d DATABASE

Needs a database with crm_loyalty installed whose data may be committed to (make test
uses its throwaway demo-data copy). Two threads, each with its own connection and
transaction, run one birthday rule over a batch of customers together (a barrier releases
them at once; each keeps its transaction open a moment before committing). Passes when
exactly one log row and one activity per customer exist afterwards, and the losing worker, if it did not simply find the
occurrence taken, failed only with a serialisation error (rolled back, nothing done).
Writes RESULT.json in the format of `tools/odoo_tests.py`.
"""
import json
import logging
import os
import sys
import threading
import time

from odoo_tests import ResultCollector

CUSTOMERS = 7     # one batch of the rule


def main():
    result_path, odoo_args = sys.argv[1], sys.argv[2:]
    try:
        failed, stray = run(odoo_args)
    except Exception as exc:
        logging.getLogger(__name__).exception("care concurrency check crashed")
        failed, stray = [f"the check raised {exc!r}"], []
    result = {
        'exit_code': 0, 'run': 1, 'failures': 1 if failed else 0, 'errors': 0, 'skipped': 0,
        'failed_tests': [f"FAIL check_care_concurrency: {reason}" for reason in failed],
        'skipped_tests': [], 'stray_errors': [] if failed else stray,
    }
    with open(result_path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2)
    print(f"care concurrency check: {'FAILED ' + '; '.join(failed) if failed else 'cared for once'}")
    return 0


def run(odoo_args):
    sys.path.insert(0, os.environ['ODOO_SRC'])
    from psycopg2 import errorcodes
    from psycopg2.errors import OperationalError

    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(odoo_args, setup_logging=True)
    collector = ResultCollector()
    logging.getLogger().addHandler(collector)
    registry = Registry(odoo.tools.config['db_name'])
    from odoo.addons.crm_loyalty.models.local_day import company_today  # once the addons are on the path
    failed = []

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        # born on the company's today (the customer has no time zone of his own)
        today = company_today(env.company)
        partners = env['res.partner'].create([{
            'name': f'Concurrency Check {i}', 'is_company': True, 'birthday': today.replace(year=1992)}
            for i in range(CUSTOMERS)])
        action = env['ir.actions.server'].create({
            'name': 'Concurrency check call', 'model_id': env['ir.model']._get_id('res.partner'),
            'state': 'next_activity', 'activity_type_id': env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Concurrency check', 'activity_user_type': 'specific',
            'activity_user_id': env.ref('base.user_admin').id})
        rule = env['crm.loyalty.care.rule'].create({
            'name': 'Concurrency check', 'trigger': 'birthday', 'days': 0,
            'partner_domain': f"[('id', 'in', {partners.ids})]", 'action_server_ids': [(6, 0, action.ids)]})
        partner_ids, rule_id = partners.ids, rule.id

    barrier = threading.Barrier(2)
    outcomes = []

    def worker(name):
        try:
            with odoo.tools.mute_logger('odoo.sql_db'), registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                rule = env['crm.loyalty.care.rule'].browse(rule_id)
                barrier.wait()
                logs = rule._run()
                time.sleep(0.5)          # keep the transaction open while the other one runs
                outcome = 'acted' if logs else 'found it taken'
            outcomes.append((name, outcome))     # once committed
        except OperationalError as error:
            outcomes.append((name, error.pgcode))

    threads = [threading.Thread(target=worker, args=(f"worker {i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    with registry.cursor() as cr:
        cr.execute("SELECT state, COUNT(*) FROM crm_loyalty_care_action WHERE rule_id = %s GROUP BY state",
                   [rule_id])
        logs = dict(cr.fetchall())
        cr.execute("""SELECT res_id, COUNT(*) FROM mail_activity
                       WHERE res_model = 'res.partner' AND res_id = ANY(%s) GROUP BY res_id""", [partner_ids])
        activities = dict(cr.fetchall())
    acted = [o for o in outcomes if o[1] == 'acted']
    others = [o for o in outcomes if o[1] not in ('acted', 'found it taken', errorcodes.SERIALIZATION_FAILURE)]
    if len(outcomes) != 2:
        failed.append(f"a worker did not finish: {outcomes}")
    if logs != {'done': CUSTOMERS} or activities != dict.fromkeys(partner_ids, 1) or len(acted) != 1 or others:
        failed.append(f"expected one action done once per customer: log {logs}, activities {activities}, "
                      f"workers {outcomes}")
    print(f"workers: {outcomes}")
    return failed, collector.stray_errors

if __name__ == '__main__':
    sys.exit(main())
