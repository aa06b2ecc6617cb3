"""Performance figures of the loyalty engine on a database filled by tools/demo_data.py.

    python tools/bench_engine.py --out RESULT.json [--orm-sample 1000] [--confirm-repeats 20] \
        -- -c odoo.conf -d DATABASE

The database must be freshly generated (no full recompute yet). One Odoo process
measures, on it and in this order:

1. A few tiers are created through the ORM (thresholds at percentiles of the customers'
   tier figure) and committed, so that the tier logic has work.
2. The floor and the engine's full recompute (every company), alternately (floor,
   engine, floor, engine: BENCH_REPEATS times each, 2 by default; best of each
   reported), each from a vacuumed res_partner and rolled back, except the last
   recompute, which is committed. The floor is what no implementation can beat: one
   plain SQL aggregate of the confirmed orders per commercial partner into a temporary
   table, then one plain UPDATE writing as many company-dependent (jsonb) columns as the
   engine, the engine's way, to the same partners (commercial entities and their
   contacts). For the engine: wall time, SQL statements,
   partners written, tier changes, the process's peak RSS (its high-water mark reset
   just before the call where the kernel allows it) and, within the same call, the time
   of the relationship value part (VALUE_METHODS: the value figures and the preference
   card of the scores step) and its share of the recompute.
3. In the state the nightly cron and the orders then meet, rolled back each time: the
   same recompute again (few changes left; with its relationship value part, the nightly
   case), then the cost of the order hook over fresh
   draft orders of existing customers: `_refresh_partners` of the customer alone, and
   `action_confirm()` with and without the hook (medians).
4. With --orm-sample N: a plain ORM implementation (per customer `read_group` of his
   confirmed orders, then `write` of the same columns on him and his contacts) timed on
   N customers and extrapolated linearly to all, rolled back.
5. Care rules, on the recomputed figures: three rules of the main company created through
   the ORM (dormant 180 days, churn risk high, birthday today after one SQL UPDATE gives
   about 1/365 of the commercial partners a birthday today), each with one server action
   on the customer, schedule an activity. Per rule: its candidates, the preview
   (`_candidates`) and the real run (`_run`, one transaction), with their SQL statements; all rolled back. With
   --care-run-cap N (or BENCH_CARE_RUN_CAP) above 0, the run acts on the first N
   candidates only (the selection query still runs in full) and the full run is
   extrapolated from the time per actioned partner.
BENCH_SKIP (a comma-separated list of rerun, care, channel) leaves steps out, for the
largest sizes.

6. The channel, on the main company: matching every partner's address to the territories
   in one set-based pass, from no match at all (committed, vacuumed) and again with nothing
   to change; then the conflict-detection statement over every confirmed order sold
   through a channel partner (rolled back).
"""
import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from contextlib import contextmanager

VALUE_METHODS = ('_build_value_figures', '_build_preferences')  # of crm.loyalty.engine
CARE_ACTION = "schedule an activity (a call for the rule's user)"
CARE_RULES = [('dormant', 180), ('churn_risk_high', 0), ('birthday', 0)]
TIERS = [('Bronze', 0.50, 'reactive'), ('Silver', 0.75, 'accountable'), ('Gold', 0.90, 'proactive'),
         ('Platinum', 0.97, 'partnership')]


# --- process memory ----------------------------------------------------------------------

def status_kb(key):
    """A figure (kB) of /proc/self/status: VmRSS (now) or VmHWM (peak)."""
    with open('/proc/self/status', encoding='ascii') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    raise KeyError(key)


def reset_peak_rss():
    """Reset the process's RSS high-water mark (Linux >= 4.0); False where not allowed."""
    try:
        with open('/proc/self/clear_refs', 'w', encoding='ascii') as f:
            f.write('5')
    except OSError:
        return False
    return status_kb('VmHWM') <= status_kb('VmRSS') + 1024


def mb(kb):
    return round(kb / 1024, 1)


# --- the measurements ----------------------------------------------------------------------

