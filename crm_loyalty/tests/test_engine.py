"""The engine on small histories whose figures were computed by hand (AS_OF = 2026-11-22,
window of 12 months: purchases after 2025-11-22 are in the window)."""
import math
import random
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from ..lib import clv
from ..models.crm_loyalty_engine import WRITTEN_FIELDS
from .common import LoyaltyCase


@tagged('post_install', '-at_install')
class TestPurchaseHistory(LoyaltyCase):

    def test_history_of_a_company_and_its_contact(self):
        contact = self.env['res.partner'].create({'name': 'Mei Lin', 'parent_id': self.customer.id})
        self._order(self.customer, 200, date(2025, 6, 1))      # before the window
        self._order(contact, 100, date(2026, 1, 10))           # the contact buys for the company
        self._order(self.customer, 50, date(2026, 1, 10))      # same day: one purchase
        self._order(self.customer, 300, date(2026, 11, 1))
        self._order(self.customer, 999, date(2026, 11, 2), state='cancel')
        self._order(self.customer, 999, date(2026, 11, 3), state='draft')
        self._order(self.customer, 999, date(2026, 12, 1))     # dated after AS_OF
        self._order(self.customer, 0, date(2026, 11, 10))      # free: not a purchase

        self.assertEqual(self._recompute(), 1)

        for partner in (self.customer, contact):
            self.assertEqual(partner.loyalty_first_purchase_date, date(2025, 6, 1))
            self.assertEqual(partner.loyalty_last_purchase_date, date(2026, 11, 1))
            self.assertEqual(partner.loyalty_purchase_count_total, 3)
            self.assertEqual(partner.loyalty_purchase_count, 2)
            self.assertEqual(partner.loyalty_revenue_total, 650)
            self.assertEqual(partner.loyalty_revenue, 450)
            self.assertEqual(partner.clv_historical, 650)
            # 518 days from the first to the last purchase, two intervals
            self.assertEqual(partner.loyalty_purchase_interval, 259)
            self.assertEqual(partner.rfm_recency_days, 21)
            self.assertEqual(partner.relationship_months, 17)   # 1 year 5 months 21 days
            self.assertEqual(partner.loyalty_scored_date, self.AS_OF)

    def test_cancelling_every_order_clears_the_history(self):
        order = self._order(self.customer, 300, 10)
        self._recompute()
        self.assertEqual(self.customer.loyalty_revenue, 300)
        order._action_cancel()
        self._recompute()
        self.assertEqual(self.customer.loyalty_purchase_count_total, 0)
        self.assertEqual(self.customer.loyalty_revenue, 0)
        self.assertFalse(self.customer.loyalty_last_purchase_date)
        self.assertFalse(self.customer.rfm_segment)
        self.assertEqual(self.customer.rfm_r_score, 0)
        self.assertFalse(self.customer.churn_risk)

    def test_only_a_free_order_is_no_purchase(self):
        self._order(self.customer, 0, 5)
        self._recompute()
        self.assertEqual(self.customer.loyalty_purchase_count_total, 0)
        self.assertFalse(self.customer.loyalty_first_purchase_date)
        self.assertFalse(self.customer.rfm_segment)
        self.assertFalse(self.customer.churn_risk)

    def test_an_order_dated_in_the_future_counts_from_its_date(self):
        self._order(self.customer, 120, self.AS_OF + timedelta(days=3))
        self._recompute()
        self.assertEqual(self.customer.loyalty_purchase_count_total, 0)
        self._recompute(as_of=self.AS_OF + timedelta(days=3))
        self.assertEqual(self.customer.loyalty_purchase_count_total, 1)
        self.assertEqual(self.customer.rfm_recency_days, 0)

    def test_orders_in_another_currency_are_converted(self):
        eur = self.env.ref('base.EUR')
        eur.active = True
        self.env['res.currency.rate'].create({
            'currency_id': eur.id, 'company_id': self.company.id, 'name': date(2026, 1, 1),
            'rate': 2.0 * self.company.currency_id.with_company(self.company).rate})
        pricelist = self.env['product.pricelist'].create({'name': 'Euro', 'currency_id': eur.id})
        order = self._order(self.customer, 200, date(2026, 10, 1), pricelist=pricelist)
        self.assertEqual(order.currency_id, eur)
        self._order(self.customer, 30, date(2026, 10, 2))
        self._recompute()
        self.assertAlmostEqual(self.customer.loyalty_revenue, 130, places=2)

    def test_merged_partners_add_up(self):
        other = self._create_customer('Lotus Tea House (duplicate)')
        self._order(self.customer, 100, 40)
        self._order(other, 250, 20)
        self._recompute()
        self.env['crm.loyalty.complaint'].create({'partner_id': other.id, 'subject': "Late delivery"})
        self.env['crm.loyalty.feedback'].create({'partner_id': other.id, 'score': '2'})
        wizard = self.env['base.partner.merge.automatic.wizard'].create({})
        wizard._merge((self.customer | other).ids, dst_partner=self.customer)
        self.assertEqual(self.customer.complaint_open_count, 1)
        self.assertEqual(self.customer.satisfaction_score, 2.0)
        self.assertFalse(other.exists())
        self.assertEqual(self.customer.loyalty_purchase_count_total, 2)
        self.assertEqual(self.customer.loyalty_revenue, 350)
        self.assertEqual(self.customer.loyalty_last_purchase_date, self.AS_OF - timedelta(days=20))


