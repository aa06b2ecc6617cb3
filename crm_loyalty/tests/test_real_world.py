"""The engine on data shaped like real companies' data: a time zone far from UTC, orders
near midnight, one-time buyers, customers without revenue in the window, refunds and
exchanges larger than the purchase of the day."""
import math
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from ..models.local_day import company_today, day_start_utc
from .common import LoyaltyCase


@tagged('post_install', '-at_install')
class TestCompanyLocalDay(LoyaltyCase):
    """A day is the company's local day: its contact card's time zone, else the user's."""

    def _order_at(self, partner, amount, moment):
        order = self._order(partner, amount, date(2026, 1, 1))
        order.date_order = moment
        return order

    def test_orders_on_one_shanghai_day_are_one_purchase(self):
        self.company.partner_id.tz = 'Asia/Shanghai'
        # 07:30 and 10:00 on 15 March in Shanghai; 14 and 15 March in UTC
        self._order_at(self.customer, 100, datetime(2026, 3, 14, 23, 30))
        self._order_at(self.customer, 50, datetime(2026, 3, 15, 2, 0))
        self._recompute(as_of=date(2026, 3, 20))
        customer = self.customer
        self.assertEqual(customer.loyalty_purchase_count_total, 1)
        self.assertEqual(customer.loyalty_first_purchase_date, date(2026, 3, 15))
        self.assertEqual(customer.loyalty_last_purchase_date, date(2026, 3, 15))
        self.assertEqual(customer.loyalty_revenue, 150)
        self.assertFalse(customer.loyalty_purchase_interval)
        self.assertEqual(customer.rfm_recency_days, 5)
        self.assertEqual(customer.churn_risk, 'low')

    def test_an_order_late_in_new_york_is_of_that_day_and_not_of_the_next(self):
        self.company.partner_id.tz = 'America/New_York'
        # 22:00 on 10 March in New York
        self._order_at(self.customer, 400, datetime(2026, 3, 11, 2, 0))
        self._recompute(as_of=date(2026, 3, 10))
        self.assertEqual(self.customer.loyalty_revenue, 400)
        self.assertEqual(self.customer.loyalty_last_purchase_date, date(2026, 3, 10))

    def test_without_a_company_time_zone_the_users_counts(self):
        self.company.partner_id.tz = False
        self.env.user.tz = 'Pacific/Auckland'
        # 09:30 on 15 March in Auckland (UTC+13)
        self._order_at(self.customer, 100, datetime(2026, 3, 14, 20, 30))
        self._recompute(as_of=date(2026, 3, 20))
        self.assertEqual(self.customer.loyalty_last_purchase_date, date(2026, 3, 15))

    @freeze_time('2026-03-11 02:00:00')
    def test_confirming_late_in_new_york_counts_at_once_on_the_local_day(self):
        self.company.partner_id.tz = 'America/New_York'
        silver, = self._tiers(Silver=300)
        order = self.env['sale.order'].create({
            'partner_id': self.customer.id,
            'order_line': [Command.create({'product_id': self.product.id, 'price_unit': 400,
                                           'product_uom_qty': 1, 'tax_id': False})]})
        order.action_confirm()
        self.assertEqual(order.date_order, datetime(2026, 3, 11, 2, 0))
        self.assertEqual(self.customer.loyalty_revenue, 400)
        self.assertEqual(self.customer.loyalty_last_purchase_date, date(2026, 3, 10))
        self.assertEqual(self.customer.loyalty_tier_id, silver)
        self.assertEqual(self.customer.loyalty_tier_history_ids.date, date(2026, 3, 10))

    @freeze_time('2026-03-31 20:00:00')
    def test_the_nightly_run_dates_figures_and_snapshots_on_the_local_day(self):
        self.company.partner_id.tz = 'Asia/Shanghai'   # already 1 April there
        self._order_at(self.customer, 100, datetime(2026, 3, 31, 18, 0))
        self.env['crm.loyalty.engine']._recompute()
        self.assertEqual(self.customer.loyalty_scored_date, date(2026, 4, 1))
        self.assertEqual(self.customer.loyalty_last_purchase_date, date(2026, 4, 1))
        snapshot = self.env['crm.loyalty.snapshot'].search([('partner_id', '=', self.customer.id)])
        self.assertEqual(snapshot.date, date(2026, 4, 1))

    def test_local_day_helpers(self):
        self.company.partner_id.tz = 'Asia/Shanghai'
        self.assertEqual(company_today(self.company, datetime(2026, 3, 14, 16, 0)), date(2026, 3, 15))
        self.assertEqual(company_today(self.company, datetime(2026, 3, 14, 15, 59)), date(2026, 3, 14))
        self.assertEqual(day_start_utc(self.company, date(2026, 3, 15)), datetime(2026, 3, 14, 16, 0))
        self.company.partner_id.tz = 'America/New_York'
        # daylight saving time began on 8 March 2026
        self.assertEqual(day_start_utc(self.company, date(2026, 3, 1)), datetime(2026, 3, 1, 5, 0))
        self.assertEqual(day_start_utc(self.company, date(2026, 3, 10)), datetime(2026, 3, 10, 4, 0))


