from datetime import timedelta

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.local_day import company_today, day_start_utc
from ..models.purchases import purchase_lines_sql, purchases_sql
from .common import LoyaltyCase


@tagged('post_install', '-at_install')
class TestPurchaseSources(LoyaltyCase, AccountTestInvoicingCommon):
    """A company in Shanghai that counts its posted invoices. Distributor D serves customer
    E (who buys through his contact C). On the company's today:

    ========= ========================================= ===============================
    partner   invoices (counted)                        confirmed orders, never invoiced
    ========= ========================================= ===============================
    C (E)     1000: 2 water filters                     —
    E         credit note of 100                        5000 (a water filter)
    D         200                                       3000
    Y         —                                         400 (a water filter)
    ========= ========================================= ===============================

    Every figure counts the same purchases: the invoices, net of the credit note (D's
    channel 1100, E 900, D 200), never the orders.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref('crm_loyalty.group_loyalty_manager')
        cls.company.write({'loyalty_purchase_source': 'invoice'})
        cls.company.partner_id.tz = 'Asia/Shanghai'
        cls.today = company_today(cls.company)
        cls.filter = cls.env['product.product'].create({'name': 'Water Filter', 'type': 'consu'})
        cls.distributor = cls._create_customer('Pearl River Distribution', channel_role='distributor')
        cls.customer = cls._create_customer('Jade Teahouse', channel_parent_id=cls.distributor.id)
        cls.contact = cls.env['res.partner'].create({'name': 'Mei Chen', 'parent_id': cls.customer.id})
        cls.order_buyer = cls._create_customer('Orders Only', channel_parent_id=cls.distributor.id)

        cls.invoice = cls._invoice(cls.contact, 1000, cls.today, product=cls.filter, quantity=2)
        cls.refund = cls._invoice(cls.customer, 100, cls.today, move_type='out_refund')
        cls._invoice(cls.distributor, 200, cls.today)
        cls._filter_order(cls.customer, 5000, cls.today)
        cls._order(cls.distributor, 3000, cls.today)
        cls._filter_order(cls.order_buyer, 400, cls.today)

    @classmethod
    def _invoice(cls, partner, amount, day, move_type='out_invoice', product=None, quantity=1):
        """A posted customer invoice (or credit note) of one untaxed product line."""
        move = cls.env['account.move'].create({
            'move_type': move_type, 'partner_id': partner.id, 'invoice_date': day,
            'invoice_line_ids': [Command.create({
                'product_id': (product or cls.product).id, 'quantity': quantity,
                'price_unit': amount / quantity, 'tax_ids': []})],
        })
        move.action_post()
        return move

    @classmethod
    def _filter_order(cls, partner, amount, day):
        """A confirmed order of one water filter at ``amount``."""
        order = cls._order(partner, amount, day)
        order.order_line.write({'product_id': cls.filter.id, 'price_unit': amount})
        return order

    def _scorecard(self, partner):
        return self.env['crm.loyalty.channel.scorecard'].search([
            ('partner_id', '=', partner.id), ('company_id', '=', self.company.id)])

    def _review(self):
        self.env['crm.loyalty.channel.grade'].create(
            {'name': 'Silver', 'level': 1, 'company_id': self.company.id, 'min_revenue': 1000})
        return self.env['crm.loyalty.channel.grade.review']._run_review(self.company, as_of=self.today)

    def _rule(self, trigger, days, **values):
        activity = self.env['ir.actions.server'].create({
            'name': 'Call', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'next_activity',
            'activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
            'activity_user_type': 'specific', 'activity_user_id': self.env.user.id})
        return self.env['crm.loyalty.care.rule'].create({
            'name': 'Care', 'trigger': trigger, 'days': days, 'partner_domain': '[]',
            'company_id': self.company.id, 'action_server_ids': [Command.set(activity.ids)], **values})

    def _rows(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        return sorted(self.env.cr.dictfetchall(), key=repr)

    # --- every figure counts the invoices ---------------------------------------------

    def test_the_customers_history_counts_invoices_net_of_credit_notes(self):
        self._recompute(as_of=self.today)
        self.assertRecordValues(self.customer | self.contact | self.distributor | self.order_buyer, [
            {'loyalty_revenue': 900.0, 'loyalty_purchase_count': 1, 'loyalty_last_purchase_date': self.today},
            {'loyalty_revenue': 900.0, 'loyalty_purchase_count': 1, 'loyalty_last_purchase_date': self.today},
            {'loyalty_revenue': 200.0, 'loyalty_purchase_count': 1, 'loyalty_last_purchase_date': self.today},
            {'loyalty_revenue': 0.0, 'loyalty_purchase_count': 0, 'loyalty_last_purchase_date': False},
        ])

    def test_the_distributors_scorecard_counts_the_same_invoices(self):
        self._recompute(as_of=self.today)   # the customers of the company are those it scored
        self.assertRecordValues(self._scorecard(self.distributor), [{
            'revenue_ytd': 1100.0,          # 1000 - 100 + 200
            'customers_active': 1,          # E; the orders-only buyer bought nothing
        }])
        self.assertEqual(self.distributor.channel_score_revenue_ytd, 1100.0, "the partner form shows the same")

    def test_the_grade_review_counts_the_same_invoices(self):
        proposal = self._review()
        self.assertEqual(proposal.partner_id, self.distributor)
        self.assertEqual(proposal.revenue, 1100.0)

    def test_the_product_reminder_follows_invoices(self):
        rule = self._rule('product_reminder', 0, product_ids=[Command.set(self.filter.ids)])
        self.assertEqual(rule._candidates(self.today), [(self.customer.id, f'invoice {self.invoice.id}')])

    def test_the_replenishment_follows_invoices(self):
        # filters invoiced 20 days ago and today: due again in 20 days; the orders-only
        # buyer's two days of filters are orders, not purchases
        self._invoice(self.customer, 500, self.today - timedelta(days=20), product=self.filter)
        self._filter_order(self.order_buyer, 400, self.today - timedelta(days=20))
        rule = self._rule('replenishment', 20, product_ids=[Command.set(self.filter.ids)])
        self.assertEqual(rule._candidates(self.today),
                         [(self.customer.id, f'product {self.filter.id} after {self.today}')])

    def test_the_uplift_counts_invoices(self):
        rule = self._rule('birthday', 3, uplift_days=30)
        yesterday_evening = day_start_utc(self.company, self.today) - timedelta(hours=1)
        self.env['crm.loyalty.care.action'].sudo().create([
            {'rule_id': rule.id, 'partner_id': partner.id, 'company_id': self.company.id, 'occurrence': 'x',
             'state': state, 'date': yesterday_evening}
            for partner, state in ((self.customer, 'done'), (self.order_buyer, 'holdout'))])
        self.assertRecordValues(rule, [{'treated_count': 1, 'treated_repurchase': 1.0,
                                        'holdout_count': 1, 'holdout_repurchase': 0.0}])
        figures = self.env['crm.loyalty.dashboard']._care_figures(self.company, yesterday_evening)
        self.assertEqual(figures['uplift'], 100.0)

    def test_a_company_counting_orders_counts_the_orders_everywhere(self):
        self.company.loyalty_purchase_source = 'sale'
        self._recompute(as_of=self.today)
        self.assertEqual(self.customer.loyalty_revenue, 5000.0)
        self.assertEqual(self._scorecard(self.distributor).revenue_ytd, 8400.0)     # 5000 + 3000 + 400
        self.assertEqual(self._review().revenue, 8400.0)
        rule = self._rule('product_reminder', 0, product_ids=[Command.set(self.filter.ids)])
        self.assertEqual([partner_id for partner_id, _occurrence in rule._candidates(self.today)],
                         [self.customer.id, self.order_buyer.id])

    # --- one source, two forms --------------------------------------------------------

    def test_an_invoice_is_on_its_date_from_the_start_of_that_day_in_the_companys_time_zone(self):
        reference = f'invoice {self.invoice.id}'
        [row] = [row for row in self._rows(purchases_sql(self.company)) if row['reference'] == reference]
        self.assertEqual((row['partner_id'], row['day'], row['moment'], row['amount'], row['is_purchase']),
                         (self.customer.id, self.today, day_start_utc(self.company, self.today), 1000.0, True))

    def test_every_company_at_once_gives_each_company_the_rows_of_its_own_source(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        other.partner_id.tz = 'America/New_York'
        buyers = self.customer | self._create_customer('Export Buyer')
        self._order(buyers[1], 70, self.today, company=other)
        bounded = {'date_from': self.today - timedelta(days=1), 'date_to': self.today + timedelta(days=1),
                   'partners': buyers.ids}
        bounded_by_query = {**bounded, 'partners': SQL("SELECT unnest(%s::int[])", buyers.ids)}
        for source in ('invoice', 'sale'):
            self.company.loyalty_purchase_source = source
            for query, kwargs in ((purchases_sql, {}), (purchase_lines_sql, {}),
                                  (purchases_sql, bounded), (purchase_lines_sql, bounded_by_query)):
                for company in (self.company, other):
                    with self.subTest(source=source, query=query.__name__, bounded=bool(kwargs), company=company.name):
                        rows = self._rows(query(company, **kwargs))
                        self.assertTrue(rows)
                        self.assertEqual(self._rows(SQL("SELECT * FROM (%s) every WHERE company_id = %s",
                                                        query(**kwargs), company.id)), rows)