@tagged('post_install', '-at_install')
class TestScores(LoyaltyCase):
    """Ten customers: customer i bought i times, a week apart, last (11 - i) * 5 days
    ago, 100 each time, so that his recency, frequency and revenue all rank i."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_repeat_threshold = 5
        cls.customers = cls.env['res.partner']
        for i in range(1, 11):
            customer = cls._create_customer(f'Customer {i:02d}')
            last = (11 - i) * 5
            for k in range(i):
                cls._order(customer, 100, last + 7 * k)
            cls.customers |= customer

    def scores(self, field):
        return self.customers.mapped(field)

    def test_quintiles_split_the_ranks_in_fifths(self):
        self._recompute()
        # ceil(5 (i - 1/2) / 10)
        expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        self.assertEqual(self.scores('rfm_r_score'), expected)
        self.assertEqual(self.scores('rfm_m_score'), expected)
        # the one-time buyer has F = 1; the nine repeat buyers 1 + ceil(4 (i - 1/2) / 9)
        self.assertEqual(self.scores('rfm_f_score'), [1, 2, 2, 3, 3, 3, 4, 4, 5, 5])
        # as the Loyalty tab shows them
        self.assertEqual(self.customers[3].rfm_scores, "2 / 3 / 2")
        self.assertFalse(self.customer.rfm_scores, "never bought: no scores")

    def test_segments_from_recency_and_frequency_monetary(self):
        self._recompute()
        # R and the rounded mean of F and M: (F + M + 1) // 2 = 1, 2, 2, 3, 3, 3, 4, 4, 5, 5
        self.assertEqual(self.scores('rfm_segment'), [
            'lost', 'hibernating', 'hibernating', 'at_risk', 'need_attention', 'need_attention',
            'loyal', 'loyal', 'champions', 'champions'])

    def test_abc_classes_include_the_customer_crossing_the_share(self):
        self._recompute()
        # 5 500 in all; from the top, customer 5 brings the cumulated revenue from 4 000
        # to 4 500, across 80 % (4 400): he is the last A. Customer 2 reaches 5 400 from
        # 5 200 (< 95 % = 5 225): the last B.
        self.assertEqual(self.scores('abc_class'), ['c', 'b', 'b', 'b', 'a', 'a', 'a', 'a', 'a', 'a'])
        self.company.write({'loyalty_abc_a_percent': 50, 'loyalty_abc_b_percent': 90})
        self._recompute()
        # 50 % = 2 750: 10, 9, 8 and 7 (2 700 before) are A; 90 % = 4 950: 6, 5, 4 and 3 (4 900 before)
        self.assertEqual(self.scores('abc_class'), ['c', 'c', 'b', 'b', 'b', 'b', 'a', 'a', 'a', 'a'])

    def test_value_matrix_against_the_median_revenue(self):
        self._recompute()
        # median window revenue 550; every relationship is shorter than 24 months
        self.assertEqual(self.scores('value_segment'), ['stranger'] * 5 + ['butterfly'] * 5)
        self.company.loyalty_long_relationship_months = 2
        self._recompute()
        # customer i first bought 48 + 2 i days ago: from 2026-10-03 (50 days, 1 month and 19
        # days) for customer 1 to 2026-09-23 (60 days) for 6; 7 to 10 more than 2 months ago
        self.assertEqual(self.customers.mapped('relationship_months'), [1] * 6 + [2] * 4)
        self.assertEqual(self.scores('value_segment'),
                         ['stranger'] * 5 + ['butterfly'] + ['true_friend'] * 4)

    def test_churn_risk_against_the_own_rhythm(self):
        self._recompute()
        ratios = [round(r, 2) for r in self.scores('loyalty_churn_ratio')]
        # recency (11 - i) * 5 over a 7-day rhythm; the one-time buyer gets the median (7)
        self.assertEqual(ratios, [round((11 - i) * 5 / 7, 2) for i in range(1, 11)])
        # 7.14, 6.43, 5.71, 5.0, 4.29, 3.57 | 2.86, 2.14 | 1.43, 0.71
        self.assertEqual(self.scores('churn_risk'), ['high'] * 6 + ['medium'] * 2 + ['low'] * 2)
        self.company.write({'loyalty_churn_medium_ratio': 3.0, 'loyalty_churn_high_ratio': 5.0})
        self._recompute()
        self.assertEqual(self.scores('churn_risk'), ['high'] * 4 + ['medium'] * 2 + ['low'] * 4)

    def test_loyalty_matrix_needs_satisfaction(self):
        c = self.customers
        c[9].sudo().satisfaction_score = 4.5   # 10 purchases: loyal
        c[1].sudo().satisfaction_score = 4.0   # 2 purchases (< 5), at the attitude threshold: latent
        c[8].sudo().satisfaction_score = 3.9   # 9 purchases: spurious
        c[2].sudo().satisfaction_score = 1.0   # 3 purchases: none
        self._recompute()
        self.assertEqual(self.scores('loyalty_segment'),
                         [False, 'latent', 'none', False, False, False, False, False, 'spurious', 'loyal'])

    def test_segment_meanings_are_shown(self):
        self._recompute()
        self.assertIn("spend the most", self.customers[9].rfm_segment_meaning)
        self.assertTrue(self.customers[0].value_segment_meaning)

    def test_lifetime_value_is_finite_and_consistent(self):
        self._recompute()
        alive = self.scores('probability_alive')
        predicted = self.scores('clv_predicted')
        purchases = self.scores('expected_purchases')
        for values in (alive, predicted, purchases):
            self.assertTrue(all(math.isfinite(v) and v >= 0 for v in values), values)
        self.assertTrue(all(0 <= v <= 1 for v in alive))
        fit = self.company.loyalty_clv_fit
        # BG/NBD: nothing says that a customer who never came back has dropped out
        self.assertEqual(alive[0], 1.0)
        # value = purchases x Gamma-Gamma spend; customer 10: 9 repeat purchases of 100
        p, q, v = (fit['gamma_gamma'][k] for k in 'pqv')
        spend = p * (v + 9 * 100) / (9 * p + q - 1)
        self.assertAlmostEqual(predicted[9], purchases[9] * spend, delta=0.01 + purchases[9] * spend * 1e-4)
        self.assertEqual(fit['customers'], 10)
        self.assertEqual(fit['repeat_customers'], 9)
        self.assertEqual(set(fit['bgnbd']), {'r', 'alpha', 'a', 'b'})
        self.assertEqual(set(fit['gamma_gamma']), {'p', 'q', 'v'})

    def test_next_purchase_follows_the_fit(self):
        self._recompute()
        fit = self.company.loyalty_clv_fit['bgnbd']
        for customer in (self.customers[0], self.customers[9]):
            x = customer.loyalty_purchase_count_total - 1
            recency = (customer.loyalty_last_purchase_date - customer.loyalty_first_purchase_date).days
            age = (self.AS_OF - customer.loyalty_first_purchase_date).days
            wait = math.ceil(clv.time_to_next_purchase(fit, [x], [age])[0])
            self.assertEqual(customer.loyalty_next_purchase_date, self.AS_OF + timedelta(days=wait))
            chance = clv.probability_purchase_within(fit, 30, [x], [recency], [age])[0]
            self.assertAlmostEqual(customer.loyalty_purchase_probability_30d, chance, places=4)
        # every customer has both, and they can be searched
        self.assertTrue(all(self.scores('loyalty_next_purchase_date')))
        self.assertTrue(all(0 < p < 1 for p in self.scores('loyalty_purchase_probability_30d')))
        likely = self.env['res.partner'].search([('loyalty_purchase_probability_30d', '>=', 0.5),
                                                 ('id', 'in', self.customers.ids)])
        self.assertEqual(likely, self.customers.filtered(lambda c: c.loyalty_purchase_probability_30d >= 0.5))

    def test_thin_data_uses_the_baseline_and_says_so(self):
        other = self.env['res.company'].create({'name': 'Thin Co'})
        customer = self._create_customer('Lone Buyer')
        self._order(customer, 80, 30, company=other)
        self._order(customer, 120, 10, company=other)
        with self.assertLogs('odoo.addons.crm_loyalty', 'WARNING') as logs:
            self._recompute()
        self.assertTrue(any('baseline' in line for line in logs.output))
        fit = other.loyalty_clv_fit
        self.assertFalse(fit['bgnbd_fitted'])
        self.assertIn('repeat purchase', fit['bgnbd_reason'])
        figures = customer.with_company(other)
        self.assertTrue(math.isfinite(figures.clv_predicted))
        self.assertEqual(figures.probability_alive, 1.0)

    def test_partial_recompute_places_customers_in_the_population(self):
        self._recompute()
        c = self.customers
        self._order(c[0], 2000, 1)   # customer 1 becomes the most recent and the biggest
        self._recompute(partners=c[0])
        self.assertEqual(c[0].rfm_r_score, 5)
        self.assertEqual(c[0].rfm_m_score, 5)
        self.assertEqual(c[0].abc_class, 'a')
        # the others are not written by a partial recompute
        self.assertEqual(c[9].rfm_r_score, 5)

    def test_batches_give_the_same_figures_as_one_pass(self):
        self._recompute()
        one_pass = self.customers.read(WRITTEN_FIELDS)
        self.env['crm.loyalty.engine'].with_context(crm_loyalty_batch_size=3)._recompute(as_of=self.AS_OF)
        self.env.invalidate_all()
        self.assertEqual(self.customers.read(WRITTEN_FIELDS), one_pass)

    def test_monthly_snapshot_is_kept_once_per_month(self):
        self._recompute()
        self._recompute(as_of=self.AS_OF + timedelta(days=1))
        snapshots = self.env['crm.loyalty.snapshot'].search([('partner_id', 'in', self.customers.ids)])
        self.assertEqual(len(snapshots), 10)
        self.assertEqual(set(snapshots.mapped('date')), {date(2026, 11, 1)})
        self._recompute(as_of=date(2026, 12, 2))
        snapshots = self.env['crm.loyalty.snapshot'].search([('partner_id', '=', self.customers[9].id)])
        self.assertEqual(snapshots.mapped('date'), [date(2026, 12, 1), date(2026, 11, 1)])
        self.assertEqual(snapshots[1].rfm_segment, 'champions')

    def test_another_worker_running_the_company_is_left_alone(self):
        connection = db_connect(self.env.cr.dbname)
        with connection.cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", (0x10ca17, self.company.id))
            try:
                self.assertEqual(self._recompute(), 0)
            finally:
                other.execute("SELECT pg_advisory_unlock(%s, %s)", (0x10ca17, self.company.id))
        self.assertFalse(self.customers[9].rfm_segment)
        self.assertEqual(self._recompute(), 10)

    def test_recompute_now_runs_the_cron_in_the_background(self):
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)])
        action = self.env['res.config.settings'].create({}).action_loyalty_recompute()
        self.assertEqual(action['tag'], 'display_notification')
        self.assertEqual(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]), triggers + 1)

    def test_daily_cron_recomputes_everything(self):
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        cron.method_direct_trigger()
        self.assertEqual(self.customers[9].loyalty_scored_date, date.today())
        self.assertTrue(self.customers[9].rfm_segment)


@tagged('post_install', '-at_install')
class TestTiers(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)

    def history(self, partner=None):
        return self.env['crm.loyalty.tier.history'].search(
            [('partner_id', '=', (partner or self.customer).id)], order='id')

    def test_downgrade_waits_for_the_grace_period(self):
        self._order(self.customer, 900, date(2025, 12, 1))
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.relationship_level, 'proactive')
        # the purchase leaves the window on 2026-12-01: below Gold from then on
        self._recompute(as_of=date(2026, 12, 2))
        self.assertEqual(self.customer.loyalty_tier_computed_id.id, False)
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.loyalty_tier_below_since, date(2026, 12, 2))
        self.assertIn("grace period until", self.customer.loyalty_tier_explanation)
        self._recompute(as_of=date(2026, 12, 31))    # 29 days below
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self._recompute(as_of=date(2027, 1, 1))      # 30 days below: downgraded
        self.assertFalse(self.customer.loyalty_tier_id)
        self.assertFalse(self.customer.loyalty_tier_below_since)
        changes = self.history()
        self.assertEqual([(c.from_tier_id, c.to_tier_id, c.direction) for c in changes],
                         [(self.env['crm.loyalty.tier'], self.gold, 'up'),
                          (self.gold, self.env['crm.loyalty.tier'], 'down')])
        self.assertFalse(any(changes.mapped('manual')))
        self.assertIn("Loyalty tier: Gold → no tier", self.customer.message_ids[0].body)

    def test_figure_back_within_the_grace_period_keeps_the_tier(self):
        self._order(self.customer, 900, date(2025, 12, 1))
        self._recompute()
        self._recompute(as_of=date(2026, 12, 2))
        self.assertTrue(self.customer.loyalty_tier_below_since)
        self._order(self.customer, 850, date(2026, 12, 10))
        self._recompute(as_of=date(2026, 12, 10))
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertFalse(self.customer.loyalty_tier_below_since)
        self._recompute(as_of=date(2027, 2, 1))
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(len(self.history()), 1)

    def test_no_grace_downgrades_at_once(self):
        self.company.loyalty_tier_grace_days = 0
        self._order(self.customer, 900, date(2025, 12, 1))
        self._order(self.customer, 400, date(2026, 6, 1))
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self._recompute(as_of=date(2026, 12, 2))
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)

    def test_changing_a_threshold_moves_customers(self):
        self._order(self.customer, 500, 10)
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self.gold.min_value = 450
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.history()[-1].reason_code, 'up')
        self.assertEqual(self.history()[-1].reason_label, "Figure reached the tier's threshold")

    def test_tier_basis_purchase_count(self):
        self.company.loyalty_tier_basis = 'purchase_count'
        self.silver.min_value, self.gold.min_value = 2, 3
        for days in (1, 2, 2, 3):
            self._order(self.customer, 10, days)
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_metric, 3)
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)

    def test_override_holds_until_its_end_then_falls_back(self):
        self._order(self.customer, 900, 10)
        self._recompute()
        self.customer.write({'loyalty_tier_override_id': self.silver.id,
                             'loyalty_tier_override_reason': "Payment dispute",
                             'loyalty_tier_override_until': date.today() + timedelta(days=10)})
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        last = self.history()[-1]
        self.assertTrue(last.manual)
        self.assertRecordValues(last, [{'reason_code': 'override', 'reason': "Payment dispute",
                                        'reason_label': "Set by hand: Payment dispute"}])
        self.assertEqual(last.user_id, self.env.user)
        self._recompute(as_of=date.today() + timedelta(days=10))
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        self._recompute(as_of=date.today() + timedelta(days=11))
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertFalse(self.customer.loyalty_tier_override_id)
        self.assertEqual(self.history()[-1].reason_label, "Override ended: back to the computed tier")

    def test_override_needs_a_future_end_and_a_reason(self):
        self._order(self.customer, 900, 10)
        self._recompute()
        before = len(self.history())
        with self.assertRefused("cannot be in the past"):
            self.customer.write({'loyalty_tier_override_id': self.silver.id,
                                 'loyalty_tier_override_reason': "Too late",
                                 'loyalty_tier_override_until': date.today() - timedelta(days=1)})
        with self.assertRefused("reason"):
            self.customer.write({'loyalty_tier_override_id': self.silver.id})
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertFalse(self.customer.loyalty_tier_override_id)
        self.assertEqual(len(self.history()), before)

    def test_only_managers_override(self):
        user = self.env['res.users'].create({
            'name': 'Sales Rep', 'login': 'rep', 'groups_id': [Command.set([
                self.env.ref('crm_loyalty.group_loyalty_user').id, self.env.ref('base.group_partner_manager').id])]})
        with self.assertRefused("Only loyalty administrators", AccessError):
            self.customer.with_user(user).write({'loyalty_tier_override_id': self.silver.id,
                                                 'loyalty_tier_override_reason': "Friend"})
        with self.assertRefused("Only loyalty administrators", AccessError):
            self.customer.with_user(user).action_loyalty_recompute()
        self.assertFalse(self.customer.loyalty_tier_override_id)

    def test_relationship_level_follows_the_tier_unless_set_by_hand(self):
        self._order(self.customer, 900, 10)
        self._recompute()
        self.assertEqual(self.customer.relationship_level, 'proactive')
        self.customer.relationship_level = 'partnership'
        self.assertTrue(self.customer.relationship_level_manual)
        self._recompute()
        self.assertEqual(self.customer.relationship_level, 'partnership')
        self.customer.action_loyalty_level_follow_tier()
        self.assertEqual(self.customer.relationship_level, 'proactive')

    def test_an_override_without_purchase_is_kept(self):
        self.customer.write({'loyalty_tier_override_id': self.gold.id, 'loyalty_tier_override_reason': "VIP"})
        self._recompute()
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertFalse(self.customer.rfm_segment)

    def test_bad_thresholds_are_refused_and_nothing_is_saved(self):
        Tier = self.env['crm.loyalty.tier']
        count = Tier.search_count([])
        with self.assertRefused("cannot be negative"):
            Tier.create({'name': 'Minus', 'min_value': -1})
        with self.assertRefused("cannot share the threshold"):
            Tier.create({'name': 'Twin', 'min_value': 300})
        with self.assertRefused("cannot share the threshold"):
            self.gold.min_value = 300
        self.assertEqual(Tier.search_count([]), count)
        self.assertEqual(self.gold.min_value, 800)

    def test_tier_change_reads_in_the_readers_language(self):
        """A change made by a run in Chinese reads in English to an English user, and the
        chatter line is in the company's language whoever ran the engine."""
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'], overwrite=True)
        self.company.partner_id.lang = 'en_US'
        self._order(self.customer, 900, 10)
        self.env['crm.loyalty.engine'].with_context(lang='zh_CN')._recompute(as_of=self.AS_OF)
        change = self.history()
        self.assertEqual(change.reason_code, 'up')
        self.assertEqual(change.with_context(lang='en_US').reason_label, "Figure reached the tier's threshold")
        self.assertEqual(change.with_context(lang='zh_CN').reason_label, "指标达到该等级门槛")
        self.assertIn("Loyalty tier: no tier → Gold", self.customer.message_ids[0].body)
        self.customer.with_context(lang='zh_CN').write({
            'loyalty_tier_override_id': self.silver.id, 'loyalty_tier_override_reason': "付款纠纷",
            'loyalty_tier_override_until': date.today() + timedelta(days=10)})
        override = self.history()[-1]
        self.assertIn("Loyalty tier: Gold → Silver", self.customer.message_ids[0].body)
        self.assertEqual(override.with_context(lang='en_US').reason_label, "Set by hand: 付款纠纷")
        self.assertEqual(override.with_context(lang='zh_CN').reason_label, "手动设置：付款纠纷")

    def test_threshold_error_in_chinese(self):
        self.env['res.lang']._activate_lang('zh_CN')
        with self.assertRefused("门槛"):
            self.env['crm.loyalty.tier'].with_context(lang='zh_CN').create({'name': 'Minus', 'min_value': -5})