@tagged('post_install', '-at_install')
class TestSegmentsOnRealDistributions(LoyaltyCase):

    def test_no_revenue_in_the_window_is_never_profitable(self):
        self.company.loyalty_long_relationship_months = 24
        a, b, c = (self._create_customer(name) for name in 'ABC')
        self._order(a, 500, date(2023, 5, 1))
        self._order(b, 300, date(2024, 5, 1))
        self._order(c, 100, date(2026, 10, 20))
        self._recompute()
        self.assertEqual((a | b | c).mapped('loyalty_revenue'), [0, 0, 100])
        self.assertEqual((a | b | c).mapped('value_segment'), ['barnacle', 'barnacle', 'butterfly'])

    def test_the_median_is_that_of_the_customers_with_revenue_in_the_window(self):
        self.company.loyalty_long_relationship_months = 24
        dormant = [self._create_customer(f'Dormant {i}') for i in range(4)]
        for customer in dormant:
            self._order(customer, 1000, date(2024, 1, 10))
        active = [self._create_customer(f'Active {i}') for i in range(3)]
        for customer, amount in zip(active, (100, 200, 300), strict=True):
            self._order(customer, amount, 30)
        self._recompute()
        # median of 100, 200, 300 (not of 0, 0, 0, 0, 100, 200, 300)
        self.assertEqual([c.value_segment for c in active], ['stranger', 'butterfly', 'butterfly'])
        self.assertEqual({c.value_segment for c in dormant}, {'barnacle'})

    def test_one_time_buyers_are_the_least_frequent_however_many(self):
        customers = [self._create_customer(f'Customer {i}') for i in range(10)]
        # six one-time buyers, bought 10 to 60 days ago for 60 down to 10
        for i, customer in enumerate(customers[:6]):
            self._order(customer, 60 - 10 * i, 10 + 10 * i)
        # four regulars: 2 to 5 purchases of 100
        for k, customer in enumerate(customers[6:], start=2):
            for j in range(k):
                self._order(customer, 100, 5 + 20 * j)
        self._recompute()
        one_time = self.env['res.partner'].concat(*customers[:6])
        self.assertEqual(one_time.mapped('rfm_f_score'), [1] * 6)
        regulars = self.env['res.partner'].concat(*customers[6:])
        # the four repeat buyers by their quartile: 1 + ceil(4 (i - 1/2) / 4)
        self.assertEqual(regulars.mapped('rfm_f_score'), [2, 3, 4, 5])
        # the two oldest and cheapest: R = 1, M = 1, and now F = 1 (it was 2)
        self.assertEqual([c.rfm_segment for c in customers[4:6]], ['lost', 'lost'])

    def test_a_recent_cheap_one_time_buyer_is_a_new_customer(self):
        customers = [self._create_customer(f'Customer {i}') for i in range(10)]
        # six one-time buyers; the most recent one spent the least
        for i, customer in enumerate(customers[:6]):
            self._order(customer, 10 + 10 * i, 1 + 30 * i)
        for k, customer in enumerate(customers[6:], start=2):
            for j in range(k):
                self._order(customer, 200, 40 + 20 * j)
        self._recompute()
        newest = customers[0]
        self.assertEqual((newest.rfm_r_score, newest.rfm_f_score, newest.rfm_m_score), (5, 1, 1))
        self.assertEqual([c.rfm_segment for c in customers[:6]], [
            'new_customer', 'new_customer', 'hibernating', 'hibernating', 'hibernating', 'hibernating'])


