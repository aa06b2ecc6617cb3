"""Retention by cohort: customers by month of first purchase, followed month by month."""
from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from ..models.local_day import company_today
from .common import LoyaltyCase, LoyaltyTourCase


@tagged('post_install', '-at_install')
class TestRetentionByCohort(LoyaltyCase):
    """This month M, and the two before:

    - P1 first bought 100 in M-2, bought 50 in M-1;
    - P2 first bought 200 in M-2, bought 30 in M;
    - P3 first bought in M-1 (two orders of 80 and 20 that day: one purchase), bought 10 in M;
    - P4's order of M-2 is cancelled: he first bought (40) in M;
    - P5 only has a free order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = company_today(cls.company)
        cls.months = [today.replace(day=1) - relativedelta(months=k) for k in (2, 1, 0)]
        m2, m1, m0 = cls.months
        cls.p1, cls.p2, cls.p3, cls.p4, cls.p5 = (cls._create_customer(f'Cohort P{i}') for i in range(1, 6))
        cls._order(cls.p1, 100, m2.replace(day=3))
        cls._order(cls.p1, 50, m1.replace(day=9))
        cls._order(cls.p2, 200, m2.replace(day=15))
        cls._order(cls.p2, 30, today)
        cls._order(cls.p3, 80, m1.replace(day=20))
        cls._order(cls.p3, 20, m1.replace(day=20))
        cls._order(cls.p3, 10, today)
        cls._order(cls.p4, 500, m2.replace(day=4), state='cancel')
        cls._order(cls.p4, 40, today)
        cls._order(cls.p5, 0, m1.replace(day=2))
        cls.partners = cls.p1 | cls.p2 | cls.p3 | cls.p4 | cls.p5

    def _figures(self, groupby):
        Report = self.env['crm.loyalty.report.cohort']
        return {
            tuple(key): (size, buying, round(retention, 2), revenue)
            for *key, size, buying, retention, revenue in Report._read_group(
                [('partner_id', 'in', self.partners.ids)], groupby,
                ['cohort_size:count_distinct', 'buying:sum', 'retention:avg', 'revenue:sum'])
        }

    def test_each_cohort_month_by_month(self):
        m2, m1, m0 = self.months
        self.assertEqual(self._figures(['cohort:month', 'months_since']), {
            # cohort, months since: cohort size, customers buying, retention %, revenue
            (m2, 0): (2, 2, 100.0, 300),
            (m2, 1): (2, 1, 50.0, 50),
            (m2, 2): (2, 1, 50.0, 30),
            (m1, 0): (1, 1, 100.0, 100),
            (m1, 1): (1, 1, 100.0, 10),
            (m0, 0): (1, 1, 100.0, 40),
        })

    def test_totals_are_weighted_by_customers(self):
        self.assertEqual(self._figures(['months_since']), {
            (0,): (4, 4, 100.0, 440),
            (1,): (3, 2, 66.67, 60),     # two of the three customers of a month ago or older
            (2,): (2, 1, 50.0, 30),
        })

    def test_a_month_of_the_report_is_the_calendar_month(self):
        m2, m1, m0 = self.months
        rows = self.env['crm.loyalty.report.cohort'].search([('partner_id', '=', self.p1.id)], order='months_since')
        self.assertEqual([(r.cohort, r.date, r.months_since, r.buying) for r in rows],
                         [(m2, m2, 0, 1), (m2, m1, 1, 1), (m2, m0, 2, 0)])
        self.assertFalse(self.env['crm.loyalty.report.cohort'].search([('partner_id', '=', self.p5.id)]))


@tagged('post_install', '-at_install')
class TestRetentionByCohortTour(LoyaltyTourCase):

    def test_open_the_cohort_report(self):
        """Two customers first bought last month, one of them again this month; a third first
        bought this month: the report's cohort of last month reads 100 % then 50 %."""
        today = company_today(self.env.company)
        last_month = today.replace(day=1) - relativedelta(months=1)
        product = self.env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        first, second, third = self.env['res.partner'].create([
            {'name': name, 'is_company': True, 'customer_rank': 1} for name in ('Tea One', 'Tea Two', 'Tea Three')])
        for partner, day in ((first, last_month), (second, last_month.replace(day=5)), (first, today),
                             (third, today)):
            self.env['sale.order'].create({
                'partner_id': partner.id, 'state': 'sale', 'date_order': f'{day} 10:00:00',
                'order_line': [(0, 0, {'product_id': product.id, 'price_unit': 100, 'tax_id': False})],
            })
        self.env['crm.loyalty.engine']._recompute()
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_cohort', login='admin')
        self.assertEqual([path.name for path in shots], ['cohort.png'])
        groups = self.env['crm.loyalty.report.cohort']._read_group(
            [], ['cohort:month', 'months_since'], ['retention:avg'])
        retention = {(cohort, since): round(value, 2) for cohort, since, value in groups}
        self.assertEqual(retention, {(last_month, 0): 100.0, (last_month, 1): 50.0, (today.replace(day=1), 0): 100.0})
