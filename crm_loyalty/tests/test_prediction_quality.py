"""The backtest of the lifetime value models on a company: fitted on its history up to a
calibration day, their predictions for the days since against what its customers really
bought (the statistics themselves: crm_loyalty/lib/tests/test_backtest.py)."""
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged('post_install', '-at_install')
class TestPredictionQuality(LoyaltyCase):
    """Twelve customers over two years; AS_OF = 2026-11-22, horizon 12 months: the models
    are fitted up to 2025-11-22 and checked on the 365 days since."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_clv_horizon_months = 12
        cls.customers = []
        for i in range(12):
            customer = cls._create_customer(f'Customer {i:02d}')
            # a purchase every (20 + 5 i) days over two years, the last ones only for the even
            day, n = 700, 0
            while day > 0:
                if day > 365 or i % 2 == 0:
                    cls._order(customer, 100 + i, day)
                    n += 1
                day -= 20 + 5 * i
            cls.customers.append(customer)
        cls.late = cls._create_customer('Came Last Spring')
        cls._order(cls.late, 500, 200)

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
