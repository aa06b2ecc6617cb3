from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import DashboardHistory, LoyaltyTourCase


@tagged('post_install', '-at_install')
class TestTours(LoyaltyTourCase):

    def _tea_house(self, silver, gold, amounts):
        """Lotus Tea House, who bought ``amounts`` (confirmed orders), and the tiers Silver and
        Gold from the figures ``silver`` and ``gold``: (customer, tiers)."""
        customer = self.env['res.partner'].create({'name': 'Lotus Tea House', 'is_company': True,
                                                   'customer_rank': 1})
        tiers = self.env['crm.loyalty.tier'].create([{'name': 'Silver', 'min_value': silver},
                                                     {'name': 'Gold', 'min_value': gold}])
        product = self.env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        for amount in amounts:
            self.env['sale.order'].create({
                'partner_id': customer.id,
                'order_line': [(0, 0, {'product_id': product.id, 'price_unit': amount, 'tax_id': False})],
            }).action_confirm()
        return customer, tiers

    def test_open_a_customer_from_the_loyalty_menu(self):
        customer, _tiers = self._tea_house(300, 800, (500, 450))
        self.env['crm.loyalty.engine']._recompute()
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_open_customer', login='admin')
        self.assertEqual([path.name for path in shots], ['customer_form.png', 'loyalty_tab.png', 'settings.png'])
        self.assertEqual(customer.loyalty_revenue, 950)
        self.assertFalse(customer.satisfaction_date, "never asked: the tab said “not measured”")

    def test_customer_and_care_rule_in_chinese(self):
        """A loyalty administrator working in Chinese: the dashboard (amounts in 万, the month
        as 2026年11月), a customer's Loyalty tab with a tier change the engine logged in English
        read in Chinese, and a care rule with its "What to do" line."""
        customer, (silver, gold) = self._tea_house(300000, 800000, (500000, 450000))
        self.env['crm.loyalty.engine'].with_context(lang='en_US')._recompute()
        call = self.env.ref('mail.mail_activity_data_call')
        rule = self.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday wishes', 'trigger': 'birthday', 'days': 3,
            'step_ids': [(0, 0, {'kind': 'activity', 'activity_type_id': call.id,
                                 'activity_summary': 'Birthday call', 'activity_days': 1})],
        })
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'])
        for record, name in ((silver, "白银"), (gold, "黄金"), (rule, "生日祝福")):
            record.with_context(lang='zh_CN').name = name
        self.env.ref('base.user_admin').lang = 'zh_CN'
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_chinese', login='admin')
        self.assertEqual([path.name for path in shots], ['loyalty_tab_zh_CN.png', 'care_rule_zh_CN.png'])
        self.assertEqual(set(customer.loyalty_tier_history_ids.mapped('reason_code')), {'up'})


@tagged('post_install', '-at_install')
class TestDashboardTours(DashboardHistory, LoyaltyTourCase):
    """The dashboard on the history of the dashboard's tests, as of today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env.ref('base.user_admin')
        cls._dashboard_history(fields.Date.context_today(cls.env['res.partner'].with_user(admin)))

    def test_dashboard(self):
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_dashboard', login='admin')
        self.assertEqual([path.name for path in shots], ['dashboard.png', 'dashboard_more.png'])

    def test_dashboard_in_chinese(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'])
        self.env.ref('base.user_admin').lang = 'zh_CN'
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_dashboard_zh', login='admin')
        self.assertEqual([path.name for path in shots], ['dashboard_zh_CN.png', 'dashboard_zh_CN_more.png'])


@tagged('post_install', '-at_install')
class TestRelationshipValueTour(LoyaltyTourCase):

    def test_the_loyalty_tab_shows_the_relationship_value(self):
        Partner = self.env['res.partner']
        customer = Partner.create({'name': 'Lotus Tea House', 'is_company': True, 'customer_rank': 1,
                                   'loyalty_wallet_estimate': 2000})
        referred = Partner.create({'name': 'Bamboo Teas', 'is_company': True, 'customer_rank': 1,
                                   'loyalty_referred_by_id': customer.id})
        product = self.env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        # his tea bought on two days, a habit of his preference card
        for partner, amount, weeks_ago in ((customer, 250, 0), (customer, 250, 1), (referred, 300, 0)):
            order = self.env['sale.order'].create({
                'partner_id': partner.id,
                'order_line': [(0, 0, {'product_id': product.id, 'price_unit': amount, 'tax_id': False})],
            })
            order.action_confirm()
            order.date_order -= timedelta(weeks=weeks_ago)
        self.env['crm.loyalty.engine']._recompute()
        shots = self.start_tour_with_screenshots(f'/odoo/res.partner/{customer.id}', 'crm_loyalty_value_block',
                                                 login='admin')
        self.assertEqual([path.name for path in shots], ['relationship_value.png'])
        self.assertEqual(customer.loyalty_referral_count, 1)
