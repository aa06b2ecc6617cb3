"""The loyalty engine: purchase history, scores, segments, lifetime value and tiers.

Everything runs set-based in PostgreSQL, one company at a time, in steps (the phases of a
``crm.loyalty.engine.run``, each in its own transaction under the nightly job):

1. *history*: one row per commercial partner with his purchase history (a *purchase* is
   a day with a confirmed order, or a posted invoice, of a positive amount), in the run's
   table ``crm_loyalty_run_<id>_hist``.
2. *scores*: the population figures over the company's scored customers (those who
   bought at least once), in ``crm_loyalty_run_<id>_scores``: RFM quintiles and segment (a
   customer's quintile is that of his mid-rank, so that equal customers share a score:
   ``ceil(5 (rank - 1/2) / n)`` with tied customers at the mean of their ranks), ABC
   class, medians, value and loyalty matrices, churn risk.
3. *predict*: the BG/NBD + Gamma-Gamma predictions, computed with NumPy over arrays
   fetched in one query and written back in one query.
4. *backtest*: the models fitted on the history up to a calibration day, against what
   customers bought since.
5. *write*: batches of customers by increasing id, sized to the step's time budget: tier
   decision against the partner's current state, tier history and chatter lines for the
   changes, one ``UPDATE`` of the partners (commercial entity and its contacts), the
   monthly snapshot.

A few customers (an order confirmed, a merge) are recomputed in one transaction instead,
with temporary tables. The figures are company-dependent fields (jsonb keyed by company
id); a company only ever writes its own key.
"""
import io
import logging
import time
from datetime import timedelta

import numpy as np
from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import OperationalError, errorcodes

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import clv, segments
from .access import from_code, is_from_code
from .cron_step import call_deadline, committing, continue_later, next_batch_size, step_seconds, window_spent
from .local_day import company_today
from .purchases import purchase_lines_sql, purchases_sql
from .res_partner import PREFERENCE_CARD_FIELDS

_logger = logging.getLogger(__name__)

BATCH_SIZE = 20000          # customers of a run's first batch; the next ones fit the step's time budget
MIN_BATCH_SIZE = 1000
MAX_BATCH_SIZE = 200000
RECOMPUTE_CRON = 'crm_loyalty.ir_cron_loyalty_recompute'
BACKFILL_CRON = 'crm_loyalty.ir_cron_loyalty_backfill'
LOCK_NAMESPACE = 0x10ca17   # first key of the advisory locks that serialise runs per company
DAYS_PER_MONTH = 365.25 / 12
RETRYABLE = (errorcodes.SERIALIZATION_FAILURE, errorcodes.DEADLOCK_DETECTED, errorcodes.LOCK_NOT_AVAILABLE)

# Columns of res_partner written from the purchase history (also by an order's confirmation).
HISTORY_FIELDS = {
    'loyalty_first_purchase_date': 'first_date',
    'loyalty_last_purchase_date': 'last_date',
    'loyalty_purchase_count': 'count_window',
    'loyalty_purchase_count_total': 'count_total',
    'loyalty_revenue': 'revenue_window',
    'loyalty_revenue_total': 'revenue_total',
    'loyalty_purchase_interval': 'interval_days',
    'clv_historical': 'clv_historical',
}
TIER_FIELDS = {
    'loyalty_tier_id': 'new_tier_id',
    'loyalty_tier_computed_id': 'computed_tier_id',
    'loyalty_tier_metric': 'metric',
    'loyalty_tier_below_since': 'new_below_since',
    'loyalty_tier_override_id': 'new_override_id',
    'loyalty_tier_override_reason': 'new_override_reason',
    'loyalty_tier_override_until': 'new_override_until',
    'relationship_level': 'new_relationship_level',
}
# Columns written by the engine only (they need the whole population).
SCORE_FIELDS = {
    'loyalty_scored_date': 'scored_on',
    'rfm_recency_days': 'recency_days',
    'rfm_r_score': 'r_score',
    'rfm_f_score': 'f_score',
    'rfm_m_score': 'm_score',
    'rfm_segment': 'rfm_segment',
    'abc_class': 'abc_class',
    'loyalty_segment': 'loyalty_segment',
    'value_segment': 'value_segment',
    'churn_risk': 'churn_risk',
    'loyalty_churn_ratio': 'churn_ratio',
    'relationship_months': 'relationship_months',
    'clv_predicted': 'clv_predicted',
    'clv_predicted_low': 'clv_predicted_low',
    'clv_predicted_high': 'clv_predicted_high',
    'expected_purchases': 'expected_purchases',
    'probability_alive': 'probability_alive',
    'loyalty_next_purchase_date': 'next_purchase_date',
    'loyalty_purchase_probability_30d': 'purchase_probability_30d',
}
# Columns of the relationship value, written by the engine only (they need the whole population).
VALUE_FIELDS = {
    'loyalty_referral_count': 'referral_count',
    'loyalty_referral_revenue': 'referral_revenue',
    'loyalty_referral_revenue_total': 'referral_revenue_total',
    'loyalty_wallet_potential': 'wallet_potential',
    'loyalty_wallet_category_id': 'wallet_category_id',
    'loyalty_wallet_share': 'wallet_share',
    'loyalty_wallet_low_share': 'wallet_low_share',
    'loyalty_revenue_growth': 'revenue_growth',
    'loyalty_usual_weekday': 'usual_weekday',
}
LOW_WALLET_SHARE = 0.25     # below this share of a wallet at least the median, the wallet is worth growing
GROWTH_MONTHS = 6           # the months of window revenue whose trend is the capability value
PREFERENCE_MIN_DAYS = 2     # the days a product, category or basket is bought on to be a habit of the card
# a larger company's models are fitted on a uniform sample of this many customers (lib.clv)
FIT_SAMPLE_SIZE = 100000
NEXT_PURCHASE_DAYS = 30     # the horizon of loyalty_purchase_probability_30d
BACKTEST_MIN_HOLDOUT_DAYS = 182     # 26 weeks
WRITTEN_FIELDS = [*HISTORY_FIELDS, *TIER_FIELDS, *SCORE_FIELDS, *VALUE_FIELDS]


def month_end(day):
    """The last day of the month of ``day``."""
    return day + relativedelta(day=31)


def to_sql(text):
    """An SQL text of ``lib.segments`` as Odoo's ``SQL``."""
    return SQL(text.code, *text.params)


def loyalty_segment_sql(company, satisfaction, purchases, scored):
    """Dick & Basu's loyalty matrix (``lib.segments``) as an SQL expression, with the company's
    thresholds: ``satisfaction`` and window ``purchases``; NULL unless ``scored`` and
    satisfied at all."""
    return to_sql(segments.loyalty_segment_sql(
        scored, satisfaction, purchases, company.loyalty_attitude_threshold, company.loyalty_repeat_threshold))


