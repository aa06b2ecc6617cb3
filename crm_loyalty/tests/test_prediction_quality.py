"""The backtest of the lifetime value models: fitted on the history up to a calibration
day, their predictions for the days since against what customers really bought; on the
classic CDNOW split, on a population drawn from known parameters, and on a company."""
import collections
import importlib.util
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from odoo.exceptions import AccessError
from odoo.tests import BaseCase, new_test_user, tagged

from ..lib import clv
from .common import LoyaltyCase
from .test_lib_next_purchase import simulate


def cdnow_split(calibration_end=date(1997, 9, 30), weeks=39):
    """The CDNOW sample (2 357 customers; `Lifetimes` package data), same-day purchases
    merged, split at the end of September 1997 with a 39-week holdout, in weeks."""
    spec = importlib.util.find_spec('lifetimes')
    assert spec, "the Lifetimes data package is missing: run make setup"
    path = Path(spec.submodule_search_locations[0]) / 'datasets' / 'CDNOW_sample.txt'
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for line in path.read_text().splitlines():
        _master, customer, day, _cds, amount = line.split()
        days[customer][datetime.strptime(day, '%Y%m%d').date()] += float(amount)
    end = calibration_end + timedelta(weeks=weeks)
    rows = []
    for amounts in days.values():
        before = sorted(d for d in amounts if d <= calibration_end)
        after = [d for d in amounts if calibration_end < d <= end]
        repeat = [amounts[d] for d in before[1:]]
        rows.append((len(before) - 1, (before[-1] - before[0]).days / 7, (calibration_end - before[0]).days / 7,
                     len(after), np.mean(repeat) if repeat else 0.0, sum(amounts[d] for d in after)))
    return [np.array(column) for column in zip(*rows, strict=True)]


@tagged('post_install', '-at_install')
class TestBacktest(BaseCase):

    def test_cdnow_classic_split(self):
        frequency, recency, age, actual, spend, revenue = cdnow_split()
        test = clv.backtest(frequency, recency, age, 39, actual, spend, revenue)
        self.assertEqual(test['customers'], 2357)
        self.assertEqual(test['actual'], 1882)
        self.assertAlmostEqual(test['predicted'], 1653, delta=2)
        # the model beats each customer repeating his past rate
        self.assertAlmostEqual(test['mae'], 0.79, delta=0.01)
        self.assertAlmostEqual(test['mae_naive'], 1.02, delta=0.01)
        self.assertEqual(test['grade'], 'A')
        self.assertEqual(len(test['deciles']), 10)
        self.assertEqual(sum(d['customers'] for d in test['deciles']), 2357)
        # the deciles are sorted by what was predicted
        predicted = [d['predicted'] for d in test['deciles']]
        self.assertEqual(predicted, sorted(predicted))
        self.assertLess(test['deciles'][0]['actual'], test['deciles'][-1]['actual'])

    def test_a_population_drawn_from_the_model_finds_its_own_holdout(self):
        params = {'r': 0.5, 'alpha': 10.0, 'a': 0.8, 'b': 2.5}   # in days
        frequency, recency, age, bought = simulate(params, 20000, 365, 182, seed=11)
        # the holdout purchases themselves: simulate again to count them, not only whether any
        rng = np.random.default_rng(5)
        x, t_x, T, actual = self._with_holdout_counts(params, 20000, 365, 182, rng)
        test = clv.backtest(x, t_x, T, 182, actual)
        self.assertAlmostEqual(test['predicted'] / test['actual'], 1.0, delta=0.10)
        self.assertLess(test['mae'], test['mae_naive'])
        self.assertTrue(bought.any() and frequency.size == 20000 and recency.size and age.size)

    def _with_holdout_counts(self, params, n, T, holdout, rng):
        rate = rng.gamma(params['r'], 1 / params['alpha'], n)
        dropout = rng.beta(params['a'], params['b'], n)
        frequency, recency, clock, later = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        alive = np.ones(n, dtype=bool)
        while alive.any():
            clock = np.where(alive, clock + rng.exponential(1 / np.maximum(rate, 1e-12)), clock)
            early = alive & (clock <= T)
            late = alive & (clock > T) & (clock <= T + holdout)
            frequency += early
            later += late
            recency = np.where(early, clock, recency)
            alive = (early | late) & (rng.random(n) >= dropout)
        return frequency, recency, np.full(n, float(T)), later

    def test_grades(self):
        self.assertEqual(clv.grade(0.8, 1.0, -0.12), 'A')
        self.assertEqual(clv.grade(0.8, 1.0, 0.20), 'B')
        self.assertEqual(clv.grade(1.2, 1.0, 0.20), 'B')
        self.assertEqual(clv.grade(1.2, 1.0, 0.30), 'C')

    def test_bad_input_is_refused(self):
        with self.assertRaisesRegex(ValueError, "holdout must be positive"):
            clv.backtest([1], [1], [2], 0, [1])
        with self.assertRaisesRegex(ValueError, "same length"):
            clv.backtest([1, 2], [1, 1], [2, 2], 10, [1])


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