@tagged('post_install', '-at_install')
class TestCompanies(LoyaltyCase):

    def test_companies_never_see_each_others_figures(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        self._tiers(company=other, Bronze=100)
        self._order(self.customer, 500, 10)
        self._order(self.customer, 70, 3, company=other)
        self._order(self.customer, 80, 2, company=other)
        self._recompute()
        mine, theirs = self.customer, self.customer.with_company(other)
        self.assertEqual((mine.loyalty_revenue, mine.loyalty_purchase_count), (500, 1))
        self.assertEqual((theirs.loyalty_revenue, theirs.loyalty_purchase_count), (150, 2))
        self.assertFalse(mine.loyalty_tier_id)   # the other company's tiers do not apply here
        self.assertEqual(theirs.loyalty_tier_id.company_id, other)
        self.assertEqual(self.env['res.partner'].search_count(
            [('id', '=', self.customer.id), ('loyalty_revenue', '=', 500)]), 1)
        self.assertEqual(self.env['res.partner'].with_company(other).search_count(
            [('id', '=', self.customer.id), ('loyalty_revenue', '=', 150)]), 1)
        # a user of this company only sees neither the other company's tiers nor its history
        user = self.env['res.users'].create({
            'name': 'Local Rep', 'login': 'local_rep', 'company_id': self.company.id,
            'company_ids': [Command.set(self.company.ids)],
            'groups_id': [Command.set([self.env.ref('crm_loyalty.group_loyalty_user').id])]})
        Tier = self.env['crm.loyalty.tier'].with_user(user)
        self.assertFalse(Tier.search([('company_id', '=', other.id)]))
        self.assertFalse(self.env['crm.loyalty.tier.history'].with_user(user).search([('company_id', '=', other.id)]))
        self.assertTrue(self.env['crm.loyalty.tier.history'].search([('company_id', '=', other.id)]))


@tagged('post_install', '-at_install')
class TestOrderHook(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)

    def _draft(self, amount):
        return self.env['sale.order'].create({
            'partner_id': self.customer.id,
            'order_line': [Command.create({'product_id': self.product.id, 'price_unit': amount,
                                           'product_uom_qty': 1, 'tax_id': False})]})

    def test_confirming_updates_history_and_tier_in_the_transaction(self):
        self._draft(400).action_confirm()
        self.assertEqual(self.customer.loyalty_revenue, 400)
        self.assertEqual(self.customer.loyalty_purchase_count, 1)
        self.assertEqual(self.customer.loyalty_last_purchase_date, date.today())
        self.assertEqual(self.customer.loyalty_tier_id, self.silver)
        order = self._draft(500)
        order.action_confirm()
        self.assertEqual(self.customer.loyalty_revenue, 900)
        self.assertEqual(self.customer.loyalty_purchase_count, 1)   # same day
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertIn("Silver → Gold", self.customer.message_ids[0].body)
        order._action_cancel()
        self.assertEqual(self.customer.loyalty_revenue, 400)
        # a downgrade waits for the grace period, even from a cancellation
        self.assertEqual(self.customer.loyalty_tier_id, self.gold)
        self.assertEqual(self.customer.loyalty_tier_below_since, date.today())

    def test_confirmation_costs_a_constant_number_of_queries(self):
        self._draft(100).action_confirm()
        for amount in (200, 300):
            order = self._draft(amount)
            order.action_confirm()
            self.env.flush_all()
            self.env.invalidate_all()
            # the company's time zone, then one statement
            with self.assertQueryCount(4):
                self.env['crm.loyalty.engine']._refresh_partners(self.customer, self.company)

    def test_partner_list_with_loyalty_columns(self):
        partners = self.env['res.partner'].create([
            {'name': f'List Customer {i}', 'is_company': True, 'customer_rank': 1} for i in range(30)])
        for partner in partners[:10]:
            self._order(partner, 100, 5)
        self._recompute()
        view = self.env.ref('crm_loyalty.view_partner_list_loyalty')
        names = list(self.env['res.partner'].get_views([(view.id, 'list')])['models']['res.partner']['fields'])
        spec = {name: {} for name in names if name in self.env['res.partner']._fields}
        for name in ('loyalty_tier_id', 'loyalty_currency_id'):
            spec[name] = {'fields': {'display_name': {}}}
        domain = [('id', 'in', partners.ids)]
        self.env.invalidate_all()
        with self.assertQueryCount(6):
            result = self.env['res.partner'].web_search_read(domain, spec, limit=80)
        # one query per field group and relation, never per customer
        self.assertEqual(result['length'], 30)


@tagged('post_install', '-at_install')
class TestValueRange(LoyaltyCase):
    """Sixty customers drawn as the models assume (gamma purchase rates, beta dropout,
    gamma spends), enough for both fits to converge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(0)
        cls.customers = cls.env['res.partner']
        for i in range(60):
            customer = cls._create_customer(f'Buyer {i:02d}')
            day, rate, dropout = rng.randint(60, 360), rng.gammavariate(1.0, 1 / 40), rng.betavariate(1, 3)
            days = [day]
            while True:
                day -= max(1, round(rng.expovariate(rate)))
                if day < 1 or rng.random() < dropout:
                    break
                days.append(day)
            scale = rng.gammavariate(3, 10)
            for day in days:
                cls._order(customer, round(rng.gammavariate(4, scale), 2), day)
            cls.customers |= customer

    def test_predicted_value_has_a_range_around_it(self):
        self._recompute()
        fit = self.company.loyalty_clv_fit
        self.assertTrue(fit['bgnbd_fitted'] and fit['gamma_gamma_fitted'])
        for customer in self.customers:
            self.assertTrue(0 <= customer.clv_predicted_low <= customer.clv_predicted <= customer.clv_predicted_high,
                            customer.name)
        self.assertGreater(self.customers[-1].clv_predicted_high, self.customers[-1].clv_predicted_low)
        # a partial recompute reuses the stored fit and its covariance
        last = self.customers[-1]
        self.env.cr.execute("UPDATE res_partner SET clv_predicted_high = NULL WHERE id = %s", [last.id])
        last.invalidate_recordset()
        self._recompute(partners=last)
        self.assertGreater(last.clv_predicted_high, last.clv_predicted)

    def test_baseline_gives_no_range(self):
        other = self.env['res.company'].create({'name': 'Thin Co'})
        customer = self._create_customer('Lone Buyer')
        self._order(customer, 80, 30, company=other)
        self._order(customer, 120, 10, company=other)
        with self.assertLogs('odoo.addons.crm_loyalty', 'WARNING'):
            self._recompute()
        figures = customer.with_company(other)
        self.assertTrue(figures.clv_predicted)
        self.assertFalse(figures.clv_predicted_low)
        self.assertFalse(figures.clv_predicted_high)
        self.env.cr.execute("SELECT clv_predicted_high ->> %s FROM res_partner WHERE id = %s",
                            [str(other.id), customer.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
