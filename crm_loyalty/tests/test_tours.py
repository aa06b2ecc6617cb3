from odoo.tests import tagged

from .common import LoyaltyTourCase


@tagged('post_install', '-at_install')
class TestTours(LoyaltyTourCase):

    def test_open_a_customer_from_the_loyalty_menu(self):
        self.env['res.partner'].create({'name': 'Lotus Tea House', 'is_company': True, 'customer_rank': 1})
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_open_customer', login='admin')
        self.assertEqual([path.name for path in shots], ['customer_form.png', 'settings.png'])