class Bench:
    def __init__(self, env, dsn, orm_sample, confirm_repeats, care_run_cap=0):
        self.env = env
        self.care_run_cap = care_run_cap
        self.cr = env.cr
        self.dsn = dsn
        self.orm_sample = orm_sample
        self.confirm_repeats = confirm_repeats
        self.companies = env['res.company'].search([])
        from odoo.addons.crm_loyalty.models.crm_loyalty_engine import WRITTEN_FIELDS
        self.written_fields = WRITTEN_FIELDS
        self.result = {}

    # helpers
    def sql(self, query, params=None):
        self.cr.execute(query, params)
        return self.cr.fetchall()

    def vacuum(self, *tables):
        """VACUUM ANALYZE the tables (none: the whole database), on a connection of its own
        since VACUUM runs outside any transaction."""
        import psycopg2
        conn = psycopg2.connect(**self.dsn)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        finally:
            conn.close()

    def rollback(self):
        self.cr.rollback()
        self.env.invalidate_all()

    def measure(self, func):
        """(result, seconds, SQL statements) of func(), pending ORM writes included."""
        self.env.flush_all()
        count = self.cr.sql_log_count
        start = time.perf_counter()
        res = func()
        self.env.flush_all()
        return res, time.perf_counter() - start, self.cr.sql_log_count - count

    # 1. data and tiers
    def describe(self):
        [(orders, confirmed)] = self.sql("SELECT count(*), count(*) FILTER (WHERE state = 'sale') FROM sale_order")
        self.result.update({
            'orders_in_db': orders, 'orders_confirmed': confirmed,
            'companies': self.companies.mapped('name'),
            'commercial_partners_with_orders': self.sql(
                """SELECT count(DISTINCT p.commercial_partner_id) FROM sale_order so
                    JOIN res_partner p ON p.id = so.partner_id WHERE so.state = 'sale'""")[0][0],
        })

    def ensure_tiers(self):
        """Tiers for every company with confirmed orders, thresholds at percentiles of the
        company's tier figure (the one its settings choose), created through the ORM."""
        Tier = self.env['crm.loyalty.tier']
        for company in self.companies:
            if Tier.search_count([('company_id', '=', company.id)]):
                continue
            window_start = self.env['crm.loyalty.engine']._params(company, self._today(company))['window_start']
            metric = {'revenue': "SUM(so.amount_untaxed) FILTER (WHERE so.date_order::date > %(start)s)",
                      'revenue_total': "SUM(so.amount_untaxed)",
                      'purchase_count': "COUNT(DISTINCT so.date_order::date) FILTER "
                                        "(WHERE so.date_order::date > %(start)s)"}[company.loyalty_tier_basis]
            [(values,)] = self.sql(
                f"""SELECT PERCENTILE_CONT(%(shares)s) WITHIN GROUP (ORDER BY metric) FROM (
                       SELECT {metric} AS metric FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                        WHERE so.state = 'sale' AND so.company_id = %(company)s
                        GROUP BY p.commercial_partner_id) m WHERE metric > 0""",
                {'shares': [share for _n, share, _l in TIERS], 'company': company.id, 'start': window_start})
            if not values or values[0] is None:
                continue
            thresholds = sorted({float(f"{v:.2g}") for v in values})
            Tier.create([{'name': name, 'min_value': value, 'relationship_level': level, 'company_id': company.id}
                         for (name, _s, level), value in zip(TIERS, thresholds, strict=False)])
        self.cr.commit()
        self.result['tiers'] = [
            {'company': t.company_id.name, 'name': t.name, 'min_value': t.min_value, 'basis': t.tier_basis}
            for t in Tier.search([])]

    def _today(self, company):
        from odoo.addons.crm_loyalty.models.local_day import company_today
        return company_today(company)

    # 2. floor and engine
    def floor(self):
        """Seconds of the plain aggregate and of the plain bulk UPDATE, over all companies."""
        self.vacuum('res_partner')
        fields_ = self.env['res.partner']._fields
        aggregate = update = 0.0
        rows = 0
        for company in self.companies:
            start = time.perf_counter()
            self.cr.execute(
                """CREATE TEMP TABLE bench_floor_agg ON COMMIT DROP AS
                   SELECT p.commercial_partner_id AS partner_id, count(*) AS n, sum(so.amount_untaxed) AS revenue,
                          min(so.date_order) AS first_date, max(so.date_order) AS last_date
                     FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                    WHERE so.state = 'sale' AND so.company_id = %s
                    GROUP BY 1""", [company.id])
            middle = time.perf_counter()
            assignments = ", ".join(
                f"{name} = COALESCE(p.{name}, '{{}}'::jsonb) "
                f"|| jsonb_build_object(%(key)s, {floor_value(fields_[name])})"
                for name in self.written_fields)
            self.cr.execute(f"""UPDATE res_partner p SET {assignments}
                                  FROM bench_floor_agg agg WHERE p.commercial_partner_id = agg.partner_id""",
                            {'key': str(company.id)})
            rows += self.cr.rowcount
            aggregate += middle - start
            update += time.perf_counter() - middle
            self.cr.execute("DROP TABLE bench_floor_agg")
        return {'seconds': aggregate + update, 'aggregate_seconds': aggregate, 'update_seconds': update,
                'rows_updated': rows, 'statements': 2 * len(self.companies)}

    def engine(self, keep=False):
        """One full recompute (timed without its commit); rolled back unless keep."""
        self.vacuum('res_partner', 'crm_loyalty_tier_history', 'crm_loyalty_snapshot', 'mail_message')
        [(changes_before,)] = self.sql("SELECT count(*) FROM crm_loyalty_tier_history")
        peak_reset = reset_peak_rss()
        baseline = status_kb('VmRSS')
        with statement_timings() as timings, method_timings(self.env, 'crm.loyalty.engine', VALUE_METHODS) as parts:
            written, seconds, statements = self.measure(lambda: self.env['crm.loyalty.engine']._recompute())
        peak = status_kb('VmHWM')
        rows = sum(self.sql("SELECT count(*) FROM res_partner WHERE loyalty_scored_date ? %s",
                            [str(company.id)])[0][0] for company in self.companies)
        [(changes_after,)] = self.sql("SELECT count(*) FROM crm_loyalty_tier_history")
        run = {'seconds': seconds, 'sql_statements': statements, 'commercial_partners_written': written,
               'partner_rows_written': rows, 'tier_changes': changes_after - changes_before,
               'rss_before_mb': mb(baseline), 'peak_rss_mb': mb(peak),
               'peak_rss_scope': 'this call' if peak_reset else 'process lifetime (peak reset not allowed)',
               'sql_seconds': sum(t for t, _q in timings), 'python_seconds': seconds - sum(t for t, _q in timings),
               'value_seconds': sum(parts.values()), 'value_parts_seconds': parts,
               'value_share_of_recompute': sum(parts.values()) / seconds,
               'slowest_statements': [{'seconds': t, 'sql': q} for t, q in sorted(timings, reverse=True)[:6]]}
        if not keep:
            self.rollback()
        return run

    def floor_and_engine(self):
        floors, engines = [], []
        repeats = max(int(os.environ.get('BENCH_REPEATS') or 2), 1)
        for i in range(repeats):
            floors.append(self.floor())
            self.rollback()
            engines.append(self.engine(keep=i == repeats - 1))
        self.cr.commit()  # the second run's result: the state the nightly cron and the orders meet
        best_floor = min(floors, key=lambda r: r['seconds'])
        best_engine = min(engines, key=lambda r: r['seconds'])
        hungriest = max(engines, key=lambda r: r['peak_rss_mb'])
        orders = self.result['orders_in_db']
        self.result['floor'] = {
            **{k: v for k, v in best_floor.items() if k != 'seconds'},
            'columns': len(self.written_fields), 'runs_seconds': [r['seconds'] for r in floors],
            'best_seconds': best_floor['seconds'],
            'seconds_per_1000_orders': best_floor['seconds'] * 1000 / orders,
        }
        self.result['engine'] = {
            **{k: v for k, v in best_engine.items() if k not in ('seconds', 'rss_before_mb', 'peak_rss_mb')},
            'runs_seconds': [r['seconds'] for r in engines], 'best_seconds': best_engine['seconds'],
            # the first call of the process also fills the ORM's caches: the last run's count
            'sql_statements': engines[-1]['sql_statements'],
            'runs_sql_statements': [r['sql_statements'] for r in engines],
            'rss_before_mb': hungriest['rss_before_mb'], 'peak_rss_mb': hungriest['peak_rss_mb'],
            'seconds_per_1000_orders': best_engine['seconds'] * 1000 / orders,
            'note': "_recompute() in one transaction, as called (no per-batch commits), ORM flush included, "
                    "commit excluded; figures of the fastest run, statements of the last, peak RSS of the hungriest; "
                    "value_seconds: its calls of VALUE_METHODS in that run (writing their columns to the "
                    "partners is in the write step, not counted)",
        }
        self.result['engine_over_floor'] = best_engine['seconds'] / best_floor['seconds']

    # 3. after the committed recompute: the same again, then the order hook
    def rerun(self):
        self.vacuum('res_partner', 'crm_loyalty_tier_history', 'crm_loyalty_snapshot', 'mail_message')
        with method_timings(self.env, 'crm.loyalty.engine', VALUE_METHODS) as parts:
            _written, seconds, statements = self.measure(lambda: self.env['crm.loyalty.engine']._recompute())
        self.rollback()
        self.result['engine']['rerun_seconds'] = seconds
        self.result['engine']['rerun_sql_statements'] = statements
        # the nightly case: the card and the figures mostly unchanged since the committed run
        self.result['engine']['rerun_value_seconds'] = sum(parts.values())
        self.result['engine']['rerun_value_parts_seconds'] = parts
        self.result['engine']['rerun_value_share_of_recompute'] = sum(parts.values()) / seconds

    def backtest(self):
        """The prediction backtest alone (part of every full recompute), against the recompute."""
        engine = self.env['crm.loyalty.engine']
        peak_reset = reset_peak_rss()
        runs = []
        for company in self.companies:
            _result, seconds, statements = self.measure(lambda c=company: engine._backtest(c, self._today(c)))
            runs.append((seconds, statements))
        peak = status_kb('VmHWM')
        self.rollback()
        seconds = sum(r[0] for r in runs)
        self.result['backtest'] = {
            'seconds': seconds, 'sql_statements': sum(r[1] for r in runs),
            'share_of_recompute': seconds / self.result['engine']['best_seconds'],
            'peak_rss_mb': mb(peak), 'peak_rss_scope': 'this call' if peak_reset else 'process lifetime',
            'note': "included in the recompute's time above; the share is of the fastest full recompute",
        }

    def confirm_hook(self):
        """Median time and queries of the hook alone and of confirming an order with and
        without it, over fresh draft orders of distinct customers (one warm-up round)."""
        from odoo import api
        env = api.Environment(self.cr, self.env.ref('base.user_admin').id, {})
        company = env.company
        product = env['product.product'].search([('sale_ok', '=', True), ('type', '=', 'consu')], limit=1)
        customers = self.customers(company)
        customers = random.Random(7).sample(customers, min(len(customers), self.confirm_repeats + 1))
        engine = env['crm.loyalty.engine'].sudo()
        samples = {'refresh_alone': [], 'confirm': [], 'confirm_without_hook': []}
        for n, partner_id in enumerate(customers):
            hooked, bare = env['sale.order'].create([{
                'partner_id': partner_id,
                'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': 3})],
            } for _i in range(2)])
            figures = {'refresh_alone': self.measure(lambda p=hooked.partner_id: engine._refresh_partners(p, company))}
            for kind in ('confirm', 'confirm_without_hook')[::1 if n % 2 else -1]:
                if kind == 'confirm':
                    figures[kind] = self.measure(hooked.action_confirm)
                else:
                    with without_loyalty_hook(env):
                        figures[kind] = self.measure(bare.action_confirm)
            if n:
                for kind, (_res, seconds, queries) in figures.items():
                    samples[kind].append((seconds, queries))
        result = {'repeats': len(customers) - 1,
                  'note': "admin user; refresh_alone: _refresh_partners of the customer of a draft order, after a "
                          "flush; confirm: action_confirm() and the flush of what it leaves pending"}
        for kind, values in samples.items():
            result[kind] = {'ms_median': 1000 * statistics.median(s for s, _q in values),
                            'queries_median': statistics.median(q for _s, q in values)}
        result['hook_extra_ms'] = result['confirm']['ms_median'] - result['confirm_without_hook']['ms_median']
        result['hook_extra_queries'] = (result['confirm']['queries_median']
                                        - result['confirm_without_hook']['queries_median'])
        self.result['confirm'] = result

    def customers(self, company):
        """Commercial partners with confirmed orders in the company."""
        return [row[0] for row in self.sql(
            """SELECT DISTINCT p.commercial_partner_id FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                WHERE so.state = 'sale' AND so.company_id = %s ORDER BY 1""", [company.id])]

    # 4. a plain ORM implementation
    def orm(self):
        env = self.env
        company = env.company
        partners = self.customers(company)
        sample = sorted(random.Random(7).sample(partners, min(len(partners), self.orm_sample)))
        tiers = env['crm.loyalty.tier'].search([('company_id', '=', company.id)], order='min_value desc')
        fields_ = env['res.partner']._fields
        self.vacuum('res_partner')

        def loop():
            for partner in env['res.partner'].with_company(company).browse(sample):
                [group] = env['sale.order'].read_group(
                    [('partner_id', 'child_of', partner.id), ('state', '=', 'sale'),
                     ('company_id', '=', company.id)],
                    ['revenue:sum(amount_untaxed)', 'first:min(date_order)', 'last:max(date_order)'], [])
                values = {name: orm_value(fields_[name], group, tiers) for name in self.written_fields}
                (partner | partner.child_ids).write(values)

        _res, seconds, statements = self.measure(loop)
        self.rollback()
        total = self.result['engine']['commercial_partners_written']
        self.result['orm'] = {
            'extrapolated_from': len(sample), 'sample_seconds': seconds, 'sample_sql_statements': statements,
            'partners': total, 'seconds': seconds * total / len(sample),
            'note': "per customer read_group on sale.order + write of the same columns on him and his contacts; "
                    "simple aggregates only (no population scores), so a lower bound of an ORM implementation",
        }
        self.result['orm_over_engine'] = self.result['orm']['seconds'] / self.result['engine']['best_seconds']

    # 5. care rules
    def care_rules(self):
        """Preview and real run of three care rules of the main company, rolled back."""
        env = self.env
        company = env.company
        today = self._today(company)
        self.vacuum('res_partner', 'crm_loyalty_care_action')  # the rolled-back runs' dead rows
        self.cr.execute(
            """UPDATE res_partner SET birthday = make_date(1980 + 4 * (id %% 10), %s, %s)
                WHERE id %% 365 = 0 AND id = commercial_partner_id""", [today.month, today.day])
        birthdays = self.cr.rowcount
        env.invalidate_all()
        action = env['ir.actions.server'].create({
            'name': "Bench: a care call", 'model_id': env['ir.model']._get_id('res.partner'),
            'state': 'next_activity', 'activity_type_id': env.ref('mail.mail_activity_data_call').id,
            'activity_summary': "Care call", 'activity_user_type': 'specific', 'activity_user_id': env.uid,
        })
        rules = env['crm.loyalty.care.rule'].create([{
            'name': f"Bench {trigger} {days}d", 'trigger': trigger, 'days': days, 'company_id': company.id,
            'action_server_ids': [(6, 0, action.ids)],
        } for trigger, days in CARE_RULES])
        env.flush_all()
        figures = []
        for rule in rules:
            rule._candidates(today)  # warm-up: the ORM's caches (domain, fields) are filled
            candidates, preview_s, preview_q = self.measure(lambda r=rule: r._candidates(today))
            self.cr.execute("SAVEPOINT bench_care_run")
            with capped_candidates(env, self.care_run_cap):
                logs, run_s, run_q = self.measure(lambda r=rule: r._run(today))
            states = {}
            for log in logs:
                states[log.state] = states.get(log.state, 0) + 1
            actioned = len(logs)
            per_partner_s = (run_s - preview_s) / actioned if actioned else None
            figure = {
                'rule': rule.name, 'trigger': rule.trigger, 'days': rule.days,
                'candidates': len(candidates), 'candidate_partners': len({pid for pid, _o in candidates}),
                'preview_seconds': preview_s, 'preview_sql_statements': preview_q,
                'run_actioned': actioned, 'run_log_states': states,
                'run_seconds': run_s, 'run_sql_statements': run_q,
                'run_sql_statements_per_actioned_partner': (run_q - preview_q) / actioned if actioned else None,
                'run_ms_per_actioned_partner': per_partner_s and 1000 * per_partner_s,
                'run_capped': actioned < len(candidates),
                'run_seconds_full': (run_s if actioned >= len(candidates)
                                     else preview_s + per_partner_s * len(candidates)),
            }
            figures.append(figure)
            self.cr.execute("ROLLBACK TO SAVEPOINT bench_care_run")
            env.invalidate_all()
        self.rollback()
        self.result['care'] = {
            'company': company.name, 'today': str(today), 'birthdays_set_today': birthdays,
            'action': f"server action on res.partner: {CARE_ACTION}",
            'run_cap': self.care_run_cap or None,
            'note': "preview: rule._candidates(today) after a warm-up call; run: rule._run(today) in one "
                    "transaction (no per-customer commits), ORM flush included, rolled back; per actioned "
                    "partner: (run - preview) / partners actioned; run_seconds_full is measured, or "
                    "extrapolated from the time per actioned partner when the run was capped",
            'rules': figures,
        }

    # 6. the channel
    def channel(self):
        env = self.env
        company = env.company
        key = str(company.id)
        Territory = env['crm.loyalty.territory']
        [(partners,)] = self.sql("SELECT count(*) FROM res_partner WHERE company_id IS NULL OR company_id = %s",
                                 [company.id])
        [(territories,)] = self.sql("SELECT count(*) FROM crm_loyalty_territory WHERE active AND company_id = %s",
                                    [company.id])
        self.cr.execute("UPDATE res_partner SET channel_territory_id = channel_territory_id - %s "
                        "WHERE channel_territory_id ? %s", [key, key])
        self.cr.commit()
        self.vacuum('res_partner')
        written, seconds, statements = self.measure(lambda: Territory._match_partners(company))
        self.cr.commit()
        self.vacuum('res_partner')
        rewritten, again_seconds, _statements = self.measure(lambda: Territory._match_partners(company))
        self.rollback()
        order_ids = [row[0] for row in self.sql(
            """SELECT so.id FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 JOIN res_partner cp ON cp.id = p.commercial_partner_id
                WHERE so.state = 'sale' AND so.company_id = %s
                  AND (cp.channel_role IS NOT NULL OR cp.channel_parent_id IS NOT NULL)""", [company.id])]
        query = env['crm.loyalty.channel.conflict']._detect_sql(order_ids)
        start = time.perf_counter()
        conflicts = len(self.sql(query))
        detect_seconds = time.perf_counter() - start
        self.rollback()
        self.result['channel'] = {
            'partners': partners, 'territories': territories,
            'match_seconds': seconds, 'match_sql_statements': statements, 'match_written': written,
            'match_again_seconds': again_seconds, 'match_again_written': rewritten,
            'detect_orders': len(order_ids), 'detect_seconds': detect_seconds, 'detect_conflicts': conflicts,
            'note': "match: crm.loyalty.territory._match_partners(company) over every partner of the company, "
                    "from no match (vacuumed) then again; detect: the conflict-detection statement alone over "
                    "every confirmed order whose customer is or is served by a channel partner",
        }

    def run(self):
        self.describe()
        if self.sql("SELECT 1 FROM crm_loyalty_snapshot LIMIT 1"):
            raise SystemExit("This database has had a full recompute already: the figures need a fresh one "
                             "(tools/bench.sh makes it).")
        self.ensure_tiers()
        self.vacuum()  # the whole database: freshly copied tables get their visibility map
        self.floor_and_engine()
        skip = set(filter(None, os.environ.get('BENCH_SKIP', '').split(',')))
        if 'rerun' not in skip:
            self.rerun()
        self.backtest()
        self.confirm_hook()
        self.rollback()
        if self.orm_sample:
            self.orm()
        if 'care' not in skip:
            self.care_rules()
        if 'channel' not in skip:
            self.channel()
        return self.result


