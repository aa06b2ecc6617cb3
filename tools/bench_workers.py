"""The nightly jobs as a production Odoo runs them: in workers mode, under the cron's time limit.

    python tools/bench_workers.py --out RESULT.json [--workers 2] [--cron-limit 120] \
        -- -c odoo.conf -d DATABASE

On a database already measured by tools/bench_engine.py (its figures committed), this
script:

1. Starts Odoo as a server in workers mode (``--workers``, two cron workers,
   ``--limit-time-real-cron``), logging to a file.
2. The nightly recompute: starts each company's run of the day again (as Recompute Now
   does) and triggers the job; measures, from the trigger to every run done: the wall time,
   the cron calls (Odoo's progress rows of the job), the steps and the longest, and the
   workers Odoo killed (its log).
3. A care rule "dormant 180 days" of the main company with one server action, schedule an
   activity (a call): created active and triggered; measures, from the trigger to no
   occurrence left: the wall time, the occurrences acted on (customers per second), the
   SQL statements the job reports in its log per occurrence, and that none was acted on
   twice (occurrences in the log, activities per customer). With --care-seconds, the
   measure stops after that time (its pace measured over it). The server is stopped; the
   rule, its log and its activities are deleted.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

POLL_SECONDS = 1.0
TIMEOUT_SECONDS = 3 * 3600


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """An Odoo server in workers mode, in a process group of its own."""

    def __init__(self, odoo_args, dbname, workers, cron_limit, logfile):
        self.logfile = logfile
        self.command = [
            sys.executable, os.path.join(os.environ['ODOO_SRC'], 'odoo-bin'), *odoo_args,
            '--db-filter', f'^{re.escape(dbname)}$', '--workers', str(workers), '--max-cron-threads', '2',
            '--limit-time-real-cron', str(cron_limit), '--http-port', str(free_port()),
            '--gevent-port', str(free_port()), '--logfile', logfile, '--log-level', 'info',
        ]

    def __enter__(self):
        open(self.logfile, 'w').close()
        self.process = subprocess.Popen(self.command, start_new_session=True)
        # the cron workers listen for triggers once alive: a trigger sent before waits
        # for their first poll (a minute)
        deadline = time.monotonic() + 120
        while self.log().count('WorkerCron') < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self):
        with open(self.logfile, encoding='utf-8', errors='replace') as f:
            return f.read()


def killed_workers(log):
    """Lines where Odoo killed a worker for a time limit, or marked a job timed out."""
    return [line for line in log.splitlines()
            if 'timeout' in line.lower() and ('Worker' in line or 'timed out' in line)]


def measure_recompute(env, server):
    Run = env['crm.loyalty.engine.run']
    cron = env.ref('crm_loyalty.ir_cron_loyalty_recompute')
    from odoo.addons.crm_loyalty.models.local_day import company_today
    companies = env['res.company'].search([])
    runs = Run.browse()
    for company in companies:
        runs |= Run._restart(company, company_today(company))
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress")
    [progress_before] = env.cr.fetchone()
    cron._trigger()
    env.cr.commit()
    start = time.monotonic()
    while True:
        time.sleep(POLL_SECONDS)
        env.cr.rollback()
        env.invalidate_all()
        if all(run.phase == 'done' for run in runs) or time.monotonic() - start > TIMEOUT_SECONDS:
            break
    wall = time.monotonic() - start
    env.cr.execute("SELECT COUNT(*) FROM ir_cron_progress WHERE cron_id = %s AND id > %s",
                   [cron.id, progress_before])
    [calls] = env.cr.fetchone()
    return {
        'done': all(run.phase == 'done' for run in runs),
        'wall_seconds': wall, 'cron_calls': calls,
        'customers': sum(runs.mapped('written')), 'steps': sum(runs.mapped('steps')),
        'longest_step_seconds': max(runs.mapped('longest_step')),
        'step_seconds_total': sum(runs.mapped('duration')),
        'killed': killed_workers(server.log()),
    }


def measure_care(env, server, seconds_cap):
    company = env.company
    action = env['ir.actions.server'].create({
        'name': "Bench: a care call", 'model_id': env['ir.model']._get_id('res.partner'),
        'state': 'next_activity', 'activity_type_id': env.ref('mail.mail_activity_data_call').id,
        'activity_summary': "Bench care call", 'activity_user_type': 'specific', 'activity_user_id': env.uid,
    })
    # the job alone with the bench's rule: the generated demo has care rules of its own, which
    # the job would run first (before this change, the step timed out on them and measured 0)
    others = env['crm.loyalty.care.rule'].search([])
    others.active = False
    rule = env['crm.loyalty.care.rule'].create({
        'name': "Bench dormant 180 days (workers)", 'trigger': 'dormant', 'days': 180,
        'company_id': company.id, 'action_server_ids': [(6, 0, action.ids)],
    })
    candidates = len(rule._candidates())
    log_before = len(server.log())
    env['ir.cron'].browse(env.ref('crm_loyalty.ir_cron_loyalty_care').id)._trigger()
    env.cr.commit()
    start = time.monotonic()
    last, stable_since = -1, time.monotonic()
    capped = False
    while time.monotonic() - start < TIMEOUT_SECONDS:
        time.sleep(POLL_SECONDS)
        if seconds_cap and time.monotonic() - start > seconds_cap:
            capped = True
            break
        env.cr.execute("SELECT COUNT(*) FROM crm_loyalty_care_action WHERE rule_id = %s", [rule.id])
        [logged] = env.cr.fetchone()
        env.cr.rollback()
        if logged != last:
            last, stable_since, finished = logged, time.monotonic(), time.monotonic()
        elif logged >= candidates or time.monotonic() - stable_since > 30:
            break
    wall = (time.monotonic() if capped else finished) - start
    server.stop()   # the server's workers no longer touch the rule: its figures are final
    env.cr.execute(
        """SELECT COUNT(*), COUNT(DISTINCT (partner_id, occurrence)), COUNT(*) FILTER (WHERE state = 'done'),
                  COUNT(*) FILTER (WHERE state = 'failed')
             FROM crm_loyalty_care_action WHERE rule_id = %s""", [rule.id])
    logged, distinct, done, failed = env.cr.fetchone()
    env.cr.execute(
        """SELECT COUNT(*), COUNT(DISTINCT res_id) FROM mail_activity
            WHERE res_model = 'res.partner' AND summary = 'Bench care call'""")
    activities, customers_with_activity = env.cr.fetchone()
    statements = actioned = 0
    for line in server.log()[log_before:].splitlines():
        if (match := re.search(r'Care job: (\d+) occurrences acted on, \d+ left, (\d+) SQL statements', line)):
            actioned += int(match[1])
            statements += int(match[2])
    env.cr.execute("DELETE FROM mail_activity WHERE res_model = 'res.partner' AND summary = 'Bench care call'")
    name = rule.name
    rule.unlink()
    action.unlink()
    others.active = True
    env.cr.commit()
    return {
        'rule': name, 'candidates': candidates, 'wall_seconds': wall,
        'capped_after_seconds': seconds_cap if capped else None,
        'logged': logged, 'done': done, 'failed': failed, 'occurrences_twice': logged - distinct,
        'activities': activities, 'customers_with_two_activities': activities - customers_with_activity,
        'customers_per_second': done / wall if wall else None,
        'sql_statements': statements, 'sql_statements_per_customer': statements / actioned if actioned else None,
        'killed': killed_workers(server.log()[log_before:]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help="where the figures go (JSON)")
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--cron-limit', type=int, default=120, help="limit_time_real_cron, in seconds")
    parser.add_argument('--care-seconds', type=int, default=int(os.environ.get('BENCH_CARE_SECONDS') or 0),
                        help="stop measuring the care rule after this many seconds, its pace measured "
                             "over them (0: until every candidate is acted on; default BENCH_CARE_SECONDS)")
    args, odoo_args = parser.parse_known_args()
    odoo_args = [a for a in odoo_args if a != '--']
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(odoo_args, setup_logging=True)
    dbname = odoo.tools.config['db_name']
    logfile = os.path.splitext(args.out)[0] + '.log'
    result = {'workers': args.workers, 'cron_workers': 2, 'limit_time_real_cron': args.cron_limit}
    with Server(odoo_args, dbname, args.workers, args.cron_limit, logfile) as server, \
            Registry(dbname).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        result['recompute'] = measure_recompute(env, server)
        result['care'] = measure_care(env, server, args.care_seconds)
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, default=str)
    recompute, care = result['recompute'], result['care']
    print(f"workers mode: recompute of {recompute['customers']} customers in {recompute['wall_seconds']:.0f} s, "
          f"{recompute['cron_calls']} cron calls, {recompute['steps']} steps, longest "
          f"{recompute['longest_step_seconds']:.1f} s, {len(recompute['killed'])} kills; care: {care['done']} "
          f"customers in {care['wall_seconds']:.0f} s ({care['customers_per_second'] or 0:.0f}/s, "
          f"{care['sql_statements_per_customer'] or 0:.2f} statements each), {care['occurrences_twice']} twice")


if __name__ == '__main__':
    main()
