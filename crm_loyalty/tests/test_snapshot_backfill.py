"""The monthly snapshots of past months, built from the sales history (on install, or
Build Past Snapshots): what the nightly run would have written on each month's last day."""
from datetime import datetime, time, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models import crm_loyalty_engine
from ..models.crm_loyalty_engine import BACKFILL_CRON, WRITTEN_FIELDS, month_end
from ..models.local_day import company_today
from .common import LoyaltyCase

SNAPSHOT_FIELDS = ['partner_id', 'date', 'tier_id', 'rfm_segment', 'abc_class', 'value_segment', 'churn_risk',
                   'revenue', 'purchase_count', 'clv_predicted']


@tagged('post_install', '-at_install')
class TestSnapshotBackfill(LoyaltyCase):
    """A company of Shanghai that rebuilds 4 past months (M-4 to M-1, M being this month),
    tiers Silver (300) and Gold (800):

    - A bought 200 in M-5, 500 at 23:30 on M-3's last day and 100 at 00:30 on M-1's first
      day (Shanghai time: 15:30 and 16:30 UTC the day before);
    - B bought 900 at 00:10 on M-3's first day (Shanghai), 50 in M-1;
    - C bought 100 thirteen months ago and 300 in M-4; D 150 in M-2;
    - E bought only this month; F's only order is cancelled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = 'Asia/Shanghai'
        cls.company.loyalty_snapshot_backfill_months = 4
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)
        cls.this_month = company_today(cls.company).replace(day=1)
        cls.month_ends = [month_end(cls._month(k)) for k in (4, 3, 2, 1)]
        names = 'ABCDEF'
        cls.a, cls.b, cls.c, cls.d, cls.e, cls.f = (cls._create_customer(f'Customer {n}') for n in names)
        cls.customers = cls.a | cls.b | cls.c | cls.d | cls.e | cls.f
        cls._order(cls.a, 200, cls._month(5, 10))
        cls._order_at(cls.a, 500, datetime.combine(month_end(cls._month(3)), time(15, 30)))
        cls._order_at(cls.a, 100, datetime.combine(month_end(cls._month(2)), time(16, 30)))
        cls._order_at(cls.b, 900, datetime.combine(month_end(cls._month(4)), time(16, 10)))
        cls._order(cls.b, 50, cls._month(1, 15))
        cls._order(cls.c, 100, cls._month(13, 20))
        cls._order(cls.c, 300, cls._month(4, 5))
        cls._order(cls.d, 150, cls._month(2, 2))
        cls._order(cls.e, 80, company_today(cls.company))
        cls._order(cls.f, 999, cls._month(3, 3), state='cancel')
        # the backfill the install queued is not this test's
        cls.Position = cls.env['crm.loyalty.cron.position']
        cls.Position._positions(BACKFILL_CRON).unlink()
        cls.engine = cls.env['crm.loyalty.engine']

    @classmethod
    def _month(cls, months_ago, day=1):
        return (cls.this_month - relativedelta(months=months_ago)).replace(day=day)

    @classmethod
    def _order_at(cls, partner, amount, moment):
        """An order confirmed at ``moment`` (a naive UTC datetime)."""
        order = cls._order(partner, amount, moment.date())
        order.date_order = moment
        return order

    def _snapshots(self):
        """The snapshots of the customers, as plain values, by month and customer."""
        self.env.invalidate_all()
        snapshots = self.env['crm.loyalty.snapshot'].search(
            [('partner_id', 'in', self.customers.ids), ('company_id', '=', self.company.id)],
            order='date, partner_id')
        return [tuple(row[name][0] if isinstance(row[name], tuple) else row[name] for name in SNAPSHOT_FIELDS)
                for row in snapshots.read(SNAPSHOT_FIELDS)]


    def _backfill(self):
        """The whole backfill in one call, as the demo data does it."""
        self.engine._start_backfill(self.company, trigger=False)
        return self.engine._backfill_steps()

    def _reference(self):
        with self._trial():
            self.assertEqual(self._backfill(), (4, 0))
            reference = self._snapshots()
        return reference

    def test_a_past_month_is_the_engine_run_on_its_last_day(self):
        engine_runs = []
        for day in self.month_ends:
            with self._trial():
                self.engine._recompute(as_of=day)
                engine_runs += [row for row in self._snapshots() if row[1] == day.replace(day=1)]
        self.assertEqual(self._backfill(), (4, 0))
        snapshots = self._snapshots()
        self.assertEqual(snapshots, engine_runs)
        # the hand-checked figures: the days are Shanghai's
        by_month = {(row[0], row[1]): row for row in snapshots}
        m4, m3, m2, m1 = (day.replace(day=1) for day in self.month_ends)
        self.assertEqual([by_month[self.a.id, m][7] for m in (m4, m3, m2, m1)], [200, 700, 700, 800])
        self.assertEqual([by_month[self.a.id, m][2] for m in (m4, m3, m2, m1)],
                         [False, self.silver.id, self.silver.id, self.gold.id])
        self.assertNotIn((self.b.id, m4), by_month, "B's first order is on M-3's first day in Shanghai")
        self.assertEqual(by_month[self.b.id, m3][2], self.gold.id)
        self.assertEqual(by_month[self.c.id, m4][7:9], (400, 2))
        self.assertNotIn((self.d.id, m3), by_month)
        self.assertFalse([row for row in snapshots if row[0] in (self.e | self.f).ids])
        self.assertEqual(len(snapshots), 2 + 3 + 4 + 4)

    def test_the_job_works_in_steps_and_reports_its_progress(self):
        reference = self._reference()
        self.engine._start_backfill(self.company)
        self.assertTrue(self._triggers(BACKFILL_CRON), "the job is asked to run")
        # a step budget of nothing: one month per call
        with patch.object(crm_loyalty_engine, 'step_seconds', lambda: 0):
            progress = self._cron_calls(BACKFILL_CRON, '_cron_backfill_snapshots', 5)
        self.assertEqual(progress, [(1, 3), (1, 2), (1, 1), (1, 0), (0, 0)])
        self.assertEqual(self._snapshots(), reference)
        self.assertFalse(self.Position._positions(BACKFILL_CRON), "a company done loses its position")

    def test_an_interrupted_step_done_again_writes_nothing_twice(self):
        reference = self._reference()
        self.engine._start_backfill(self.company, trigger=False)
        position = self.Position._positions(BACKFILL_CRON)
        first = position.as_of
        with patch.object(crm_loyalty_engine, 'step_seconds', lambda: 0):
            self._cron_calls(BACKFILL_CRON, '_cron_backfill_snapshots', 1)
            with self._interrupted():
                self._cron_calls(BACKFILL_CRON, '_cron_backfill_snapshots', 1)
            self.assertEqual(position.as_of, month_end(first + timedelta(days=1)), "the killed month is lost alone")
            self._cron_calls(BACKFILL_CRON, '_cron_backfill_snapshots', 4)
        self.assertEqual(self._snapshots(), reference)
        # started over (the button pressed again): the months already there are kept
        self.assertEqual(self._backfill(), (4, 0))
        self.assertEqual(self._snapshots(), reference)

    def test_a_spent_window_leaves_the_months_to_a_new_call(self):
        self.engine._start_backfill(self.company, trigger=False)
        self._spend_the_window()
        self.assertEqual(self._cron_calls(BACKFILL_CRON, '_cron_backfill_snapshots', 1), [(0, 4)])
        self.assertFalse(self._snapshots())
        self.assertTrue(self._triggers(BACKFILL_CRON), "a new call is asked for, in a new window")

    def test_existing_snapshots_are_kept(self):
        month = self.month_ends[1].replace(day=1)
        kept = self.env['crm.loyalty.snapshot'].create({
            'partner_id': self.a.id, 'company_id': self.company.id, 'date': month,
            'tier_id': self.gold.id, 'rfm_segment': 'champions', 'revenue': 1234, 'purchase_count': 9})
        self._backfill()
        rows = {(row[0], row[1]): row for row in self._snapshots()}
        self.assertEqual(rows[self.a.id, month], (self.a.id, month, self.gold.id, 'champions', False, False,
                                                  False, 1234, 9, 0))
        self.assertEqual(kept.revenue, 1234)
        self.assertIn((self.b.id, month), rows, "the other customers of the month are written")

    def test_only_snapshots_are_written(self):
        self.env.invalidate_all()
        partners = self.customers.with_context(allowed_company_ids=self.company.ids)
        before = partners.read(WRITTEN_FIELDS)
        fit = self.company.loyalty_clv_fit
        messages = self.env['mail.message'].search_count([('model', '=', 'res.partner'),
                                                          ('res_id', 'in', self.customers.ids)])
        self._backfill()
        self.env.invalidate_all()
        self.assertEqual(partners.read(WRITTEN_FIELDS), before)
        self.assertEqual(self.company.loyalty_clv_fit, fit)
        self.assertFalse(self.env['crm.loyalty.tier.history'].search([('partner_id', 'in', self.customers.ids)]))
        self.assertEqual(self.env['mail.message'].search_count([('model', '=', 'res.partner'),
                                                                ('res_id', 'in', self.customers.ids)]), messages)

    def test_only_loyalty_administrators_build_past_snapshots(self):
        user = self.env['res.users'].create({
            'name': 'Li Na', 'login': 'li.na.backfill', 'company_id': self.company.id,
            'company_ids': [(6, 0, self.company.ids)],
            'groups_id': [(6, 0, [self.env.ref('base.group_user').id,
                                  self.env.ref('crm_loyalty.group_loyalty_user').id])]})
        settings = self.env['res.config.settings'].create({})
        triggers = len(self._triggers(BACKFILL_CRON))
        with self.assertRaises(AccessError):
            settings.with_user(user).action_loyalty_backfill()
        self.assertFalse(self.Position._positions(BACKFILL_CRON))
        self.assertEqual(len(self._triggers(BACKFILL_CRON)), triggers)
        user.groups_id = [(4, self.env.ref('crm_loyalty.group_loyalty_manager').id)]
        settings.with_user(user).action_loyalty_backfill()
        position = self.Position._positions(BACKFILL_CRON)
        self.assertEqual((position.company_id, position.as_of), (self.company, self.month_ends[0]))
        self.assertEqual(len(self._triggers(BACKFILL_CRON)), triggers + 1)