@contextmanager
def statement_timings():
    """A list that collects (seconds, start of the SQL) of every statement this thread runs."""
    thread = threading.current_thread()
    timings = []
    hooks = getattr(thread, 'query_hooks', None)

    def hook(_cr, query, _params, _start, delay):
        sql = query.decode(errors='replace') if isinstance(query, bytes) else str(query)
        timings.append((delay, ' '.join(sql.split())[:100]))

    thread.query_hooks = [*(hooks or ()), hook]
    try:
        yield timings
    finally:
        if hooks is None:
            del thread.query_hooks
        else:
            thread.query_hooks = hooks


def restore(cls, own):
    """Put back the methods ``own`` ({name: the class's own method, or None}) of ``cls``."""
    for name, method in own.items():
        if method is None:
            delattr(cls, name)
        else:
            setattr(cls, name, method)


@contextmanager
def method_timings(env, model, names):
    """A dict that collects the seconds spent in the methods ``names`` of ``model``, in
    this process."""
    cls = env.registry[model]
    own = {name: cls.__dict__.get(name) for name in names}
    seconds = dict.fromkeys(names, 0.0)

    def timed(name, original):
        def method(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start
        return method

    for name in names:
        setattr(cls, name, timed(name, getattr(cls, name)))
    try:
        yield seconds
    finally:
        restore(cls, own)


@contextmanager
def without_loyalty_hook(env):
    """sale.order.action_confirm without crm_loyalty's hooks (loyalty refresh and channel
    conflict detection), in this process only."""
    cls = env.registry['sale.order']
    hooks = ('_loyalty_refresh', '_loyalty_detect_conflicts')
    own = {name: cls.__dict__.get(name) for name in hooks}
    for name in hooks:
        setattr(cls, name, lambda self: None)
    try:
        yield
    finally:
        restore(cls, own)


@contextmanager
def capped_candidates(env, cap):
    """The care rules' _run acts on the first ``cap`` candidates only (0: all), in this
    process; the selection query itself is unchanged."""
    if not cap:
        yield
        return
    cls = env.registry['crm.loyalty.care.rule']
    own = cls.__dict__.get('_candidates')
    original = cls._candidates

    def _candidates(self, today=None, now=None):
        return original(self, today, now)[:cap]

    cls._candidates = _candidates
    try:
        yield
    finally:
        if own is None:
            del cls._candidates
        else:
            cls._candidates = own


def floor_value(field):
    """SQL expression over bench_floor_agg of the floor's value for one column, by type."""
    return {
        'date': 'agg.first_date::date' if 'first' in field.name else 'agg.last_date::date',
        'integer': 'agg.n', 'many2one': 'agg.n', 'float': 'agg.revenue', 'monetary': 'agg.revenue',
        'boolean': 'agg.n > 1',
    }.get(field.type, 'agg.n::text')


def orm_value(field, group, tiers):
    """The ORM implementation's value for one column, from the read_group of a customer."""
    count, revenue = group['__count'], group['revenue'] or 0.0
    if 'override' in field.name:
        return False  # set by hand only (the engine keeps them as they are)
    if field.type == 'date':
        value = group['first'] if 'first' in field.name else group['last']
        return value and value.date()
    if field.type == 'many2one':
        return next((t.id for t in tiers if t.min_value <= revenue), False) if field.comodel_name == \
            'crm.loyalty.tier' else False
    if field.type == 'selection':
        options = field.get_values(tiers.env)
        return options[count % len(options)]
    return {'integer': count, 'float': revenue, 'monetary': revenue, 'boolean': count > 1}.get(
        field.type, str(count))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help="where the figures go (JSON)")
    parser.add_argument('--orm-sample', type=int, default=0,
                        help="customers the plain ORM implementation is timed on (0: not measured)")
    parser.add_argument('--confirm-repeats', type=int, default=20)
    parser.add_argument('--care-run-cap', type=int, default=int(os.environ.get('BENCH_CARE_RUN_CAP') or 0),
                        help="care rules' runs act on at most this many candidates, the rest "
                             "extrapolated (0: all; default BENCH_CARE_RUN_CAP or 0)")
    args, odoo_args = parser.parse_known_args()
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([a for a in odoo_args if a != '--'], setup_logging=True)
    dbname = odoo.tools.config['db_name']
    _db, dsn = odoo.sql_db.connection_info_for(dbname)
    with Registry(dbname).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        result = Bench(env, dsn, args.orm_sample, args.confirm_repeats, args.care_run_cap).run()
        cr.rollback()
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, default=str)
    engine, floor = result['engine'], result['floor']
    print(f"engine {engine['best_seconds']:.2f} s ({engine['sql_statements']} statements, "
          f"{engine['partner_rows_written']} partners, peak RSS {engine['peak_rss_mb']} MB), "
          f"floor {floor['best_seconds']:.2f} s: x{result['engine_over_floor']:.1f}; relationship value "
          f"{engine['value_seconds']:.2f} s ({100 * engine['value_share_of_recompute']:.0f} % of the recompute)")
    channel = result.get('channel')
    if channel:
        print(f"territories: {channel['partners']} partners matched in {channel['match_seconds']:.2f} s "
              f"({channel['match_sql_statements']} statements, {channel['match_written']} written), again "
              f"{channel['match_again_seconds']:.2f} s; conflicts of {channel['detect_orders']} orders found in "
              f"{channel['detect_seconds']:.2f} s")
    for rule in result.get('care', {}).get('rules', ()):
        print(f"care rule {rule['trigger']} {rule['days']}d: {rule['candidates']} candidates, preview "
              f"{rule['preview_seconds']:.2f} s ({rule['preview_sql_statements']} statements), run "
              f"{rule['run_seconds']:.2f} s ({rule['run_sql_statements']} statements, {rule['run_actioned']} actioned)")


if __name__ == '__main__':
    main()