@tagged('post_install', '-at_install')
class TestRefundsAndExchanges(LoyaltyCase):

    def test_an_exchange_larger_than_the_days_purchase_does_not_break_the_run(self):
        others = [self._create_customer(f'Regular {i}') for i in range(8)]
        for i, customer in enumerate(others):
            for j in range(3):
                self._order(customer, 100 + 10 * i, 20 + 60 * j + i)
        exchange = self._create_customer('Exchanger')
        self._order(exchange, 1000, date(2026, 1, 5))
        self._order(exchange, -500, date(2026, 6, 10))
        self._order(exchange, 100, date(2026, 6, 10))
        written = self._recompute()
        self.assertEqual(written, 9)
        self.assertEqual(exchange.loyalty_purchase_count_total, 2)
        self.assertEqual(exchange.loyalty_revenue, 600)
        self.assertEqual(exchange.loyalty_last_purchase_date, date(2026, 6, 10))
        self.assertTrue(math.isfinite(exchange.clv_predicted) and exchange.clv_predicted >= 0)
        self.assertTrue(self.company.loyalty_clv_fit['gamma_gamma'])
        for customer in others:
            self.assertEqual(customer.loyalty_purchase_count_total, 3)
            self.assertTrue(customer.rfm_segment)
            self.assertGreater(customer.clv_predicted, 0)

    def test_a_negative_day_alone_is_no_purchase_and_no_spend(self):
        customer = self._create_customer('Returner')
        self._order(customer, 300, date(2026, 2, 1))
        self._order(customer, 200, date(2026, 4, 1))
        self._order(customer, -450, date(2026, 5, 1))     # a credit without a purchase that day
        self._recompute()
        self.assertEqual(customer.loyalty_purchase_count_total, 2)
        self.assertEqual(customer.loyalty_revenue, 50)
        self.assertEqual(customer.loyalty_last_purchase_date, date(2026, 4, 1))
        self.assertTrue(math.isfinite(customer.clv_predicted) and customer.clv_predicted >= 0)

    def test_merging_a_partner_with_a_large_exchange_succeeds(self):
        keep = self._create_customer('Keep Ltd')
        duplicate = self._create_customer('Keep Ltd.')
        self._order(keep, 1000, date(2026, 1, 5))
        self._order(duplicate, -500, date(2026, 6, 10))
        self._order(duplicate, 100, date(2026, 6, 10))
        self.env['base.partner.merge.automatic.wizard']._merge([keep.id, duplicate.id], keep)
        self.assertFalse(duplicate.exists())
        self.assertEqual(keep.loyalty_purchase_count_total, 2)
        self.assertTrue(math.isfinite(keep.clv_predicted) and keep.clv_predicted >= 0)


@tagged('post_install', '-at_install')
class TestLocalDayInReports(LoyaltyCase):
    """Answers, reports and the dashboard count the company's days and months."""

    def test_an_answer_on_the_first_morning_of_a_shanghai_month_is_of_that_month(self):
        self.company.partner_id.tz = 'Asia/Shanghai'
        # 04:00 on 1 November in Shanghai
        self.env['crm.loyalty.feedback'].create({
            'partner_id': self.customer.id, 'score': '4', 'channel': 'phone', 'date': datetime(2026, 10, 31, 20, 0)})
        self.assertEqual(self.customer.satisfaction_date, date(2026, 11, 1))
        self.env['crm.loyalty.report.trend'].invalidate_model()
        months = self.env['crm.loyalty.report.trend'].search(
            [('company_id', '=', self.company.id), ('answers', '>', 0)])
        self.assertEqual(months.mapped('date'), [date(2026, 11, 1)])

    def test_a_request_expires_after_its_last_day_in_the_company(self):
        self.company.partner_id.tz = 'Pacific/Auckland'
        with freeze_time('2026-03-10 12:00:00'):     # 11 March, 01:00 in Auckland
            request = self.env['crm.loyalty.feedback'].create({'partner_id': self.customer.id, 'channel': 'email'})
        self.assertEqual((request.expiry_date - date(2026, 3, 11)).days, self.company.loyalty_feedback_expiry_days)
        last_day = request.expiry_date
        # Auckland is 12 or 13 hours ahead of UTC, depending on the season
        with freeze_time(datetime.combine(last_day, datetime.min.time()).replace(hour=10)):   # 22:00 or 23:00
            self.env['crm.loyalty.feedback']._cron_expire_requests()
            self.assertEqual(request.state, 'requested')
            self.assertTrue(request._is_open())
        with freeze_time(datetime.combine(last_day, datetime.min.time()).replace(hour=12)):   # next day there
            self.assertFalse(request._is_open())
            self.env['crm.loyalty.feedback']._cron_expire_requests()
            self.assertEqual(request.state, 'expired')
