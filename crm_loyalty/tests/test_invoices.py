from datetime import date

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged


@tagged('post_install', '-at_install')
class TestInvoicePurchases(AccountTestInvoicingCommon):
    """Purchases from posted customer invoices, net of refunds."""

    AS_OF = date(2026, 11, 22)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.loyalty_purchase_source = 'invoice'
        cls.silver = cls.env['crm.loyalty.tier'].sudo().create({'name': 'Silver', 'min_value': 500})

    def _invoice(self, move_type, partner, amount, day, post=True):
        return self.init_invoice(move_type, partner=partner, invoice_date=day, post=post,
                                 amounts=[amount], taxes=[])

    def _recompute(self):
        return self.env['crm.loyalty.engine']._recompute(as_of=self.AS_OF)

    def test_invoices_net_of_refunds(self):
        self._invoice('out_invoice', self.partner_a, 1000, date(2026, 10, 1))
        self._invoice('out_invoice', self.partner_a, 300, date(2026, 10, 1))     # same day
        self._invoice('out_refund', self.partner_a, 200, date(2026, 10, 15))
        self._invoice('out_invoice', self.partner_a, 999, date(2026, 10, 20), post=False)  # draft
        self._recompute()
        partner = self.partner_a
        self.assertEqual(partner.loyalty_purchase_count_total, 1)
        self.assertEqual(partner.loyalty_revenue, 1100)
        self.assertEqual(partner.loyalty_revenue_total, 1100)
        self.assertEqual(partner.loyalty_last_purchase_date, date(2026, 10, 1))

    def test_sale_orders_do_not_count_when_invoices_do(self):
        order = self.env['sale.order'].create({
            'partner_id': self.partner_a.id,
            'order_line': [(0, 0, {'product_id': self.product_a.id, 'price_unit': 700, 'tax_id': False})]})
        order.action_confirm()
        self._recompute()
        self.assertEqual(self.partner_a.loyalty_purchase_count_total, 0)
        self.assertEqual(self.partner_a.loyalty_revenue, 0)

    def test_a_customer_with_only_refunds(self):
        self._invoice('out_refund', self.partner_b, 150, date(2026, 9, 1))
        self._recompute()
        partner = self.partner_b
        self.assertEqual(partner.loyalty_purchase_count_total, 0)
        self.assertEqual(partner.loyalty_revenue, -150)
        self.assertFalse(partner.loyalty_first_purchase_date)
        self.assertFalse(partner.rfm_segment)
        self.assertFalse(partner.churn_risk)
        self.assertFalse(partner.loyalty_tier_id)

    def test_posting_and_resetting_an_invoice_updates_the_customer(self):
        invoice = self._invoice('out_invoice', self.partner_a, 600, date.today())
        self.assertEqual(self.partner_a.loyalty_revenue, 600)
        self.assertEqual(self.partner_a.loyalty_tier_id, self.silver)
        invoice.button_draft()
        self.assertEqual(self.partner_a.loyalty_revenue, 0)
        self.assertEqual(self.partner_a.loyalty_purchase_count, 0)
