"""The reporting models on small histories whose figures were computed by hand (AS_OF =
2026-11-22, window of 12 months: purchases after 2025-11-22 are in the window)."""
from datetime import date, datetime

from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


@tagged('post_install', '-at_install')
class TestReports(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Customer = cls.env['crm.loyalty.report.customer']
        cls.Migration = cls.env['crm.loyalty.report.tier.migration']
        cls.Trend = cls.env['crm.loyalty.report.trend']
        cls.Feedback = cls.env['crm.loyalty.feedback']
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)

    @classmethod
    def _buyer(cls, name, orders, company=None):
        """A customer with one order per (day, amount); a day is a date or days before AS_OF."""
        customer = cls._create_customer(name)
        for day, amount in orders:
            cls._order(customer, amount, day, company=company)
        return customer

    def _answer(self, partner, score, nps=None, when=None, company=None):
        return self.Feedback.create({
            'partner_id': partner.id, 'score': str(score), 'nps': str(nps) if nps is not None else False,
            'channel': 'phone', 'date': when or datetime.now(), 'company_id': (company or self.company).id})

    def _cells(self, model, groupby, domain=(), company=None, revenue=True):
        """{groupby values: count, or (count, revenue)} of ``model`` in ``company``."""
        aggregates = ['__count', 'revenue:sum'] if revenue else ['__count']
        rows = self.env[model]._read_group(
            [('company_id', '=', (company or self.company).id), *domain], groupby, aggregates)
        cells = {}
        for row in rows:
            key = tuple(value.name if hasattr(value, '_name') else value for value in row[:len(groupby)])
            cells[key] = row[len(groupby):] if revenue else row[len(groupby)]
        return cells

    # --- Customer analysis ------------------------------------------------------------

    def _matrix_customers(self):
        """Six customers whose R and F scores (quintiles among six, A and A2 tied), window
        revenue (median 350) and relationship length (long from 24 months) are known:

        ========  ==============  =====  ===  ===  =======  ============  ======
        customer  last purchase   count  R    F    revenue  first (days)  answer
        ========  ==============  =====  ===  ===  =======  ============  ======
        A, A2     5 days ago      1      5    2    500      5             5, none
        B         10              4      3    5    400      800           4
        C         20              3      3    4    300      900           2
        D         200             2      2    3    100      250           1
        E         400             0      1    1    0        1000          3
        ========  ==============  =====  ===  ===  =======  ============  ======
        """
        customers = {
            'A': self._buyer('A', [(5, 500)]),
            'A2': self._buyer('A2', [(5, 500)]),
            'B': self._buyer('B', [(10, 100), (40, 100), (70, 100), (100, 100), (800, 100)]),
            'C': self._buyer('C', [(20, 100), (50, 100), (80, 100), (900, 100)]),
            'D': self._buyer('D', [(200, 50), (250, 50)]),
            'E': self._buyer('E', [(400, 1000), (1000, 100)]),
        }
        for name, score in (('A', 5), ('B', 4), ('C', 2), ('D', 1), ('E', 3)):
            self._answer(customers[name], score)
        self._recompute()
        return customers

    def test_dick_basu_matrix_counts_and_revenue_per_cell(self):
        self._matrix_customers()
        # attitude from satisfaction >= 4, patronage from 2 purchases in the window;
        # A2 has no answer and stays out of the matrix
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['attitude', 'patronage'],
                                     [('attitude', '!=', False)]), {
            ('high', 'high'): (1, 400.0),     # B: loyal
            ('high', 'low'): (1, 500.0),      # A: latent
            ('low', 'high'): (2, 400.0),      # C, D: spurious
            ('low', 'low'): (1, 0.0),         # E: none
        })
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['loyalty_segment'], revenue=False), {
            ('loyal',): 1, ('latent',): 1, ('spurious',): 2, ('none',): 1, (False,): 1})

    def test_reinartz_kumar_matrix_counts_and_revenue_per_cell(self):
        self._matrix_customers()
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['profitability', 'duration']), {
            ('high', 'long'): (1, 400.0),     # B: true friend
            ('high', 'short'): (2, 1000.0),   # A, A2: butterflies
            ('low', 'long'): (2, 300.0),      # C, E: barnacles
            ('low', 'short'): (1, 100.0),     # D: stranger
        })

    def test_rfm_grid_counts_per_recency_and_frequency_score(self):
        self._matrix_customers()
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['rfm_r_score', 'rfm_f_score'], revenue=False), {
            (5, 1): 2, (3, 5): 1, (3, 3): 1, (2, 2): 1, (1, 1): 1})   # A, A2 bought once: F = 1; D, C, B: 2, 3, 5

    def test_rfm_grid_reads_the_best_recency_first(self):
        self._matrix_customers()
        # the pivot reads its headers without an order
        groups = self.Customer.read_group([('company_id', '=', self.company.id)], [], ['rfm_r_score'], lazy=False)
        self.assertEqual([group['rfm_r_score'] for group in groups], [5, 3, 2, 1])

    def test_the_rfm_grid_pivot_names_its_axes(self):
        """A pivot shows its rows' and columns' values, not their field: each value says
        its axis (recency, frequency; attitude, patronage; profitability, duration)."""
        self._matrix_customers()
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_report_matrix_rfm_grid')
        self.assertIn("'pivot_row_groupby': ['recency'], 'pivot_column_groupby': ['frequency']", action['context'])
        groups = self.Customer.read_group([('company_id', '=', self.company.id)], [], ['recency'], lazy=False)
        self.assertEqual([group['recency'] for group in groups], ['5', '3', '2', '1'])
        labels = {name: dict(self.Customer._fields[name]._description_selection(self.env))
                  for name in ('recency', 'frequency', 'attitude', 'patronage', 'profitability', 'duration')}
        self.assertEqual((labels['recency']['5'], labels['frequency']['1']), ('R 5: most recent', 'F 1: at most once'))
        self.assertEqual((labels['attitude']['high'], labels['patronage']['low']),
                         ('High attitude', 'Low repeat patronage'))
        self.assertEqual((labels['profitability']['low'], labels['duration']['long']),
                         ('Low profitability', 'Long relationship'))
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['recency', 'frequency'], revenue=False), {
            ('5', '1'): 2, ('3', '5'): 1, ('3', '3'): 1, ('2', '2'): 1, ('1', '1'): 1})

    def test_a_row_holds_the_customer_current_figures(self):
        customers = self._matrix_customers()
        b = customers['B']
        row = self.Customer.search([('partner_id', '=', b.id), ('company_id', '=', self.company.id)])
        self.assertRecordValues(row, [{
            'tier_id': self.silver.id, 'rfm_r_score': 3, 'rfm_f_score': 5, 'rfm_segment': b.rfm_segment,
            'abc_class': b.abc_class, 'loyalty_segment': 'loyal', 'attitude': 'high', 'patronage': 'high',
            'value_segment': 'true_friend', 'profitability': 'high', 'duration': 'long',
            'churn_risk': b.churn_risk, 'revenue': 400.0, 'clv_predicted': b.clv_predicted,
            'satisfaction': 4.0, 'relationship_months': 26, 'currency_id': self.company.currency_id.id,
        }])

    def test_only_commercial_customers_who_bought_appear(self):
        customers = self._matrix_customers()
        contact = self.env['res.partner'].create({'name': 'Mei Lin', 'parent_id': customers['B'].id})
        cancelled = self._buyer('Cancelled', [])
        self._order(cancelled, 300, 3, state='cancel')
        archived = self._buyer('Archived', [(3, 300)])
        self._recompute()
        self.assertTrue(contact.rfm_r_score, "a contact carries his company's figures, only the company is counted")
        buyers = self.env['res.partner'].browse([customer.id for customer in customers.values()]) | archived
        self.assertEqual(self.Customer.search([('company_id', '=', self.company.id)]).partner_id, buyers)
        archived.action_archive()
        self.assertEqual(self.Customer.search([('company_id', '=', self.company.id)]).partner_id, buyers - archived)

    # --- Tier migration and trends ----------------------------------------------------

    def _two_months(self):
        """Seven customers, recomputed on October 15th and November 22nd (Silver from 300,
        Gold from 800 of window revenue); P1 buys again in between and moves up to Gold,
        P4 buys for the first time in November."""
        p = {
            'P1': self._buyer('P1', [(date(2026, 9, 1), 500)]),
            'P2': self._buyer('P2', [(date(2026, 9, 10), 900)]),
            'P3': self._buyer('P3', [(date(2026, 10, 1), 100)]),
            'P4': self._buyer('P4', [(date(2026, 11, 10), 350)]),
            'P5': self._buyer('P5', [(date(2025, 12, 1), 50)]),
            'P6': self._buyer('P6', [(date(2025, 11, 1), 50)]),
            'P7': self._buyer('P7', [(date(2023, 1, 1), 50)]),
        }
        self._recompute(as_of=date(2026, 10, 15))
        self._order(p['P1'], 400, date(2026, 11, 1))
        self._recompute(as_of=self.AS_OF)
        return p

    def test_tier_migration_matrix_between_two_months(self):
        p = self._two_months()
        self.assertEqual(self._cells('crm.loyalty.report.tier.migration', ['from_tier_id', 'to_tier_id'],
                                     [('date', '=', NOVEMBER)], revenue=False), {
            ('Silver', 'Gold'): 1,    # P1 upgraded
            ('Gold', 'Gold'): 1,      # P2
            (False, False): 4,        # P3, P5, P6, P7 below every tier
            (False, 'Silver'): 1,     # P4, new
        })
        self.assertEqual(self._cells('crm.loyalty.report.tier.migration', ['direction'],
                                     [('date', '=', NOVEMBER)], revenue=False),
                         {('up',): 1, ('same',): 5, ('new',): 1})
        # in October, everybody was new
        self.assertEqual(self._cells('crm.loyalty.report.tier.migration', ['from_tier_id', 'to_tier_id', 'direction'],
                                     [('date', '=', OCTOBER)], revenue=False), {
            (False, 'Silver', 'new'): 1, (False, 'Gold', 'new'): 1, (False, False, 'new'): 4})
        move = self.Migration.search([('partner_id', '=', p['P1'].id), ('date', '=', NOVEMBER)])
        self.assertRecordValues(move, [{
            'from_tier_id': self.silver.id, 'to_tier_id': self.gold.id, 'direction': 'up',
            'previous_date': OCTOBER, 'revenue': 900.0}])

    def test_tier_migration_pivot_lists_tiers_by_threshold(self):
        self._tiers(Bronze=50)     # created last, lowest threshold
        self._two_months()
        # the pivot reads its headers without an order
        groups = self.Migration.read_group(
            [('company_id', '=', self.company.id), ('date', '=', NOVEMBER)], [], ['to_tier_id'], lazy=False)
        self.assertEqual([self.env['crm.loyalty.tier'].browse(group['to_tier_id'][0]).name
                          for group in groups if group['to_tier_id']], ['Bronze', 'Silver', 'Gold'])

    def test_tier_migration_compares_with_the_latest_earlier_snapshot(self):
        customer = self._buyer('Jade Garden', [(date(2026, 8, 20), 900)])
        self._recompute(as_of=date(2026, 9, 1))
        # no run in October
        self._order(customer, 10, date(2026, 11, 5))
        self._recompute(as_of=self.AS_OF)
        self.assertRecordValues(self.Migration.search([('partner_id', '=', customer.id)]), [
            {'date': NOVEMBER, 'previous_date': date(2026, 9, 1), 'from_tier_id': self.gold.id,
             'to_tier_id': self.gold.id, 'direction': 'same'},
            {'date': date(2026, 9, 1), 'previous_date': False, 'from_tier_id': False,
             'to_tier_id': self.gold.id, 'direction': 'new'},
        ])

    def test_tier_migration_shows_a_downgrade(self):
        customer = self._buyer('Jade Garden', [(date(2025, 10, 1), 900)])
        self._recompute(as_of=date(2025, 10, 20))
        self.company.loyalty_tier_grace_days = 0
        self._recompute(as_of=self.AS_OF)    # the purchase has left the window
        self.assertRecordValues(self.Migration.search([('partner_id', '=', customer.id), ('date', '=', NOVEMBER)]),
                                [{'from_tier_id': self.gold.id, 'to_tier_id': False, 'direction': 'down'}])

    def test_trends_per_month(self):
        p = self._two_months()
        self._answer(p['P1'], 1, when=datetime(2026, 9, 20, 12))
        self._answer(p['P1'], 5, nps=10, when=datetime(2026, 10, 5, 12))     # promoter
        self._answer(p['P2'], 2, nps=7, when=datetime(2026, 10, 6, 12))      # passive
        self._answer(p['P3'], 4, when=datetime(2026, 10, 31, 20))
        self._answer(p['P4'], 3, nps=5, when=datetime(2026, 11, 12, 12))     # detractor
        self.Feedback.create({'partner_id': p['P5'].id})                     # not answered
        trends = self.Trend.search([('company_id', '=', self.company.id)], order='date')
        # active: a purchase in the window (P6 left it in November, P7 long before);
        # churned: 1383 days since the last purchase (P7) against the window (no repeat buyer
        # in October), then more than three times P1's 61 days (P5, P6, P7) in November
        self.assertRecordValues(trends, [
            {'date': date(2026, 9, 1), 'customers': 0, 'active_customers': 0, 'churned_customers': 0,
             'answers': 1, 'satisfaction': 1.0, 'nps_answers': 0, 'nps': 0.0},
            {'date': OCTOBER, 'customers': 6, 'active_customers': 5, 'churned_customers': 1,
             'answers': 3, 'satisfaction': round(11 / 3, 2), 'nps_answers': 2, 'nps': 50.0},
            {'date': NOVEMBER, 'customers': 7, 'active_customers': 5, 'churned_customers': 3,
             'answers': 1, 'satisfaction': 3.0, 'nps_answers': 1, 'nps': -100.0},
        ])

    def test_trend_figures_are_those_of_the_feedback_reports(self):
        p = self._two_months()
        for i, (score, nps) in enumerate(((5, 10), (4, 9), (2, 3), (3, None), (1, 8))):
            self._answer(p[f'P{i + 1}'], score, nps=nps, when=datetime(2026, 10, 10 + i, 12))
        [(satisfaction,)] = self.Feedback._read_group(
            [('state', '=', 'answered'), ('company_id', '=', self.company.id)], [], ['score_value:avg'])
        [(nps,)] = self.Feedback._read_group(
            [('state', '=', 'answered'), ('nps', '!=', False), ('company_id', '=', self.company.id)],
            [], ['nps_points:avg'])
        trend = self.Trend.search([('company_id', '=', self.company.id), ('date', '=', OCTOBER)])
        self.assertAlmostEqual(trend.satisfaction, satisfaction, places=2)
        self.assertAlmostEqual(trend.nps, nps, places=1)
        self.assertEqual(trend.nps, 25.0)     # two promoters, one detractor of four

    # --- Companies --------------------------------------------------------------------

    def test_each_company_sees_its_own_figures(self):
        customers = self._matrix_customers()
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        self._tiers(company=other, Gold=100)
        self._order(customers['B'], 2000, 3, company=other)
        self._order(self._buyer('Export Only', []), 50, date(2026, 11, 2), company=other)
        self._answer(customers['B'], 1, nps=0, when=datetime(2026, 11, 3, 12), company=other)
        self._recompute()
        # the company's matrices are unchanged
        self.assertEqual(self._cells('crm.loyalty.report.customer', ['profitability', 'duration']), {
            ('high', 'long'): (1, 400.0), ('high', 'short'): (2, 1000.0),
            ('low', 'long'): (2, 300.0), ('low', 'short'): (1, 100.0)})
        b_rows = self.Customer.search([('partner_id', '=', customers['B'].id)], order='company_id')
        self.assertEqual(sorted(b_rows.mapped(lambda r: (r.company_id.name, r.revenue, r.satisfaction))),
                         sorted([(self.company.name, 400.0, 4.0), (other.name, 2000.0, 1.0)]))
        self.assertEqual(self._cells('crm.loyalty.report.tier.migration', ['to_tier_id'], company=other,
                                     revenue=False), {('Gold',): 1, (False,): 1})
        self.assertRecordValues(self.Trend.search([('company_id', '=', other.id)]), [{
            'date': NOVEMBER, 'customers': 2, 'active_customers': 2, 'answers': 1, 'nps': -100.0}])
        user = new_test_user(self.env, 'report.user', groups='base.group_user,crm_loyalty.group_loyalty_user',
                             company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        for model in (self.Customer, self.Migration, self.Trend):
            with self.subTest(model=model._name):
                self.assertTrue(model.search([('company_id', '=', other.id)]))
                seen = model.with_user(user).search([])
                self.assertTrue(seen)
                self.assertEqual(seen.company_id, self.company)
