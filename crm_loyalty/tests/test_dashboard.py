"""The loyalty dashboard's figures on the history of common.DashboardHistory, computed by
hand, and the lists its figures open."""
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DashboardHistory, LoyaltyCase, action_domain

AS_OF = date(2026, 11, 22)      # a Sunday: the week started on Monday 16th


@tagged('post_install', '-at_install')
class TestDashboard(DashboardHistory, LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls._dashboard_history(AS_OF)
        cls.Dashboard = cls.env['crm.loyalty.dashboard']

    def _data(self):
        with freeze_time(datetime(2026, 11, 22, 15)):
            return self.Dashboard.get_dashboard_data()

    def _listed(self, action):
        """The names of the records the action lists."""
        records = self.env[action['res_model']].search(action_domain(self.env, action))
        return sorted(records.mapped('partner_id.name' if 'partner_id' in records._fields else 'name'))

    def test_headline_figures(self):
        headline = self._data()['headline']
        self.assertEqual((headline['customers']['count'], headline['customers']['revenue']), (6, 1800.0))
        self.assertEqual(self._listed(headline['customers']['action']), ['A', 'A2', 'B', 'C', 'D', 'E'])
        # this month: 5, 4, 2, 1, 3; last month: 5, 3
        self.assertEqual((headline['satisfaction']['value'], headline['satisfaction']['previous']), (3.0, 4.0))
        self.assertEqual(headline['satisfaction']['answers'], 5)
        self.assertEqual(self._listed(headline['satisfaction']['action']), ['A', 'B', 'C', 'D', 'E'])
        # this month: promoters A (10) and B (9), detractor C (3) of three; last month
        # promoter B, detractor D (6) of two
        self.assertAlmostEqual(headline['nps']['value'], 100 / 3, places=2)
        self.assertEqual((headline['nps']['previous'], headline['nps']['answers']), (0.0, 3))
        self.assertEqual(self._listed(headline['nps']['action']), ['A', 'B', 'C'])
        # A customers: those whose larger customers weigh less than 80 % of the revenue:
        # A, A2, B and C (C's larger ones: 1400 of 1800), 1700 of 1800
        self.assertAlmostEqual(headline['a_share']['value'], 1700 / 18, places=2)
        self.assertEqual(headline['a_share']['revenue'], 1700.0)
        self.assertEqual(self._listed(headline['a_share']['action']), ['A', 'A2', 'B', 'C'])
        # D: 200 days since his last purchase, four times his rhythm of 50 days; E's 420
        # days are less than his rhythm of 580 days
        self.assertEqual(headline['high_risk']['count'], 1)
        self.assertEqual(self._listed(headline['high_risk']['action']), ['D'])

    def test_care_done_this_week_and_uplift(self):
        care = self._data()['headline']['care']
        # done: A and A2 this week (bought before), B and C 30 days ago (both bought after);
        # holdout: D and E, neither bought since
        self.assertEqual(care['week'], 2)
        self.assertEqual(self._listed(care['action']), ['A', 'A2'])
        self.assertEqual((care['treated'], care['treated_rate']), (4, 50.0))
        self.assertEqual((care['holdout'], care['holdout_rate']), (2, 0.0))
        self.assertEqual(care['uplift'], 50.0)

    def test_customers_by_tier(self):
        tiers = self._data()['tiers']
        self.assertEqual([(t['name'], t['count'], t['revenue']) for t in tiers],
                         [('Gold', 0, 0.0), ('Silver', 4, 1700.0), ('No tier', 2, 100.0)])
        self.assertEqual([self._listed(t['action']) for t in tiers], [[], ['A', 'A2', 'B', 'C'], ['D', 'E']])

    def test_dick_basu_matrix(self):
        cells = self._data()['dick_basu']
        # satisfaction (mean of the answers) from 4 is high; two purchases in the window is
        # high patronage; A2 never answered and stays out
        self.assertEqual([(c['key'], c['row'], c['column'], c['count'], c['revenue']) for c in cells], [
            ('loyal', 'high', 'high', 1, 400.0),
            ('latent', 'high', 'low', 1, 500.0),
            ('spurious', 'low', 'high', 2, 400.0),
            ('none', 'low', 'low', 1, 0.0),
        ])
        self.assertEqual([self._listed(c['action']) for c in cells], [['B'], ['A'], ['C', 'D'], ['E']])

    def test_reinartz_kumar_matrix(self):
        cells = self._data()['reinartz_kumar']
        # window revenue against the median (350); long relationship from 24 months
        self.assertEqual([(c['key'], c['row'], c['column'], c['count'], c['revenue']) for c in cells], [
            ('butterfly', 'high', 'short', 2, 1000.0),
            ('true_friend', 'high', 'long', 1, 400.0),
            ('stranger', 'low', 'short', 1, 100.0),
            ('barnacle', 'low', 'long', 2, 300.0),
        ])
        self.assertEqual([self._listed(c['action']) for c in cells], [['A', 'A2'], ['B'], ['D'], ['C', 'E']])

    def test_rfm_grid(self):
        rfm = self._data()['rfm']
        grid = {(cell['r'], cell['f']): cell for row in rfm['rows'] for cell in row['cells']}
        self.assertEqual([row['r'] for row in rfm['rows']], [5, 4, 3, 2, 1])
        self.assertEqual({key: cell['count'] for key, cell in grid.items() if cell['count']},
                         # A, A2 bought once: F = 1; D, C, B repeat: 2, 3, 5
                         {(5, 1): 2, (3, 5): 1, (3, 3): 1, (2, 2): 1, (1, 1): 1})
        self.assertEqual(len(grid), 25)
        self.assertEqual((rfm['peak'], grid[5, 1]['heat'], grid[3, 5]['heat'], grid[4, 4]['heat']), (2, 1.0, 0.5, 0.0))
        self.assertEqual(grid[5, 1]['revenue'], 1000.0)
        self.assertEqual(self._listed(grid[5, 1]['action']), ['A', 'A2'])
        self.assertEqual(self._listed(grid[1, 1]['action']), ['E'])

    def test_tier_migration_matrix(self):
        migration = self._data()['migration']
        self.assertEqual(migration['month'], '2026-11-01')
        self.assertEqual([c['name'] for c in migration['columns']], ['Gold', 'Silver', 'No tier'])
        counts = {row['name']: [cell['count'] for cell in row['cells']] for row in migration['rows']}
        # A and A2 new in Silver, B stays Silver, C moves up to Silver, D and E stay below
        self.assertEqual(counts, {'New customers': [0, 2, 0], 'Gold': [0, 0, 0], 'Silver': [0, 1, 0],
                                  'No tier': [0, 1, 2]})
        kinds = {row['name']: [cell['kind'] for cell in row['cells']] for row in migration['rows']}
        self.assertEqual(kinds['Silver'], ['up', 'same', 'down'])
        self.assertEqual(kinds['No tier'], ['up', 'up', 'same'])
        cells = {(row['name'], cell['to']): cell for row in migration['rows'] for cell in row['cells']}
        silver = self.env['crm.loyalty.tier'].search([('name', '=', 'Silver')])
        self.assertEqual(self._listed(cells['No tier', silver.id]['action']), ['C'])
        self.assertEqual(self._listed(cells['New customers', silver.id]['action']), ['A', 'A2'])
        self.assertEqual(self._listed(cells['No tier', False]['action']), ['D', 'E'])

    def test_monthly_trends(self):
        months = self._data()['trends']
        self.assertEqual([m['date'] for m in months][:2], ['2025-12-01', '2026-01-01'])
        self.assertEqual(len(months), 12)
        october, november = months[-2:]
        # October's run: B, C, D, E had bought (B, C, D in the window); November: all six,
        # E outside the window
        self.assertEqual({k: october[k] for k in ('customers', 'active_customers', 'answers', 'satisfaction')},
                         {'customers': 4, 'active_customers': 3, 'answers': 2, 'satisfaction': 4.0})
        self.assertEqual({k: november[k] for k in ('customers', 'active_customers', 'churned_customers', 'nps')},
                         {'customers': 6, 'active_customers': 5, 'churned_customers': 1,
                          'nps': november['nps']})
        self.assertAlmostEqual(november['nps'], 100 / 3, places=1)
        # no run and no answer in December 2025: no figure rather than zeros
        self.assertEqual({k: months[0][k] for k in ('customers', 'active_customers', 'churned_customers',
                                                    'satisfaction', 'nps')},
                         {'customers': 0, 'active_customers': None, 'churned_customers': None,
                          'satisfaction': None, 'nps': None})

    def test_another_company_sees_nothing_of_it(self):
        other = self.env['res.company'].create({'name': 'Second Tea Company'})
        self.env.user.company_ids |= other
        with freeze_time(datetime(2026, 11, 22, 15)):
            data = self.Dashboard.with_company(other).get_dashboard_data()
        self.assertEqual(data['headline']['customers']['count'], 0)
        self.assertEqual(data['headline']['care']['week'], 0)
        self.assertEqual(data['tiers'], [])
        self.assertFalse(data['migration']['month'])
        self.assertEqual(sum(cell['count'] for cell in data['dick_basu']), 0)
        self.assertEqual((data['company'], data['multi_company']), ('Second Tea Company', True))

    def test_a_loyalty_user_reads_it_and_an_employee_does_not(self):
        user = new_test_user(self.env, 'dashboard.user', groups='base.group_user,crm_loyalty.group_loyalty_user')
        with freeze_time(datetime(2026, 11, 22, 15)):
            data = self.Dashboard.with_user(user).get_dashboard_data()
        self.assertEqual(data['headline']['customers']['count'], 6)
        self.assertEqual(data['headline']['care']['uplift'], 50.0)
        employee = new_test_user(self.env, 'dashboard.employee', groups='base.group_user')
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(employee).get_dashboard_data()

    def test_query_count_does_not_grow_with_customers(self):
        self._data()
        with self.assertQueryCount(__system__=7):
            self._data()
        more = self.env['res.partner'].create([{'name': f'X{i}', 'is_company': True} for i in range(20)])
        for partner in more:
            self._order(partner, 100, AS_OF)
        self._recompute(as_of=AS_OF)
        self._data()
        with self.assertQueryCount(__system__=7):
            self._data()
