"""The engine's recompute as a run of steps, as the nightly job does it on a production
server: each step in its own transaction, a killed step lost alone, the next call
continuing where the last committed step stopped."""
import time
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from ..models import crm_loyalty_engine, cron_step
from ..models.crm_loyalty_engine import WRITTEN_FIELDS
from ..models.local_day import company_today
from .common import LoyaltyCase

STEPS = ['history', 'scores', 'predict', 'backtest', 'write', 'write', 'write', 'write']


class Killed(Exception):
    """A worker killed in the middle of a step."""


@tagged('post_install', '-at_install')
class TestRunInSteps(LoyaltyCase):
    """Ten customers: customer i bought i times, a week apart, last (11 - i) * 5 days
    before AS_OF, 100 each time (so his R, F and M rank i); tiers Silver (300) and Gold
    (800); customer 10 has a contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)
        cls.customers = cls.env['res.partner']
        for i in range(1, 11):
            customer = cls._create_customer(f'Customer {i:02d}')
            for k in range(i):
                cls._order(customer, 100, (11 - i) * 5 + 7 * k)
            cls.customers |= customer
        cls.contact = cls.env['res.partner'].create({'name': 'Wang Fang', 'parent_id': cls.customers[9].id})
        cls.Run = cls.env['crm.loyalty.engine.run']
        # batches of three customers: four batches for ten
        cls.engine = cls.env['crm.loyalty.engine'].with_context(crm_loyalty_batch_size=3)

    def _figures(self):
        """Everything a recompute writes about these customers, as plain values."""
        self.env.invalidate_all()
        partners = self.customers | self.contact
        history = self.env['crm.loyalty.tier.history'].search([('partner_id', 'in', partners.ids)], order='id')
        snapshots = self.env['crm.loyalty.snapshot'].search([('partner_id', 'in', partners.ids)], order='id')
        return {
            'partners': partners.read(WRITTEN_FIELDS),
            'tier_history': [(h.partner_id.id, h.from_tier_id.id, h.to_tier_id.id, h.date, h.reason) for h in history],
            'snapshots': [(s.partner_id.id, s.date, s.tier_id.id, s.rfm_segment, s.revenue, s.clv_predicted)
                          for s in snapshots],
            'tier_notes': self.env['mail.message'].search_count([
                ('model', '=', 'res.partner'), ('res_id', 'in', partners.ids), ('body', 'ilike', 'Loyalty tier')]),
            'fit': self.company.loyalty_clv_fit,
            'backtest': self.company.loyalty_clv_backtest,
        }


    def _steps(self, run, count=None):
        """Do ``count`` steps of ``run`` (all of them by default); returns their phases."""
        phases = []
        while run.phase != 'done' and (count is None or len(phases) < count):
            phases.append(run.phase)
            self.engine._step(run)
        return phases

    def _reference(self):
        with self._trial():
            run = self.Run._restart(self.company, self.AS_OF)
            self.assertEqual(self._steps(run), STEPS)
            self.assertEqual((run.customers, run.written, run.steps), (10, 10, 8))
            reference = self._figures()
            self.assertFalse(run._tables_exist(), "a finished run drops its tables")
        return reference

    def test_a_run_interrupted_after_any_step_gives_the_figures_of_one_run(self):
        reference = self._reference()
        # the hand-checked figures: ranks in fifths, tiers by revenue in the window
        partners = reference['partners']
        self.assertEqual([p['rfm_r_score'] for p in partners[:10]], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        self.assertEqual([p['loyalty_tier_id'] and p['loyalty_tier_id'][0] for p in partners[:10]],
                         [False, False] + [self.silver.id] * 5 + [self.gold.id] * 3)
        self.assertEqual(partners[10]['loyalty_tier_id'][0], self.gold.id, "the contact has his company's tier")
        self.assertEqual(len(reference['tier_history']), 8)
        self.assertEqual(len(reference['snapshots']), 10)
        for done in range(1, len(STEPS)):
            with self.subTest(interrupted_after=STEPS[done - 1], step=done), self._trial():
                run = self.Run._restart(self.company, self.AS_OF)
                self._steps(run, done)
                # a new call, in any worker: nothing kept in memory but what was committed
                self.env.invalidate_all()
                run = self.Run.browse(run.id)
                self.assertEqual(self._steps(run), STEPS[done:])
                self.assertEqual(self._figures(), reference)

    def test_a_step_killed_half_way_is_done_again_and_nothing_twice(self):
        reference = self._reference()
        for done in range(len(STEPS)):
            with self.subTest(killed=STEPS[done], step=done + 1), self._trial():
                run = self.Run._restart(self.company, self.AS_OF)
                self._steps(run, done)
                state = run.read(['phase', 'written', 'next_partner_id'])
                # the worker dies after the step's work, before its commit: all of it undone
                with self.assertRaises(Killed), self.env.cr.savepoint():
                    self.engine._step(run)
                    raise Killed
                self.env.invalidate_all()
                self.assertEqual(run.read(['phase', 'written', 'next_partner_id']), state)
                self._steps(run)
                self.assertEqual(self._figures(), reference)

    def test_the_nightly_job_works_in_steps_and_reports_its_progress(self):
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        progress = []
        # a step budget of nothing: one step per call
        with patch.object(crm_loyalty_engine, 'step_seconds', lambda: 0):
            for _call in range(10):
                cron, call = cron._add_progress()
                self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
                progress.append((call.done, call.remaining))
                if not call.remaining:
                    break
        # history, scores, predictions and backtest count one each; then the customers
        self.assertEqual(progress, [(1, 4), (1, 12), (1, 11), (1, 10), (3, 7), (3, 4), (3, 1), (1, 0)])
        run = self.Run.search([('company_id', '=', self.company.id)])
        self.assertEqual((run.as_of, run.phase, run.written), (company_today(self.company), 'done', 10))
        self.assertTrue(self.customers[9].with_context(allowed_company_ids=self.company.ids).rfm_segment)
        # the day's run is done: the job has nothing left to do until tomorrow
        cron, call = cron._add_progress()
        self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
        self.assertEqual((call.done, call.remaining, run.steps), (0, 0, 8))

    def test_a_spent_window_leaves_the_rest_to_a_new_call(self):
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)])
        # Odoo has run jobs on this cursor for longer than half the cron's time limit
        setattr(self.env.cr, cron_step.WINDOW_START, time.monotonic() - 10 * cron_step.cron_time_limit())
        self.addCleanup(delattr, self.env.cr, cron_step.WINDOW_START)
        cron, call = cron._add_progress()
        self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
        self.assertEqual((call.done, call.remaining), (0, 1), "nothing done; the rest is left")
        self.assertFalse(self.Run.search([('company_id', '=', self.company.id)]).steps)
        self.assertEqual(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]), triggers + 1,
                         "a new call is asked for, in a new window")

    def test_a_new_day_starts_a_new_run(self):
        today = company_today(self.company)
        yesterday = self.Run._restart(self.company, today - timedelta(days=1))
        self._steps(yesterday, 2)       # the cron was stopped in the middle of yesterday's run
        self.assertTrue(yesterday._tables_exist())
        self.engine._cron_recompute()
        self.assertFalse(yesterday.exists(), "an unfinished run of another day is dropped")
        self.assertFalse(yesterday._tables_exist())
        run = self.Run.search([('company_id', '=', self.company.id)])
        self.assertEqual((run.as_of, run.phase), (today, 'done'))

    def test_recompute_now_starts_the_days_run_again(self):
        run = self.Run._restart(self.company, company_today(self.company))
        self._steps(run)
        self.env['res.config.settings'].create({}).action_loyalty_recompute()
        self.assertEqual((run.phase, run.written, run.steps), ('history', 0, 0))
        self.engine._cron_recompute()
        self.assertEqual((run.phase, run.written), ('done', 10))

    def test_a_population_step_only_starts_a_window_and_a_batch_where_it_fits(self):
        """A cron worker's limit also counts its sleep before the job: a step over the whole
        population waits for a call that starts a window; a batch runs if the last batch's
        time still fits in what is left of the window."""
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        run = self.Run._restart(self.company, company_today(self.company))
        # Odoo already ran other jobs for a few seconds in this window
        setattr(self.env.cr, cron_step.WINDOW_START, time.monotonic() - 5)
        self.addCleanup(delattr, self.env.cr, cron_step.WINDOW_START)
        cron, call = cron._add_progress()
        self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
        self.assertEqual((call.done, run.phase, run.steps), (0, 'history', 0), "left to a new window")
        # the population steps done, the last batch took 3 s: one that would end past the
        # window's budget waits for a new window
        self._steps(run, 4)
        run.batch_seconds = 3
        budget = cron_step.window_budget()
        setattr(self.env.cr, cron_step.WINDOW_START, time.monotonic() - (budget - 2))
        cron, call = cron._add_progress()
        self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
        self.assertEqual((call.done, call.remaining, run.written), (0, 10, 0))
        # with room left, the batches run (each taking a moment here)
        setattr(self.env.cr, cron_step.WINDOW_START, time.monotonic() - (budget - 10))
        cron, call = cron._add_progress()
        self.engine.with_context(ir_cron_progress_id=call.id)._cron_recompute()
        self.assertEqual((call.done, call.remaining, run.phase), (10, 0, 'done'))
