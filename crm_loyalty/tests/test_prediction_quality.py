"""The backtest of the lifetime value models on a company: fitted on its history up to a
calibration day, their predictions for the days since against what its customers really
bought (the statistics themselves: crm_loyalty/lib/tests/test_backtest.py)."""
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase, LoyaltyTourCase


def prediction_history(env, as_of):
    """Twelve customers buying every 20 + 5 i days over the two years before ``as_of``, the
    odd ones stopping a year before it; one more whose first purchase is 200 days old."""
    product = env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu', 'taxes_id': False})
    Partner = env['res.partner']

    def order(customer, amount, days):
        env['sale.order'].create({
            'partner_id': customer.id, 'state': 'sale',
            'date_order': datetime.combine(as_of - timedelta(days=days), time(10)),
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': amount, 'tax_id': False})]})

    customers = []
    for i in range(12):
        customer = Partner.create({'name': f'Customer {i:02d}', 'is_company': True, 'customer_rank': 1})
        for day in range(700, 0, -(20 + 5 * i)):
            if day > 365 or i % 2 == 0:
                order(customer, 100 + i, day)
        customers.append(customer)
    late = Partner.create({'name': 'Came Last Spring', 'is_company': True, 'customer_rank': 1})
    order(late, 500, 200)
    return customers, late


@tagged('post_install', '-at_install')
class TestPredictionQuality(LoyaltyCase):
    """Twelve customers over two years; AS_OF = 2026-11-22, horizon 12 months: the models
    are fitted up to 2025-11-22 and checked on the 365 days since."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_clv_horizon_months = 12
        cls.customers, cls.late = prediction_history(cls.env, cls.AS_OF)

    def test_each_full_recompute_checks_the_predictions(self):
        self._recompute()
        test = self.company.loyalty_clv_backtest
        self.assertEqual(test['date'], '2026-11-22')
        self.assertEqual(test['calibration_end'], '2025-11-22')
        self.assertEqual(test['holdout'], 365.0)
        # the cohort of the calibration: not the customer who came after it
        self.assertEqual(test['customers'], 12)
        # what they really bought: the purchase days of the even customers after 2025-11-22
        actual = 0
        for i in range(0, 12, 2):
            actual += sum(1 for day in range(700, 0, -(20 + 5 * i)) if day <= 365)
        self.assertEqual(test['actual'], actual)
        self.assertEqual(test['actual_revenue'], sum(
            (100 + i) * sum(1 for day in range(700, 0, -(20 + 5 * i)) if day <= 365) for i in range(0, 12, 2)))
        self.assertIn(test['grade'], 'ABC')
        self.assertEqual(sum(d['customers'] for d in test['deciles']), 12)

    def test_a_partial_recompute_leaves_the_check_alone(self):
        self._recompute(partners=self.customers[0])
        self.assertFalse(self.company.loyalty_clv_backtest)

    def test_loyalty_users_open_the_report_of_their_company(self):
        self._recompute()
        user = new_test_user(self.env, 'quality.reader', groups='base.group_user,crm_loyalty.group_loyalty_user')
        action = self.env.ref('crm_loyalty.action_loyalty_prediction_quality').with_user(user).run()
        self.assertEqual((action['res_model'], action['res_id']), ('res.company', self.company.id))
        report = self.company.with_user(user).loyalty_clv_backtest_html
        self.assertIn("Grade", report)
        employee = new_test_user(self.env, 'quality.employee', groups='base.group_user')
        with self.assertRaises(AccessError):
            self.env.ref('crm_loyalty.action_loyalty_prediction_quality').with_user(employee).run()

    def test_the_settings_show_the_check_and_administrators_run_it(self):
        user = new_test_user(self.env, 'quality.user', groups='base.group_user,crm_loyalty.group_loyalty_user')
        admin = new_test_user(self.env, 'quality.admin', groups='base.group_user,crm_loyalty.group_loyalty_manager')
        settings = self.env['res.config.settings'].create({})
        self.assertIn("Not checked yet", settings.loyalty_clv_backtest_summary)
        with self.assertRaises(AccessError):
            settings.with_user(user).action_loyalty_backtest()
        self.assertFalse(self.company.loyalty_clv_backtest)
        settings.with_user(admin).action_loyalty_backtest()
        self.assertTrue(self.company.loyalty_clv_backtest)
        summary = self.env['res.config.settings'].create({}).loyalty_clv_backtest_summary
        self.assertIn("Grade", summary)
        self.assertIn("naive baseline", summary)
        self.assertEqual(summary.count('o_loyalty_backtest_chart'), 1)



@tagged('post_install', '-at_install')
class TestPredictionQualityTour(LoyaltyTourCase):

    def test_prediction_quality_report(self):
        self.env.company.loyalty_clv_horizon_months = 12
        today = fields.Date.context_today(self.env['res.partner'])
        prediction_history(self.env, today)
        self.env['crm.loyalty.engine']._recompute(as_of=today)
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_prediction_quality', login='admin')
        self.assertEqual([path.name for path in shots], ['prediction_quality.png'])