class CrmLoyaltyEngine(models.AbstractModel):
    _name = 'crm.loyalty.engine'
    _description = 'Loyalty Engine'

    # ------------------------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------------------------

    @api.model
    def _recompute(self, partners=None, as_of=None):
        """Recompute every loyalty figure of ``partners`` (their commercial entities;
        default: every customer) for every company, as of ``as_of`` (default: each
        company's own today, in its time zone), in this call.

        Population figures (quintiles, ABC, medians) are always taken over the whole
        company; only the given partners are written. Every customer: a new run of each
        company for the day, all its steps (committed each under the ``crm_loyalty_commit``
        flag). Returns the number of commercial partners written, over all companies; a
        company another worker is recomputing is left to it (none written)."""
        as_of = fields.Date.to_date(as_of) if as_of else None
        partner_ids = None if partners is None else partners.commercial_partner_id.ids
        if partner_ids == []:
            return 0
        written = 0
        for company in self.env['res.company'].sudo().search([]):
            day = as_of or company_today(company)
            if partner_ids is not None:
                written += self._recompute_partners(company, day, partner_ids)
                continue
            run = self.env['crm.loyalty.engine.run'].sudo()._restart(company, day)
            while run.phase != 'done':
                if self._step(run) is None:
                    break
            written += run.written
        return written

    @api.model
    def _cron_recompute(self):
        """The nightly job: the day's run of every company, in bounded steps. A call does
        steps until a quarter of the cron's time limit is spent (always one at least),
        each committed, and reports its progress, so that Odoo calls it again at once
        while work is left; a killed call loses one step. A step over the whole population
        (history, scores, predictions, backtest) only starts a cron window, a batch of
        customers where the last one's time still fits in it (``cron_step``). A company
        another worker is recomputing is skipped by this one."""
        Run = self.env['crm.loyalty.engine.run'].sudo()
        companies = self.env['res.company'].sudo().search([])
        engine = from_code(self, 'crm_loyalty_commit') if committing() else self
        if window_spent(self.env):
            runs = Run.search([('company_id', 'in', companies.ids), ('phase', '!=', 'done')])
            continue_later(self.env, RECOMPUTE_CRON, 0, runs._units_left() or 1)
            return
        deadline = call_deadline(self.env, step_seconds())
        done, runs, stopped = 0, Run.browse(), False
        for company in companies:
            run = Run._current(company, company_today(company))
            runs |= run or Run
            while not stopped and run and run.phase != 'done':
                expected = run.batch_seconds if run.phase == 'write' else None
                if window_spent(self.env, expected) or (done and time.monotonic() > deadline):
                    stopped = True
                    break
                units = engine._step(run)
                if units is None:       # another worker has this company
                    break
                done += units
            if stopped:
                runs = Run.search([('company_id', 'in', companies.ids), ('phase', '!=', 'done')])
                break
        left = runs._units_left()
        continue_later(self.env, RECOMPUTE_CRON, done, left)

    @api.model
    def _refresh_partners(self, partners, companies=None, as_of=None):
        """Purchase history and tier of a few commercial partners, in the current
        transaction (an order confirmed or cancelled, an invoice posted, an override set).
        One statement per company."""
        partner_ids = partners.commercial_partner_id.ids
        if not partner_ids:
            return
        self.env.flush_all()
        for company in companies or self.env.company:
            params = self._params(company, as_of or company_today(company))
            hist = self._history_sql(params, partner_ids)
            decision = self._decision_sql(params, SQL("(%s) AS s", hist), partial=True)
            self.env.cr.execute(SQL(
                """WITH decision AS MATERIALIZED (%(decision)s),
                        history AS (%(history)s),
                        message AS (%(message)s)
                   %(update)s""",
                decision=decision,
                history=self._insert_history_sql(params, 'decision'),
                message=self._insert_message_sql(params, 'decision'),
                update=self._update_partners_sql(params, 'decision', [*HISTORY_FIELDS, *TIER_FIELDS]),
            ))
        self._invalidate()

    # ------------------------------------------------------------------------------------
    # One company
    # ------------------------------------------------------------------------------------

    def _params(self, company, as_of, run=None):
        """The figures every SQL of a company's recompute uses. With ``run``, its tables
        are the run's own (unlogged, kept between steps); else temporary ones."""
        window_start = as_of - relativedelta(months=company.loyalty_window_months)
        user = self.env.user
        margin = (company.loyalty_purchase_source == 'sale'
                  and (field := self.env['sale.order']._fields.get('margin')) is not None and field.store)
        return {
            'company': company,
            'key': str(company.id),
            'as_of': as_of,
            'window_start': window_start,
            'window_days': (as_of - window_start).days,
            'margin': margin,
            'lang': self._log_lang(company),
            'author_id': user.partner_id.id,
            'uid': user.id,
            'table_kind': SQL("UNLOGGED") if run else SQL("TEMP"),
            'hist': run._run_table('hist') if run else SQL.identifier('crm_loyalty_hist'),
            'scores': run._run_table('scores') if run else SQL.identifier('crm_loyalty_scores'),
            'median_revenue': run.median_revenue if run else None,
            'median_interval': run.median_interval if run else None,
        }

    def _log_lang(self, company):
        """The language of the engine's chatter lines: the company's (its contact card's),
        whoever or whatever runs the engine. A note is written once for all its readers, the
        company's staff, so it does not follow the language of the cron's or the order's user."""
        return company.partner_id.lang or 'en_US'

    def _lock(self, company):
        """Serialise the engine per company across workers: a transaction-level advisory
        lock, taken again by each committed batch, so that a killed worker never holds it."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
        return self.env.cr.fetchone()[0]

    def _recompute_partners(self, company, as_of, partner_ids):
        """The figures of a few customers of ``company`` placed in its whole population,
        in this transaction: temporary tables, the company's last lifetime-value fit."""
        if not self._lock(company):
            _logger.info("Loyalty recompute of %s skipped: another worker is running it", company.name)
            return 0
        self.env.flush_all()
        params = self._params(company, as_of)
        self.env['crm.loyalty.feedback']._update_satisfaction_figures(company)
        self.env.cr.execute("DROP TABLE IF EXISTS crm_loyalty_hist, crm_loyalty_scores")
        self._build_history(params)
        self._build_scores(params)
        self._predict_lifetime_value(params, refit=False)
        self._build_preferences(params, partner_ids)
        self.env.cr.execute(SQL("SELECT partner_id FROM crm_loyalty_scores WHERE partner_id = ANY(%s)",
                                partner_ids))
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self._run_batch(params, min(ids), max(ids), partner_ids, commit=False)
        self.env.cr.execute("DROP TABLE IF EXISTS crm_loyalty_hist, crm_loyalty_scores")
        self._invalidate()
        return len(ids)

    def _step(self, run):
        """Do the next step of ``run`` (a ``crm.loyalty.engine.run``), in the current
        transaction, and commit it under the ``crm_loyalty_commit`` flag. Returns the units
        of work done (a phase: 1; a batch: its customers), or None when another worker
        holds the company."""
        cr = self.env.cr
        commit = is_from_code(self.env, 'crm_loyalty_commit')
        company = run.company_id
        if not self._lock(company):
            _logger.info("Loyalty recompute of %s left to the worker running it", company.name)
            return None
        # the run as committed, locked until this step commits (a restart waits for it)
        cr.execute(SQL("SELECT id FROM crm_loyalty_engine_run WHERE id = %s FOR NO KEY UPDATE", run.id))
        if not cr.fetchone():
            return None
        run.invalidate_recordset()
        started = time.monotonic()
        self.env.flush_all()
        phase = run.phase
        outcome = getattr(self, f'_step_{phase}')(run, self._params(company, run.as_of, run))
        if outcome is None:
            return None     # rolled back: another worker took the company meanwhile
        values, units = outcome
        seconds = time.monotonic() - started
        _logger.info("Loyalty recompute of %s as of %s: step %s in %.1f s", company.name, run.as_of, phase, seconds)
        run.write({**values, 'steps': run.steps + 1, 'duration': run.duration + seconds,
                   'longest_step': max(run.longest_step, seconds)})
        if commit:
            self.env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit (a step of the nightly job is committed on purpose)
        return units

    def _next_batch_size(self, size, seconds):
        """The next batch of customers: a quarter of a step at this batch's pace
        (``cron_step.next_batch_size``), between MIN_BATCH_SIZE and MAX_BATCH_SIZE; a size
        set in the context (tests) is kept."""
        if self.env.context.get('crm_loyalty_batch_size'):
            return size
        return min(max(next_batch_size(size, seconds), MIN_BATCH_SIZE), MAX_BATCH_SIZE)

    # The steps: each returns (the run's new values, the units of work done), or None.

    def _step_history(self, run, params):
        # answers older than 12 months leave the satisfaction mean as days pass
        self.env['crm.loyalty.feedback']._update_satisfaction_figures(run.company_id)
        run._drop_tables()
        self._build_history(params)
        return {'phase': 'scores'}, 1

    def _step_scores(self, run, params):
        self._build_scores(params)
        self._build_preferences(params)
        self.env.cr.execute(SQL("DROP TABLE %s", params['hist']))
        self.env.cr.execute(SQL("SELECT COUNT(*) FROM %s", params['scores']))
        return {'phase': 'predict', 'customers': self.env.cr.fetchone()[0],
                'median_revenue': params['median_revenue'] or 0, 'median_interval': params['median_interval']}, 1

    def _step_predict(self, run, params):
        self._predict_lifetime_value(params, refit=True)
        return {'phase': 'backtest'}, 1

    def _step_backtest(self, run, params):
        self._backtest(run.company_id, run.as_of)
        return {'phase': 'write'}, 1

    def _step_write(self, run, params):
        """A batch of customers by increasing id; the last one finishes the run."""
        cr = self.env.cr
        started = time.monotonic()
        size = self.env.context.get('crm_loyalty_batch_size') or run.batch_size or BATCH_SIZE
        cr.execute(SQL("SELECT partner_id FROM %s WHERE partner_id >= %s ORDER BY partner_id LIMIT %s",
                       params['scores'], run.next_partner_id, size))
        ids = [row[0] for row in cr.fetchall()]
        values = {}
        if ids:
            if not self._run_batch(params, ids[0], ids[-1], None, is_from_code(self.env, 'crm_loyalty_commit')):
                return None
            run.invalidate_recordset()
            seconds = time.monotonic() - started
            values.update(written=run.written + len(ids), next_partner_id=ids[-1] + 1, batch_seconds=seconds,
                          batch_size=self._next_batch_size(size, seconds))
        if len(ids) < size or run.written + len(ids) >= run.customers:     # the last batch
            run._drop_tables()
            values.update(phase='done', date_done=fields.Datetime.now())
            self._invalidate()
            _logger.info("Loyalty recompute of %s as of %s: %d customers in %d steps",
                         run.company_id.name, run.as_of, values.get('written', run.written), run.steps + 1)
        return values, len(ids) or 1

    def _run_batch(self, params, first_id, last_id, partner_ids, commit):
        """Decide tiers, log the changes and write one batch of partners; retried when a
        concurrent transaction (an order confirmed meanwhile) touched the same rows."""
        cr = self.env.cr
        source = SQL("(SELECT * FROM %s WHERE partner_id BETWEEN %s AND %s %s) AS s",
                     params['scores'], first_id, last_id,
                     SQL("AND partner_id = ANY(%s)", partner_ids) if partner_ids is not None else SQL())
        for attempt in range(3):
            try:
                cr.execute("DROP TABLE IF EXISTS crm_loyalty_batch")
                cr.execute(SQL("CREATE TEMP TABLE crm_loyalty_batch AS %s",
                               self._decision_sql(params, source, partial=False)))
                cr.execute(SQL("WITH history AS (%s) %s", self._insert_history_sql(params, 'crm_loyalty_batch'),
                               self._insert_message_sql(params, 'crm_loyalty_batch')))
                cr.execute(self._update_partners_sql(params, 'crm_loyalty_batch', WRITTEN_FIELDS))
                cr.execute(self._snapshot_sql(params))
                cr.execute("DROP TABLE crm_loyalty_batch")
                return True
            except OperationalError as error:
                if not commit or error.pgcode not in RETRYABLE or attempt == 2:
                    raise
                _logger.info("Loyalty batch %s-%s retried after %s", first_id, last_id, error.pgcode)
                cr.rollback()
                if not self._lock(params['company']):
                    return False
        return False

    # ------------------------------------------------------------------------------------
    # Snapshots of past months (on install, or Build Past Snapshots)
    # ------------------------------------------------------------------------------------

    @api.model
    def _start_backfill(self, companies, trigger=True):
        """Let the backfill job build the snapshots of the company's past months (its
        setting), from the oldest to last month; a backfill under way starts over.
        ``trigger``: ask for a call of the job at once."""
        def first_month_end(company):
            month = company_today(company).replace(day=1) - relativedelta(
                months=company.loyalty_snapshot_backfill_months)
            return month_end(month)
        self.env['crm.loyalty.cron.position']._start(BACKFILL_CRON, companies, as_of=first_month_end,
                                                     trigger=trigger)

    @api.model
    def _cron_backfill_snapshots(self):
        """The backfill job: a month of a company per step, each committed, until a quarter
        of the cron's time limit is spent; then the progress (in months), so that Odoo calls
        it again at once while months are left."""
        if window_spent(self.env):
            positions = self.env['crm.loyalty.cron.position']._positions(BACKFILL_CRON)
            continue_later(self.env, BACKFILL_CRON, 0, sum(map(self._backfill_months_left, positions)))
            return
        done, left = self._backfill_steps(call_deadline(self.env, step_seconds()))
        continue_later(self.env, BACKFILL_CRON, done, left)

    @api.model
    def _backfill_steps(self, deadline=None):
        """Months of the backfill's companies, oldest first, one step each (committed with
        the company's position, the next month end), until ``time.monotonic()`` passes
        ``deadline`` (one step at least; all of them without a deadline). A company done
        loses its position. Returns (months done, months left)."""
        cr = self.env.cr
        positions = self.env['crm.loyalty.cron.position']._positions(BACKFILL_CRON)
        done = 0
        for position in positions:
            while deadline is None or not done or time.monotonic() < deadline:
                # the position as committed, locked until this step commits (a restart waits)
                cr.execute(SQL("SELECT as_of FROM crm_loyalty_cron_position WHERE id = %s FOR NO KEY UPDATE",
                               position.id))
                row = cr.fetchone()
                position.invalidate_recordset()
                if not row or not self._backfill_months_left(position):
                    break
                started = time.monotonic()
                written = self._backfill_month(position.company_id, position.as_of)
                _logger.info("Loyalty snapshots of %s as of %s: %d customers in %.1f s", position.company_id.name,
                             position.as_of, written, time.monotonic() - started)
                position.as_of = month_end(position.as_of + timedelta(days=1))
                position._commit()
                done += 1
        left = 0
        for position in positions.exists():
            if remaining := self._backfill_months_left(position):
                left += remaining
                continue
            position.unlink()
            position._commit()
        return done, left

    def _backfill_months_left(self, position):
        """Months the backfill has still to do in the position's company: from its month
        to last month (this month's snapshot is the nightly run's)."""
        this_month = company_today(position.company_id).replace(day=1)
        month = position.as_of.replace(day=1)
        return max((this_month.year - month.year) * 12 + this_month.month - month.month, 0)

    def _backfill_month(self, company, as_of):
        """The snapshot of the month of ``as_of`` (its last day) of every customer of
        ``company`` who had bought by then, as the nightly run of that day would have
        written it: the engine's history, scores, segments and predictions as of that day,
        in temporary tables (the company's lifetime-value fit is left as it is). The tier
        is the one whose threshold the figure reached: a past grace period or override
        cannot be known. Nothing else is written, and a snapshot already there is kept.
        Returns the snapshots written."""
        cr = self.env.cr
        self.env.flush_all()
        params = self._params(company, as_of)
        cr.execute("DROP TABLE IF EXISTS crm_loyalty_hist, crm_loyalty_scores, crm_loyalty_batch")
        self._build_history(params)
        self._build_scores(params)
        self._predict_lifetime_value(params, refit=True, keep_fit=False)
        buyers = SQL("(SELECT * FROM %s WHERE count_total > 0) AS s", params['scores'])
        cr.execute(SQL("CREATE TEMP TABLE crm_loyalty_batch AS %s", self._decision_sql(params, buyers, partial=False)))
        cr.execute(self._snapshot_sql(params, tier='computed_tier_id', keep_existing=True))
        written = cr.rowcount
        cr.execute("DROP TABLE crm_loyalty_hist, crm_loyalty_scores, crm_loyalty_batch")
        self.env['crm.loyalty.snapshot'].invalidate_model()
        return written

    # ------------------------------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------------------------------

    def _purchases_sql(self, params, partner_ids=None):
        """Rows (partner_id, day, amount, margin, is_purchase, ...) of the company's
        purchases up to as_of (``purchases.purchases_sql``)."""
        return purchases_sql(params['company'], date_to=params['as_of'] + timedelta(days=1),
                             partners=partner_ids, margin=params['margin'])

    def _daily_sql(self, params, partner_ids=None):
        """Rows (partner_id, day, amount, margin, is_purchase): the company's sales of each
        customer and day, netted (a purchase: a day with a sale of a positive amount)."""
        return SQL(
            """SELECT partner_id, day, SUM(amount) AS amount, SUM(margin) AS margin,
                      BOOL_OR(is_purchase) AS is_purchase
                 FROM (%s) purchases
                GROUP BY partner_id, day""", self._purchases_sql(params, partner_ids))

    def _history_sql(self, params, partner_ids=None):
        """One row per commercial partner: his purchase history. With ``partner_ids``, also
        a row (of zeros) for those of them without any purchase left."""
        partners = SQL("SELECT unnest(%s::int[]) AS partner_id", partner_ids) if partner_ids is not None else SQL(
            # customers written before for this company, so that one whose orders were all
            # cancelled is written again (with no purchase)
            """SELECT id FROM res_partner
                WHERE id = commercial_partner_id
                  AND (loyalty_scored_date ? %(key)s OR loyalty_tier_override_id ? %(key)s)
                UNION
               -- the referrers of the customers, whose referral value is theirs to show
               SELECT r.commercial_partner_id FROM history h
                 JOIN res_partner c ON c.id = h.partner_id
                 JOIN res_partner r ON r.id = c.loyalty_referred_by_id""",
            key=params['key'])
        return SQL(
            """WITH daily AS (%(daily)s), history AS (
                   SELECT partner_id,
                          MIN(day) FILTER (WHERE is_purchase) AS first_date,
                          MAX(day) FILTER (WHERE is_purchase) AS last_date,
                          COUNT(*) FILTER (WHERE is_purchase) AS count_total,
                          COUNT(*) FILTER (WHERE is_purchase AND day > %(window_start)s) AS count_window,
                          SUM(amount) AS revenue_total,
                          COALESCE(SUM(amount) FILTER (WHERE day > %(window_start)s), 0) AS revenue_window,
                          SUM(margin) AS margin_total,
                          -- a purchase day netted negative by a refund spent nothing (never less)
                          SUM(GREATEST(amount, 0)) FILTER (WHERE is_purchase) AS purchase_amount,
                          (ARRAY_AGG(GREATEST(amount, 0) ORDER BY day) FILTER (WHERE is_purchase))[1] AS first_amount,
                          -- the weekday he buys on most often (ties: the first of the week)
                          MODE() WITHIN GROUP (ORDER BY EXTRACT(ISODOW FROM day)::int)
                              FILTER (WHERE is_purchase) AS usual_weekday
                     FROM daily
                    GROUP BY partner_id
               ), partners AS (
                   SELECT partner_id FROM history
                    UNION
                   %(partners)s
               )
               SELECT pa.partner_id, h.first_date, h.last_date,
                      COALESCE(h.count_total, 0)::int AS count_total,
                      COALESCE(h.count_window, 0)::int AS count_window,
                      COALESCE(h.revenue_total, 0) AS revenue_total,
                      COALESCE(h.revenue_window, 0) AS revenue_window,
                      COALESCE(h.margin_total, h.revenue_total, 0) AS clv_historical,
                      CASE WHEN h.count_total > 1
                           THEN (h.last_date - h.first_date)::float8 / (h.count_total - 1) END AS interval_days,
                      CASE WHEN h.count_total > 1
                           THEN (h.purchase_amount - h.first_amount) / (h.count_total - 1) ELSE 0 END AS repeat_spend,
                      -- a habit, as on the preference card: two purchase days at least
                      CASE WHEN h.count_total >= %(habit)s THEN h.usual_weekday::varchar END AS usual_weekday
                 FROM partners pa
                 LEFT JOIN history h ON h.partner_id = pa.partner_id""",
            daily=self._daily_sql(params, partner_ids), window_start=params['window_start'],
            partners=partners, habit=PREFERENCE_MIN_DAYS)

    def _build_history(self, params):
        """The table ``params['hist']``: the purchase history of the company's customers."""
        self.env.cr.execute(SQL("CREATE %s TABLE %s AS %s",
                                params['table_kind'], params['hist'], self._history_sql(params)))

    def _build_scores(self, params):
        """The table ``params['scores']``: the population scores of the company's customers,
        from its history table. Sets the medians in ``params``."""
        cr = self.env.cr
        company = params['company']
        cr.execute(SQL("""
            SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY revenue_window) FILTER (WHERE revenue_window > 0),
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY interval_days) FILTER (WHERE count_total > 1)
              FROM %s
        """, params['hist']))
        median_revenue, median_interval = cr.fetchone()
        params['median_revenue'] = median_revenue
        # without any repeat buyer, the scoring window stands in for the usual interval
        params['median_interval'] = median_interval or params['window_days']
        a_share, b_share = company.loyalty_abc_a_percent / 100, company.loyalty_abc_b_percent / 100
        cr.execute(SQL(
            """CREATE %(kind)s TABLE %(scores)s AS
               WITH ranked AS (
                   SELECT h.partner_id, h.count_window,
                          %(as_of)s - h.last_date AS recency_days,
                          COUNT(*) OVER () AS n,
                          RANK() OVER (ORDER BY h.last_date) + (COUNT(*) OVER (PARTITION BY h.last_date) - 1) / 2.0
                              AS r_rank,
                          -- frequency is ranked among the repeat buyers of the window
                          COUNT(*) OVER (PARTITION BY h.count_window > 1) AS n_repeat,
                          RANK() OVER (PARTITION BY h.count_window > 1 ORDER BY h.count_window)
                              + (COUNT(*) OVER (PARTITION BY h.count_window) - 1) / 2.0 AS f_rank,
                          -- spend is ranked among those who spent in the window
                          h.revenue_window > 0 AS spent,
                          COUNT(*) OVER (PARTITION BY h.revenue_window > 0) AS n_spent,
                          RANK() OVER (PARTITION BY h.revenue_window > 0 ORDER BY h.revenue_window)
                              + (COUNT(*) OVER (PARTITION BY h.revenue_window) - 1) / 2.0 AS m_rank,
                          SUM(GREATEST(h.revenue_window, 0)) OVER (
                              ORDER BY GREATEST(h.revenue_window, 0) DESC, h.partner_id
                              ROWS UNBOUNDED PRECEDING) - GREATEST(h.revenue_window, 0) AS revenue_before,
                          SUM(GREATEST(h.revenue_window, 0)) OVER () AS revenue_all
                     FROM %(hist)s h
                    WHERE h.count_total > 0
               ), scored AS (
                   SELECT partner_id, recency_days, revenue_before, revenue_all, count_window,
                          CEIL(5 * (r_rank - 0.5) / n) AS r_score,
                          -- one-time buyers are the least frequent however many they are (F = 1),
                          -- repeat buyers share F = 2 to 5 by their quartile
                          CASE WHEN count_window <= 1 THEN 1 ELSE 1 + CEIL(4 * (f_rank - 0.5) / n_repeat) END
                              AS f_score,
                          -- and no revenue in the window is the least monetary value
                          CASE WHEN NOT spent THEN 1 ELSE CEIL(5 * (m_rank - 0.5) / n_spent) END AS m_score
                     FROM ranked
               )
               SELECT h.*,
                      s.recency_days::int AS recency_days,
                      COALESCE(s.r_score, 0)::int AS r_score,
                      COALESCE(s.f_score, 0)::int AS f_score,
                      COALESCE(s.m_score, 0)::int AS m_score,
                      CASE WHEN s.partner_id IS NULL THEN NULL
                           WHEN h.revenue_window <= 0 THEN 'c'
                           WHEN s.revenue_before < %(a_share)s * s.revenue_all THEN 'a'
                           WHEN s.revenue_before < %(b_share)s * s.revenue_all THEN 'b'
                           ELSE 'c' END AS abc_class,
                      CASE WHEN s.partner_id IS NULL THEN NULL::int
                           ELSE (EXTRACT(YEAR FROM AGE(%(as_of)s, h.first_date)) * 12
                                 + EXTRACT(MONTH FROM AGE(%(as_of)s, h.first_date)))::int END AS relationship_months,
                      s.recency_days
                          / GREATEST(COALESCE(h.interval_days, %(median_interval)s), 1)::float8 AS churn_ratio,
                      COALESCE((p.satisfaction_score ->> %(key)s)::float8, 0) AS satisfaction,
                      NULL::float8 AS expected_purchases, NULL::float8 AS probability_alive,
                      NULL::float8 AS clv_predicted, NULL::float8 AS clv_predicted_low,
                      NULL::float8 AS clv_predicted_high, NULL::date AS next_purchase_date,
                      NULL::float8 AS purchase_probability_30d
                 FROM %(hist)s h
                 JOIN res_partner p ON p.id = h.partner_id
                 LEFT JOIN scored s ON s.partner_id = h.partner_id""",
            kind=params['table_kind'], scores=params['scores'], hist=params['hist'],
            as_of=params['as_of'], a_share=a_share, b_share=b_share, key=params['key'],
            median_interval=params['median_interval'],
        ))
        cr.execute(SQL(
            """ALTER TABLE %s
                 ADD COLUMN rfm_segment varchar, ADD COLUMN loyalty_segment varchar,
                 ADD COLUMN value_segment varchar, ADD COLUMN churn_risk varchar,
                 ADD PRIMARY KEY (partner_id)""", params['scores']))
        cr.execute(SQL(
            """UPDATE %(scores)s SET
                   rfm_segment = %(rfm_segment)s,
                   loyalty_segment = %(loyalty_segment)s,
                   value_segment = %(value_segment)s,
                   churn_risk = CASE
                       WHEN r_score = 0 THEN NULL
                       WHEN churn_ratio >= %(high)s THEN 'high'
                       WHEN churn_ratio >= %(medium)s THEN 'medium'
                       ELSE 'low' END
""",
            scores=params['scores'],
            rfm_segment=to_sql(segments.rfm_segment_sql(SQL("r_score"), SQL("f_score"), SQL("m_score"))),
            loyalty_segment=loyalty_segment_sql(company, SQL("satisfaction"), SQL("count_window"),
                                                SQL("r_score > 0")),
            # the median of the customers who had revenue in the window
            value_segment=to_sql(segments.value_segment_sql(
                SQL("r_score > 0"), SQL("revenue_window"), params['median_revenue'] or 0,
                SQL("relationship_months"), company.loyalty_long_relationship_months)),
            high=company.loyalty_churn_high_ratio, medium=company.loyalty_churn_medium_ratio,
        ))
        self._build_value_figures(params)

    def _build_value_figures(self, params):
        """The relationship value beside the scores, in ``params['scores']``: each referrer's
        referred customers and their revenue, the share of wallet, the revenue growth."""
        cr = self.env.cr
        company = params['company']
        scores = params['scores']
        cr.execute(SQL(
            """ALTER TABLE %s
                 ADD COLUMN referral_count int NOT NULL DEFAULT 0,
                 ADD COLUMN referral_revenue numeric NOT NULL DEFAULT 0,
                 ADD COLUMN referral_revenue_total numeric NOT NULL DEFAULT 0,
                 ADD COLUMN wallet_potential float8, ADD COLUMN wallet_category_id int,
                 ADD COLUMN wallet_share float8, ADD COLUMN wallet_low_share boolean NOT NULL DEFAULT FALSE,
                 ADD COLUMN revenue_growth float8""", scores))
        # the customers referred by each customer or one of his contacts, who bought from the company
        cr.execute(SQL(
            """UPDATE %(scores)s s
                  SET referral_count = r.customers, referral_revenue = r.revenue,
                      referral_revenue_total = r.revenue_total
                 FROM (SELECT referrer.commercial_partner_id AS partner_id, COUNT(*) AS customers,
                              SUM(h.revenue_window) AS revenue, SUM(h.revenue_total) AS revenue_total
                         FROM %(scores)s h
                         JOIN res_partner c ON c.id = h.partner_id
                         JOIN res_partner referrer ON referrer.id = c.loyalty_referred_by_id
                        WHERE h.count_total > 0 AND referrer.commercial_partner_id != h.partner_id
                        GROUP BY 1) r
                WHERE s.partner_id = r.partner_id""", scores=scores))
        # the annual wallet: the salesperson's estimate, else the largest default of the customer's tags
        cr.execute(SQL(
            """UPDATE %(scores)s s
                  SET wallet_potential = COALESCE(w.estimate, d.amount),
                      wallet_category_id = CASE WHEN w.estimate IS NULL THEN d.category_id END
                 FROM res_partner p
                 CROSS JOIN LATERAL (SELECT NULLIF((p.loyalty_wallet_estimate ->> %(key)s)::float8, 0) AS estimate) w
                 LEFT JOIN LATERAL (
                      SELECT d.category_id, d.amount FROM crm_loyalty_wallet_default d
                        JOIN res_partner_res_partner_category_rel t ON t.category_id = d.category_id
                       WHERE t.partner_id = p.id AND d.company_id = %(company)s
                       ORDER BY d.amount DESC, d.category_id LIMIT 1) d ON TRUE
                WHERE p.id = s.partner_id AND (w.estimate IS NOT NULL OR d.amount IS NOT NULL)""",
            scores=scores, key=params['key'], company=company.id))
        cr.execute(SQL(
            """UPDATE %(scores)s s
                  SET wallet_share = GREATEST(s.revenue_window, 0) * 12.0 / %(months)s / s.wallet_potential
                WHERE s.wallet_potential > 0""", scores=scores, months=company.loyalty_window_months))
        cr.execute(SQL(
            """UPDATE %(scores)s s SET wallet_low_share = TRUE
                 FROM (SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY wallet_potential) AS median
                         FROM %(scores)s WHERE wallet_potential > 0) m
                WHERE s.wallet_potential >= m.median AND s.wallet_share < %(low)s""",
            scores=scores, low=LOW_WALLET_SHARE))
        # the trend of the window revenue over the last months: this month's figure and the
        # snapshots of the months before, fitted by a line, relative to their mean
        month = params['as_of'].replace(day=1)
        cr.execute(SQL(
            """UPDATE %(scores)s s SET revenue_growth = g.growth
                 FROM (SELECT partner_id, REGR_SLOPE(revenue, months) / AVG(revenue) AS growth
                         FROM (SELECT partner_id, revenue::float8,
                                      (EXTRACT(YEAR FROM date) * 12 + EXTRACT(MONTH FROM date))::float8 AS months
                                 FROM crm_loyalty_snapshot
                                WHERE company_id = %(company)s AND date >= %(first)s AND date < %(month)s
                                UNION ALL
                               SELECT partner_id, revenue_window::float8, %(this_month)s
                                 FROM %(scores)s WHERE count_total > 0) t
                        GROUP BY partner_id
                       HAVING COUNT(*) >= 3 AND AVG(revenue) > 0) g
                WHERE s.partner_id = g.partner_id""",
            scores=scores, company=company.id, month=month,
            first=month - relativedelta(months=GROWTH_MONTHS - 1), this_month=month.year * 12 + month.month))

    def _build_preferences(self, params, partner_ids=None):
        """The preference card of the company's customers (default: all; else the commercial
        partners ``partner_ids``), from their purchase lines of the scoring window (his habits
        now), in one statement: the three products and categories bought on the most days
        (ties at the third kept), and the usual order, the set of products bought together on
        the most days (ties: the latest). A preference is a habit: each is bought on two days
        at least, so that a customer who bought once has no card (often most of them)."""
        company = params['company']
        only = SQL("AND p.partner_id = ANY(%s)", partner_ids) if partner_ids is not None else SQL()
        self.env.cr.execute(SQL(
            """WITH lines AS MATERIALIZED (
                   -- each product once a day: a product bought on a day counts once that day
                   SELECT DISTINCT l.partner_id, l.day, l.product_id, pt.categ_id
                     FROM (%(lines)s) l
                     JOIN product_product pp ON pp.id = l.product_id
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
               ), products AS (
                   -- ranked among the habits only (the same ranks: a product bought once
                   -- is never ahead of one bought twice)
                   SELECT partner_id, product_id, COUNT(*) AS days,
                          RANK() OVER (PARTITION BY partner_id ORDER BY COUNT(*) DESC) AS rank
                     FROM lines GROUP BY partner_id, product_id HAVING COUNT(*) >= %(habit)s
               ), categories AS (
                   SELECT partner_id, categ_id, COUNT(DISTINCT day) AS days,
                          RANK() OVER (PARTITION BY partner_id ORDER BY COUNT(DISTINCT day) DESC) AS rank
                     FROM lines GROUP BY partner_id, categ_id HAVING COUNT(DISTINCT day) >= %(habit)s
               ), baskets AS (
                   SELECT partner_id, basket, COUNT(*) AS days, MAX(day) AS last_day
                     FROM (SELECT partner_id, day, ARRAY_AGG(product_id ORDER BY product_id) AS basket
                             FROM lines GROUP BY partner_id, day) d
                    GROUP BY partner_id, basket
               ), usual AS (
                   SELECT DISTINCT ON (partner_id) partner_id, basket, days FROM baskets
                    WHERE days >= %(habit)s ORDER BY partner_id, days DESC, last_day DESC
               ), card AS MATERIALIZED (
                   SELECT partner_id, 'product' AS kind, product_id, NULL::int AS category_id, rank, days
                     FROM products WHERE rank <= 3
                    UNION ALL
                   SELECT partner_id, 'category', NULL, categ_id, rank, days FROM categories WHERE rank <= 3
                    UNION ALL
                   SELECT partner_id, 'basket', unnest(basket), NULL, 1, days FROM usual
               ), diff AS MATERIALIZED (
                   -- the card against the card as it was, read once, in a FULL JOIN: PostgreSQL
                   -- runs one only as a hash or merge join, never as a nested loop that rescans
                   -- one side for each row of the other (quadratic: chosen when the statistics
                   -- still see the card table empty while it holds yesterday's card)
                   SELECT c.partner_id, c.kind, c.product_id, c.category_id, c.rank, c.days,
                          p.id AS old_id, c.partner_id IS NULL AS gone
                     FROM card c
                     FULL JOIN (SELECT p.id, p.partner_id, p.kind, p.product_id, p.category_id, p.rank,
                                       p.purchase_count
                                  FROM crm_loyalty_preference p
                                 WHERE p.company_id = %(company)s %(only)s) p
                       -- equalities only, so that they hash (ids are never 0)
                       ON c.partner_id = p.partner_id AND c.kind = p.kind AND c.rank = p.rank
                      AND c.days = p.purchase_count AND COALESCE(c.product_id, 0) = COALESCE(p.product_id, 0)
                      AND COALESCE(c.category_id, 0) = COALESCE(p.category_id, 0)
               ), cleared AS (
                   -- only what changed is rewritten: most of the card stays from one night to the next
                   DELETE FROM crm_loyalty_preference WHERE id IN (SELECT old_id FROM diff WHERE gone)
               )
               INSERT INTO crm_loyalty_preference
                      (partner_id, company_id, kind, product_id, category_id, rank, purchase_count)
               SELECT partner_id, %(company)s, kind, product_id, category_id, rank, days
                 FROM diff WHERE old_id IS NULL""",
            lines=purchase_lines_sql(company, params['window_start'] + timedelta(days=1),
                                     params['as_of'] + timedelta(days=1), partners=partner_ids),
            company=company.id, only=only, habit=PREFERENCE_MIN_DAYS))
        self.env['crm.loyalty.preference'].invalidate_model()
        self.env['res.partner'].invalidate_model(PREFERENCE_CARD_FIELDS)

    def _predict_lifetime_value(self, params, refit, keep_fit=True):
        """BG/NBD + Gamma-Gamma, in days, over the scored customers of the company. A full
        recompute refits; a partial one reuses the company's last fit when there is one.
        ``keep_fit=False`` (the backfill of past months) refits without storing the fit."""
        company = params['company']
        cr = self.env.cr
        columns = self._fetch_columns(SQL(
            """SELECT partner_id, count_total - 1, last_date - first_date, %s - first_date, repeat_spend
                 FROM %s WHERE count_total > 0 ORDER BY partner_id""", params['as_of'], params['scores']))
        if columns is None:
            return
        ids, frequency, recency, age, spend = columns
        fit = company.sudo().loyalty_clv_fit or {}
        if refit or not fit.get('bgnbd'):
            bgnbd = clv.fit_bgnbd(frequency, recency, age, FIT_SAMPLE_SIZE)
            gamma = clv.fit_gamma_gamma(frequency, spend, FIT_SAMPLE_SIZE)
            fit = {
                'date': fields.Date.to_string(params['as_of']),
                'customers': len(ids),
                'repeat_customers': int(np.count_nonzero(frequency > 0)),
                'bgnbd': dict(bgnbd), 'bgnbd_fitted': bgnbd.converged, 'bgnbd_reason': bgnbd.reason,
                'gamma_gamma': dict(gamma), 'gamma_gamma_fitted': gamma.converged,
                'gamma_gamma_reason': gamma.reason,
                # kept so that a partial recompute, which reuses the fit, gives ranges too
                'bgnbd_covariance': bgnbd.covariance, 'gamma_gamma_covariance': gamma.covariance,
                'median_revenue': params.get('median_revenue'),
                'median_interval': params.get('median_interval'),
            }
            if not (bgnbd.converged and gamma.converged):
                _logger.warning("Lifetime value of %s uses the baseline: %s", company.name,
                                "; ".join(r for r in (bgnbd.reason, gamma.reason) if r))
            if keep_fit:
                company.sudo().loyalty_clv_fit = fit
        horizon = company.loyalty_clv_horizon_months * DAYS_PER_MONTH
        alive = clv.probability_alive(fit['bgnbd'], frequency, recency, age)
        purchases = clv.expected_purchases(fit['bgnbd'], horizon, frequency, recency, age)
        value = purchases * clv.expected_spend(fit['gamma_gamma'], frequency, spend)
        # NaN (no range: a baseline, or a fit stored without covariance) is stored NULL
        low, high = clv.value_range(fit['bgnbd'], fit.get('bgnbd_covariance'), fit['gamma_gamma'],
                                    fit.get('gamma_gamma_covariance'), horizon, frequency, recency, age, spend)
        soon = clv.probability_purchase_within(fit['bgnbd'], NEXT_PURCHASE_DAYS, frequency, recency, age)
        # the median wait of a customer still active, in whole days from as of
        wait = np.ceil(clv.time_to_next_purchase(fit['bgnbd'], frequency, age))
        # never a NaN in the database: a value out of numerical reach becomes 0 (no date);
        # a range out of reach (NaN) is stored NULL
        alive, purchases, value, soon = (np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
                                         for a in (alive, purchases, value, soon))
        wait = np.where(np.isfinite(wait) & (wait < 36525), wait, -1)
        buffer = io.BytesIO()
        np.savetxt(buffer, np.column_stack([ids, alive, purchases, value, low, high, soon, wait]),
                   fmt=['%d', '%.4f', '%.4f', '%.2f', '%.2f', '%.2f', '%.4f', '%d'], delimiter='\t')
        buffer.seek(0)
        cr.execute("""CREATE TEMP TABLE crm_loyalty_predictions (
                          id int, alive float8, purchases float8, value float8, low float8, high float8,
                          soon float8, wait int) ON COMMIT DROP""")
        cr.copy_expert("COPY crm_loyalty_predictions FROM STDIN", buffer)
        cr.execute(SQL(
            """UPDATE %s s
                  SET probability_alive = v.alive, expected_purchases = v.purchases, clv_predicted = v.value,
                      clv_predicted_low = NULLIF(v.low, 'NaN'), clv_predicted_high = NULLIF(v.high, 'NaN'),
                      purchase_probability_30d = v.soon,
                      next_purchase_date = CASE WHEN v.wait >= 0 THEN %s::date + v.wait END
                 FROM crm_loyalty_predictions v
                WHERE s.partner_id = v.id""", params['scores'], params['as_of']))
        cr.execute("DROP TABLE crm_loyalty_predictions")

    def _fetch_columns(self, query):
        """The columns of ``query`` (an SQL of numbers, none NULL) as float64 arrays, or None
        without any row. Through COPY: a million rows cost tens of MB, where Python tuples
        would cost hundreds."""
        buffer = io.BytesIO()
        copy = SQL("COPY (%s) TO STDOUT", query)
        self.env.cr.copy_expert(self.env.cr.mogrify(copy.code, copy.params).decode(), buffer)
        if not buffer.tell():
            return None
        buffer.seek(0)
        return np.loadtxt(buffer, delimiter='\t', ndmin=2, dtype=float).T

    def _backtest(self, company, as_of):
        """Fit the models on the company's history up to a calibration day (the lifetime
        value horizon before ``as_of``, at least 26 weeks) and compare what they predicted
        for the days since with what each customer really bought (``lib.clv.backtest``).
        Stored on the company (``loyalty_clv_backtest``); returns it, or False without any
        customer of the calibration period."""
        holdout = max(round(company.loyalty_clv_horizon_months * DAYS_PER_MONTH), BACKTEST_MIN_HOLDOUT_DAYS)
        calibration_end = as_of - timedelta(days=holdout)
        params = self._params(company, as_of)
        self.env.flush_all()
        columns = self._fetch_columns(SQL(
            """WITH daily AS (%(daily)s), calibration AS (
                   SELECT partner_id,
                          MIN(day) FILTER (WHERE is_purchase AND day <= %(end)s) AS first_day,
                          MAX(day) FILTER (WHERE is_purchase AND day <= %(end)s) AS last_day,
                          COUNT(*) FILTER (WHERE is_purchase AND day <= %(end)s) AS purchases,
                          SUM(GREATEST(amount, 0)) FILTER (WHERE is_purchase AND day <= %(end)s) AS spent,
                          (ARRAY_AGG(GREATEST(amount, 0) ORDER BY day)
                               FILTER (WHERE is_purchase AND day <= %(end)s))[1] AS first_spent,
                          COUNT(*) FILTER (WHERE is_purchase AND day > %(end)s) AS holdout_purchases,
                          COALESCE(SUM(amount) FILTER (WHERE day > %(end)s), 0) AS holdout_revenue
                     FROM daily
                    GROUP BY partner_id
               )
               SELECT purchases - 1, last_day - first_day, %(end)s - first_day,
                      CASE WHEN purchases > 1 THEN (spent - first_spent) / (purchases - 1) ELSE 0 END,
                      holdout_purchases, holdout_revenue
                 FROM calibration
                WHERE first_day IS NOT NULL""",
            daily=self._daily_sql(params), end=calibration_end))
        if columns is None:
            company.sudo().loyalty_clv_backtest = False
            return False
        frequency, recency, age, spend, actual, revenue = columns
        result = clv.backtest(frequency, recency, age, holdout, actual, spend, revenue, sample_size=FIT_SAMPLE_SIZE)
        result.update({'date': fields.Date.to_string(as_of), 'calibration_end': fields.Date.to_string(calibration_end)})
        company.sudo().loyalty_clv_backtest = result
        return result

    def _decision_sql(self, params, source, partial):
        """SELECT, from ``source`` (aliased ``s``, with the history columns), of each
        partner's new values: history, tier decision and (unless ``partial``) scores."""
        company = params['company']
        metric = {
            'revenue': SQL("s.revenue_window"),
            'revenue_total': SQL("s.revenue_total"),
            'purchase_count': SQL("s.count_window"),
        }[company.loyalty_tier_basis]
        key = params['key']

        def current(column, cast):
            return SQL("(p.%s ->> %s)::%s", SQL.identifier(column), key, SQL(cast))

        return SQL(
            """SELECT s.*, %(as_of)s::date AS scored_on, %(metric)s AS metric,
                      ct.id AS computed_tier_id, oa.id AS old_tier_id, dt.id AS new_tier_id,
                      CASE WHEN ov.active THEN NULL
                           WHEN dt.id = ot.id AND (ct.id IS NULL OR ct.min_value < ot.min_value)
                           THEN COALESCE(d.old_below, %(as_of)s) END AS new_below_since,
                      CASE WHEN ov.expired THEN NULL ELSE d.override_id END AS new_override_id,
                      CASE WHEN ov.expired THEN NULL ELSE d.override_reason END AS new_override_reason,
                      CASE WHEN ov.expired THEN NULL ELSE d.override_until END AS new_override_until,
                      CASE WHEN d.level_manual THEN d.old_level
                           ELSE COALESCE(dt.relationship_level, CASE WHEN s.count_total > 0 THEN 'basic' END)
                      END AS new_relationship_level,
                      CASE WHEN ov.active THEN 'override'
                           WHEN ov.expired THEN 'override_end'
                           WHEN dt.min_value > ot.min_value OR ot.id IS NULL THEN 'up'
                           ELSE 'down' END AS change_kind,
                      ov.active AS manual
                 FROM %(source)s
                 JOIN res_partner p ON p.id = s.partner_id
                 CROSS JOIN LATERAL (SELECT
                      %(old_tier)s AS old_tier_id, %(old_below)s AS old_below,
                      %(override_id)s AS override_id, %(override_reason)s AS override_reason,
                      %(override_until)s AS override_until,
                      %(old_level)s AS old_level, COALESCE(%(level_manual)s, FALSE) AS level_manual) d
                 CROSS JOIN LATERAL (SELECT
                      d.override_id IS NOT NULL
                          AND (d.override_until IS NULL OR d.override_until >= %(as_of)s) AS active,
                      d.override_id IS NOT NULL AND d.override_until < %(as_of)s AS expired) ov
                 LEFT JOIN crm_loyalty_tier oa ON oa.id = d.old_tier_id
                 LEFT JOIN crm_loyalty_tier ot ON ot.id = oa.id AND ot.active
                 LEFT JOIN LATERAL (
                      SELECT t.id, t.min_value FROM crm_loyalty_tier t
                       WHERE t.company_id = %(company)s AND t.active AND t.min_value <= %(metric)s
                       ORDER BY t.min_value DESC LIMIT 1) ct ON TRUE
                 LEFT JOIN crm_loyalty_tier dt ON dt.id = CASE
                      WHEN ov.active THEN d.override_id
                      WHEN ov.expired OR ot.id IS NULL THEN ct.id
                      WHEN ct.min_value >= ot.min_value THEN ct.id
                      WHEN %(grace)s = 0 OR %(as_of)s - d.old_below >= %(grace)s THEN ct.id
                      ELSE ot.id END""",
            as_of=params['as_of'], metric=metric, source=source, company=company.id,
            grace=company.loyalty_tier_grace_days,
            old_tier=current('loyalty_tier_id', 'int'), old_below=current('loyalty_tier_below_since', 'date'),
            override_id=current('loyalty_tier_override_id', 'int'),
            override_reason=current('loyalty_tier_override_reason', 'varchar'),
            override_until=current('loyalty_tier_override_until', 'date'),
            old_level=current('relationship_level', 'varchar'),
            level_manual=current('relationship_level_manual', 'boolean'),
        )

    def _insert_history_sql(self, params, table):
        return SQL(
            """INSERT INTO crm_loyalty_tier_history
                      (partner_id, company_id, from_tier_id, to_tier_id, date, manual, reason_code, reason, direction,
                       user_id, create_uid, create_date, write_uid, write_date)
               SELECT b.partner_id, %(company)s, b.old_tier_id, b.new_tier_id, %(as_of)s, b.manual,
                      b.change_kind, CASE b.change_kind WHEN 'override' THEN b.new_override_reason END,
                      %(direction)s,
                      %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                 FROM %(table)s b
                 LEFT JOIN crm_loyalty_tier ft ON ft.id = b.old_tier_id
                 LEFT JOIN crm_loyalty_tier nt ON nt.id = b.new_tier_id
                WHERE b.new_tier_id IS DISTINCT FROM b.old_tier_id
               RETURNING partner_id""",
            company=params['company'].id, as_of=params['as_of'], table=SQL.identifier(table),
            uid=params['uid'],
            direction=to_sql(segments.level_direction_sql(SQL("ft.min_value"), SQL("nt.min_value"))))

    def _insert_message_sql(self, params, table):
        """A note in each partner's chatter whose tier changed (no notification is sent)."""
        def tier_name(alias):
            name = SQL("COALESCE(%s.name ->> %s, %s.name ->> 'en_US')", SQL(alias), params['lang'], SQL(alias))
            return SQL("replace(replace(replace(%s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')", name)
        env = self.with_context(lang=params['lang']).env
        template = Markup("<p>%s</p>") % env._("Loyalty tier: %(from)s → %(to)s", **{'from': '%1$s', 'to': '%2$s'})
        return SQL(
            """INSERT INTO mail_message
                      (model, res_id, message_type, subtype_id, body, author_id, date, is_internal,
                       create_uid, create_date, write_uid, write_date)
               SELECT 'res.partner', b.partner_id, 'notification', %(subtype)s,
                      FORMAT(%(template)s, COALESCE(%(old)s, %(none)s), COALESCE(%(new)s, %(none)s)),
                      %(author)s, NOW() AT TIME ZONE 'UTC', TRUE,
                      %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                 FROM %(table)s b
                 LEFT JOIN crm_loyalty_tier ft ON ft.id = b.old_tier_id
                 LEFT JOIN crm_loyalty_tier nt ON nt.id = b.new_tier_id
                WHERE b.new_tier_id IS DISTINCT FROM b.old_tier_id""",
            subtype=self.env['ir.model.data']._xmlid_to_res_id('mail.mt_note'),
            template=str(template), old=tier_name('ft'), new=tier_name('nt'), none=env._("no tier"),
            author=params['author_id'], uid=params['uid'], table=SQL.identifier(table))

    def _update_partners_sql(self, params, table, field_names):
        """One UPDATE of the commercial partners and their contacts from ``table``."""
        mapping = {**HISTORY_FIELDS, **TIER_FIELDS, **SCORE_FIELDS, **VALUE_FIELDS}
        assignments = [
            SQL("%(col)s = COALESCE(p.%(col)s, '{}'::jsonb) || jsonb_build_object(%(key)s, b.%(value)s)",
                col=SQL.identifier(name), key=params['key'], value=SQL.identifier(mapping[name]))
            for name in field_names
        ]
        if 'loyalty_scored_date' not in field_names:
            # the hook marks the partner as known to the engine of this company
            assignments.append(SQL(
                "loyalty_scored_date = COALESCE(p.loyalty_scored_date, '{}'::jsonb) "
                "|| jsonb_build_object(%s, COALESCE(p.loyalty_scored_date -> %s, 'null'::jsonb))",
                params['key'], params['key']))
        return SQL(
            """UPDATE res_partner p SET %(assignments)s
                 FROM %(table)s b
                WHERE p.commercial_partner_id = b.partner_id""",
            assignments=SQL(", ").join(assignments), table=SQL.identifier(table))

    def _snapshot_sql(self, params, tier='new_tier_id', keep_existing=False):
        """The month's snapshot of each customer of ``crm_loyalty_batch`` who ever bought,
        with his tier from its column ``tier``. The nightly run updates the month's rows;
        ``keep_existing`` (the backfill of past months) leaves a row already there as it is."""
        month = params['as_of'].replace(day=1)
        insert = SQL(
            """INSERT INTO crm_loyalty_snapshot
                      (partner_id, company_id, date, tier_id, rfm_segment, abc_class, value_segment,
                       churn_risk, revenue, purchase_count, clv_predicted,
                       create_uid, create_date, write_uid, write_date)
               SELECT b.partner_id, %(company)s, %(month)s, b.%(tier)s, b.rfm_segment, b.abc_class,
                      b.value_segment, b.churn_risk, b.revenue_window, b.count_window, b.clv_predicted,
                      %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                 FROM crm_loyalty_batch b
                WHERE b.count_total > 0""",
            company=params['company'].id, month=month, uid=params['uid'], tier=SQL.identifier(tier))
        if keep_existing:
            return SQL("%s ON CONFLICT (partner_id, company_id, date) DO NOTHING", insert)
        return SQL(
            """%(insert)s
               ON CONFLICT (partner_id, company_id, date) DO UPDATE SET
                      tier_id = EXCLUDED.tier_id, rfm_segment = EXCLUDED.rfm_segment,
                      abc_class = EXCLUDED.abc_class, value_segment = EXCLUDED.value_segment,
                      churn_risk = EXCLUDED.churn_risk, revenue = EXCLUDED.revenue,
                      purchase_count = EXCLUDED.purchase_count, clv_predicted = EXCLUDED.clv_predicted,
                      write_date = EXCLUDED.write_date
                WHERE (crm_loyalty_snapshot.tier_id, crm_loyalty_snapshot.rfm_segment, crm_loyalty_snapshot.abc_class,
                       crm_loyalty_snapshot.value_segment, crm_loyalty_snapshot.churn_risk,
                       crm_loyalty_snapshot.revenue, crm_loyalty_snapshot.purchase_count,
                       crm_loyalty_snapshot.clv_predicted)
                      IS DISTINCT FROM
                      (EXCLUDED.tier_id, EXCLUDED.rfm_segment, EXCLUDED.abc_class, EXCLUDED.value_segment,
                       EXCLUDED.churn_risk, EXCLUDED.revenue, EXCLUDED.purchase_count, EXCLUDED.clv_predicted)""",
            insert=insert)

    def _invalidate(self):
        self.env['res.partner'].invalidate_model(WRITTEN_FIELDS)
        self.env['crm.loyalty.tier.history'].invalidate_model()
        self.env['crm.loyalty.snapshot'].invalidate_model()
        self.env['mail.message'].invalidate_model()
        self.env['res.partner'].invalidate_model(['loyalty_tier_history_ids', 'message_ids'])

