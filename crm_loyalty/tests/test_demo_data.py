from odoo.tests import tagged

from .common import LoyaltyTourCase

SAMPLE = 200


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

    def test_generated_data_is_there(self):
        self.assertEqual(len(self.orders), SAMPLE)
        self.assertEqual(len(self.partners), SAMPLE)
        self.assertEqual(set(self.orders.mapped('state')) - {'sale', 'cancel', 'draft'}, set())
        self.assertGreater(self.env['res.partner'].search_count([('parent_id', '!=', False),
                                                                 ('commercial_partner_id.customer_rank', '>', 0)]), 0)

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
