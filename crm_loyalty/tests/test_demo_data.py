import io
import math
import re
from collections import defaultdict

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.local_day import company_day, company_today
from .common import LoyaltyTourCase, action_domain

SAMPLE = 200


def reference_history(orders, window_start):
    """Per commercial partner, the history figures computed the plain way."""
    days = defaultdict(lambda: defaultdict(float))   # partner -> day -> amount
    bought = defaultdict(set)                         # partner -> days with a paid order
    for order in orders:
        partner = order.partner_id.commercial_partner_id.id
        day = company_day(order.company_id, order.date_order)
        days[partner][day] += order.amount_untaxed / (order.currency_rate or 1.0)
        if order.amount_untaxed > 0:
            bought[partner].add(day)
    expected = {}
    for partner, amounts in days.items():
        purchase_days = sorted(bought[partner])
        expected[partner] = {
            'count_total': len(purchase_days),
            'count_window': sum(1 for d in purchase_days if d > window_start),
            'revenue_total': sum(amounts.values()),
            'revenue_window': sum(a for d, a in amounts.items() if d > window_start),
            'first': purchase_days[0] if purchase_days else False,
            'last': purchase_days[-1] if purchase_days else False,
        }
    return expected


def reference_quintiles(scored, key, parts=5):
    """ceil(parts (mid-rank - 1/2) / n), ties at the mean of their ranks."""
    values = sorted(key(e) for e in scored.values())
    n = len(values)
    first, count = {}, defaultdict(int)
    for i, v in enumerate(values):
        first.setdefault(v, i + 1)
        count[v] += 1
    return {p: math.ceil(parts * (first[key(e)] + (count[key(e)] - 1) / 2 - 0.5) / n) for p, e in scored.items()}


def reference_abc(scored, a_share, b_share):
    ranked = sorted(scored, key=lambda p: (-max(scored[p]['revenue_window'], 0), p))
    total = sum(max(scored[p]['revenue_window'], 0) for p in ranked)
    abc, before = {}, 0.0
    for p in ranked:
        revenue = max(scored[p]['revenue_window'], 0)
        abc[p] = ('c' if revenue <= 0 else 'a' if before < a_share * total - 1e-6
                  else 'b' if before < b_share * total - 1e-6 else 'c')
        before += revenue
    return abc


@tagged('-standard', 'crm_loyalty_demo_data', 'post_install', '-at_install')
class TestDemoData(LoyaltyTourCase):
    """Run by `make test` on a copy of the test database filled by tools/demo_data.py
    (`--test-tags crm_loyalty_demo_data`): the bulk-loaded rows must be what Odoo itself
    would have stored, and open in its views."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orders = cls.env['sale.order'].search([], order='id desc', limit=SAMPLE)
        cls.partners = cls.env['res.partner'].search([('customer_rank', '>', 0)], order='id desc', limit=SAMPLE)

    def assertRecomputedEqual(self, records, fields, compute):
        stored = records.read(fields)
        compute(records)
        self.assertEqual(records.read(fields), stored)

    def test_engine_agrees_with_a_plain_python_computation(self):
        """The engine's SQL against a straightforward Python reading of the same orders,
        over every generated customer (contacts, cancelled orders, quotations included)."""
        company = self.env.company
        as_of = company_today(company)
        window_start = as_of - relativedelta(months=company.loyalty_window_months)
        self.env['crm.loyalty.tier'].create([{'name': 'Silver', 'min_value': 1000},
                                             {'name': 'Gold', 'min_value': 10000}])
        self.env['crm.loyalty.engine']._recompute(as_of=as_of)
        self.env['crm.loyalty.engine']._recompute(as_of=as_of)   # twice: nothing logged twice

        orders = self.env['sale.order'].search([('state', '=', 'sale'), ('company_id', '=', company.id),
                                                ('date_order', '<', as_of + relativedelta(days=1))])
        expected = reference_history(orders, window_start)
        scored = {p: e for p, e in expected.items() if e['count_total']}
        r = reference_quintiles(scored, lambda e: e['last'].toordinal())
        # one-time buyers F = 1, repeat buyers 2 to 5 by their quartile among them
        repeat = {p: e for p, e in scored.items() if e['count_window'] > 1}
        f = {p: 1 for p in scored} | {
            p: 1 + q for p, q in reference_quintiles(repeat, lambda e: e['count_window'], parts=4).items()}
        spent = {p: e for p, e in scored.items() if round(e['revenue_window'], 6) > 0}
        m = {p: 1 for p in scored} | reference_quintiles(spent, lambda e: round(e['revenue_window'], 6))
        abc = reference_abc(scored, 0.8, 0.95)

        partners = self.env['res.partner'].browse(list(expected))
        self.assertGreater(len(scored), 100)
        for partner in partners:
            e = expected[partner.id]
            with self.subTest(partner=partner.display_name):
                self.assertEqual(partner.loyalty_purchase_count_total, e['count_total'])
                self.assertEqual(partner.loyalty_purchase_count, e['count_window'])
                self.assertAlmostEqual(partner.loyalty_revenue_total, e['revenue_total'], places=2)
                self.assertAlmostEqual(partner.loyalty_revenue, e['revenue_window'], places=2)
                self.assertEqual(partner.loyalty_first_purchase_date, e['first'])
                self.assertEqual(partner.loyalty_last_purchase_date, e['last'])
                if partner.id in scored:
                    self.assertEqual((partner.rfm_r_score, partner.rfm_f_score, partner.rfm_m_score),
                                     (r[partner.id], f[partner.id], m[partner.id]))
                    self.assertEqual(partner.abc_class, abc[partner.id])
                    self.assertTrue(partner.rfm_segment and partner.value_segment and partner.churn_risk)
                    self.assertTrue(0 <= partner.probability_alive <= 1)
                    revenue = e['revenue_window']
                    tier = 'Gold' if revenue >= 10000 else 'Silver' if revenue >= 1000 else False
                    self.assertEqual(partner.loyalty_tier_id.name or False, tier)
                for contact in partner.child_ids:
                    self.assertEqual(contact.loyalty_revenue, partner.loyalty_revenue)
        # a real shape: about half bought once, and the segments of such a base all occur
        one_time = sum(1 for e in scored.values() if e['count_total'] == 1) / len(scored)
        self.assertTrue(0.35 <= one_time <= 0.65, one_time)
        segments = set(self.env['res.partner'].browse(list(scored)).mapped('rfm_segment'))
        self.assertLessEqual({'new_customer', 'lost', 'champions', 'hibernating'}, segments)
        self.env.cr.execute("""SELECT partner_id FROM crm_loyalty_tier_history
                                GROUP BY partner_id, to_tier_id HAVING COUNT(*) > 1""")
        self.assertEqual(self.env.cr.fetchall(), [], "a tier change was logged twice")

    def test_dashboard_agrees_with_the_customers(self):
        """On the generated history, every figure of the dashboard is the count or the sum
        of the customers its click lists."""
        self.env['crm.loyalty.tier'].create([{'name': 'Silver', 'min_value': 1000},
                                             {'name': 'Gold', 'min_value': 10000}])
        self.env['crm.loyalty.engine']._recompute()
        data = self.env['crm.loyalty.dashboard'].get_dashboard_data()
        Partner = self.env['res.partner']

        def listed(action):
            return Partner.search(action_domain(self.env, action))

        headline = data['headline']
        customers = listed(headline['customers']['action'])
        self.assertGreater(len(customers), 100)
        self.assertEqual(headline['customers']['count'], len(customers))
        self.assertAlmostEqual(headline['customers']['revenue'], sum(customers.mapped('loyalty_revenue')), places=2)
        a_class = listed(headline['a_share']['action'])
        self.assertAlmostEqual(headline['a_share']['revenue'], sum(a_class.mapped('loyalty_revenue')), places=2)
        self.assertEqual(headline['high_risk']['count'], len(listed(headline['high_risk']['action'])))
        for block in ('tiers', 'dick_basu', 'reinartz_kumar'):
            for cell in data[block]:
                with self.subTest(block=block, cell=cell['name']):
                    members = listed(cell['action'])
                    self.assertEqual(cell['count'], len(members))
                    self.assertAlmostEqual(cell['revenue'], sum(members.mapped('loyalty_revenue')), places=2)
        self.assertEqual(sum(tier['count'] for tier in data['tiers']), len(customers))
        self.assertEqual(sum(cell['count'] for row in data['rfm']['rows'] for cell in row['cells']), len(customers))
        for row in data['rfm']['rows'][:2]:
            for cell in row['cells']:
                self.assertEqual(cell['count'], len(listed(cell['action'])))

    def test_every_count_of_customers_agrees(self):
        """The customers of the company, counted by the dashboard, the Customers menu, the
        tiers' forms, the territories and the export, are the same (the generated data has
        contacts, prospects, vendors, cancelled orders and quotations)."""
        self.env['crm.loyalty.tier'].create([{'name': 'Silver', 'min_value': 1000},
                                             {'name': 'Gold', 'min_value': 10000}])
        self.env['crm.loyalty.engine']._recompute()
        Partner = self.env['res.partner']
        customers = Partner.search(Partner._loyalty_customer_domain())
        self.assertGreater(len(customers), 100)
        data = self.env['crm.loyalty.dashboard'].get_dashboard_data()
        self.assertEqual(data['headline']['customers']['count'], len(customers))
        menu = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        menu['context'] = safe_eval(menu['context'])
        self.assertEqual(Partner.search(action_domain(self.env, menu)), customers)
        tiers = self.env['crm.loyalty.tier'].search([('company_id', '=', self.env.company.id)])
        for row in data['tiers']:
            if not row['id']:
                continue
            tier = tiers.browse(row['id'])
            with self.subTest(tier=tier.name):
                members = Partner.search(action_domain(self.env, tier.action_view_partners()))
                self.assertEqual((row['count'], tier.partner_count), (len(members), len(members)))
                self.assertEqual(members, customers.filtered(
                    lambda partner, tier=tier: partner.loyalty_tier_id == tier))
        territories = self.env['crm.loyalty.territory'].search([('company_id', '=', self.env.company.id)])
        self.assertTrue(territories)
        for territory in territories:
            with self.subTest(territory=territory.name):
                members = Partner.search(action_domain(self.env, territory.action_view_customers()))
                self.assertEqual(territory.customer_count, len(members))
                self.assertEqual(members, customers.filtered(
                    lambda partner, territory=territory: partner.channel_territory_id == territory))
        wizard = self.env['crm.loyalty.export'].create({'sheet_summary': False, 'sheet_cohorts': False,
                                                        'sheet_care_actions': False, 'sheet_complaints': False,
                                                        'sheet_distributors': False})
        self.assertEqual(wizard.customer_count, len(customers))
        action = wizard.action_export()
        attachment = self.env['ir.attachment'].browse(int(re.search(r'/web/content/(\d+)', action['url'])[1]))
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw), read_only=True)['Customers']
        self.assertEqual(sum(1 for _row in sheet.iter_rows(min_row=2, values_only=True)), len(customers))

    def test_generated_data_is_there(self):
        self.assertEqual(len(self.orders), SAMPLE)
        self.assertEqual(len(self.partners), SAMPLE)
        self.assertEqual(set(self.orders.mapped('state')) - {'sale', 'cancel', 'draft'}, set())
        self.assertGreater(self.env['res.partner'].search_count([('parent_id', '!=', False),
                                                                 ('commercial_partner_id.customer_rank', '>', 0)]), 0)

    def test_channel_is_there(self):
        """Distributors with their territories, customers matched to the territories by
        the set-based pass as the ORM would place them, customers served through the
        distributors, and the conflicts of the cross-territory orders."""
        distributors = self.env['res.partner'].search([('channel_role', '=', 'distributor'), ('is_company', '=', True)])
        self.assertEqual(len(distributors), 5)
        self.assertTrue(all(distributors.mapped('channel_territory_ids')))
        Territory = self.env['crm.loyalty.territory']
        for partner in self.partners.filtered('country_id')[:50]:
            expected = Territory._lookup(partner.country_id, partner.state_id, partner.zip)[:1]
            self.assertEqual(partner.channel_territory_id, expected, partner.display_name)
        self.assertGreater(self.env['res.partner'].search_count([('channel_parent_id', 'in', distributors.ids)]), 10)
        conflicts = self.env['crm.loyalty.channel.conflict'].search([])
        self.assertEqual(sorted(conflicts.mapped('kind')), ['exclusive'] * 3 + ['outside'])
        self.assertTrue(all(conflicts.mapped('amount')))
        reviews = self.env['crm.loyalty.channel.grade.review'].search([('state', '=', 'proposed')])
        self.assertTrue(reviews, "the grade review has proposals waiting")

    def test_administrator_in_english_and_a_user_in_chinese(self):
        """The administrator works in English (the README's screenshots); Simplified Chinese
        is installed beside it, with a loyalty administrator who works in it."""
        self.assertEqual(self.env.ref('base.user_admin').lang, 'en_US')
        self.assertLessEqual({'en_US', 'zh_CN'}, set(self.env['res.lang'].search([]).mapped('code')))
        zhang = self.env['res.users'].search([('login', '=', 'zhang')])
        self.assertEqual((zhang.lang, zhang.tz), ('zh_CN', 'Asia/Shanghai'))
        self.assertTrue(zhang.has_group('crm_loyalty.group_loyalty_manager'))
        self.authenticate('zhang', 'zhang')
        menu = self.env.ref('crm_loyalty.menu_loyalty_root').with_user(zhang).with_context(lang=zhang.lang)
        self.assertEqual(menu.name, "客户忠诚")
        self.assertEqual(self.env.ref('sale.sale_menu_root').with_context(lang='zh_CN').name, "销售",
                         "Odoo's own terms are in Chinese too")

    def test_every_screen_has_something_to_show(self):
        """Care rules with their lines (named in both languages), complaints and suggestions in
        every state, and customers with birthdays, a few of them for the birthday rule."""
        rules = self.env['crm.loyalty.care.rule'].search([])
        self.assertEqual(sorted(rules.mapped('trigger')), ['birthday', 'dormant', 'low_satisfaction'])
        self.assertTrue(all(rule.step_ids for rule in rules))
        self.assertEqual(set(rules.with_context(lang='zh_CN').mapped('name')),
                         {"生日祝福", "唤回沉睡客户", "回访不满意客户"})
        complaints = self.env['crm.loyalty.complaint'].search([])
        self.assertEqual(set(complaints.mapped('state')), {'new', 'in_progress', 'resolved', 'closed'})
        self.assertEqual(set(complaints.mapped('kind')), {'complaint', 'suggestion'})
        self.assertGreater(self.env['res.partner'].search_count([('birthday', '!=', False)]), 20)
        self.env['crm.loyalty.engine']._recompute()
        birthday = rules.filtered(lambda rule: rule.trigger == 'birthday')
        # eligible now, or already wished by the demo's run of the rule (with --loyalty)
        self.assertGreaterEqual(birthday.preview_count + len(birthday.care_action_ids), 5,
                                "customers whose birthday is in three days")

    def test_order_amounts_are_what_odoo_computes(self):
        lines = self.orders.order_line
        self.assertRecomputedEqual(lines, ['price_subtotal', 'price_tax', 'price_total'],
                                   lambda recs: recs._compute_amount())
        self.assertRecomputedEqual(self.orders, ['amount_untaxed', 'amount_tax', 'amount_total'],
                                   lambda recs: recs._compute_amounts())

    def test_invoicing_state_is_what_odoo_computes(self):
        lines = self.orders.order_line
        self.assertRecomputedEqual(lines, ['qty_to_invoice', 'invoice_status'],
                                   lambda recs: (recs._compute_qty_to_invoice(), recs._compute_invoice_status()))
        self.assertRecomputedEqual(self.orders, ['invoice_status'], lambda recs: recs._compute_invoice_status())

    def test_partner_hierarchy_is_what_odoo_computes(self):
        partners = self.partners | self.partners.child_ids
        self.assertRecomputedEqual(partners, ['commercial_partner_id', 'complete_name', 'commercial_company_name'],
                                   lambda recs: (recs._compute_commercial_partner(), recs._compute_complete_name(),
                                                 recs._compute_commercial_company_name()))

    def test_order_names_are_unique_and_follow_the_sequence(self):
        self.env.cr.execute("SELECT name FROM sale_order GROUP BY name, company_id HAVING count(*) > 1")
        self.assertEqual(self.env.cr.fetchall(), [])
        next_name = self.env['ir.sequence'].next_by_code('sale.order')
        self.assertFalse(self.env['sale.order'].search_count([('name', '=', next_name)]))

    def test_generated_orders_open_in_the_browser(self):
        order = self.orders.filtered(lambda o: o.state == 'sale')[:1]
        customer = order.partner_id.commercial_partner_id
        shots = self.start_tour_with_screenshots(f'/odoo/loyalty-customers/{customer.id}',
                                                 'crm_loyalty_demo_data_orders', login='admin')
        self.assertEqual([path.name for path in shots], ['demo_order.png'])
