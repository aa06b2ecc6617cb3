"""The relationship value beyond profit and lifetime: referrals, share of wallet and the
growth of a customer's revenue, on small histories computed by hand."""
from datetime import date, datetime, time, timedelta

from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger
from odoo.tools.sql import column_exists

from .common import LoyaltyCase

QUIET = ('odoo.addons.crm_loyalty.lib.clv', 'odoo.addons.crm_loyalty.models.crm_loyalty_engine')


@tagged('post_install', '-at_install')
class TestRelationshipValue(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.referrer = cls._create_customer('Jade Garden')
        cls.referrer_contact = cls.env['res.partner'].create({'name': 'Mr Wu', 'parent_id': cls.referrer.id})

    def _recompute(self, as_of=None, partners=None):
        with mute_logger(*QUIET):
            return super()._recompute(as_of, partners)

    def _stored(self, partner, field, company=None):
        """The raw stored value of a company-dependent figure (None when empty)."""
        self.env.flush_all()
        [(value,)] = self.env.execute_query(SQL(
            "SELECT %s -> %s FROM res_partner WHERE id = %s",
            SQL.identifier(field), str((company or self.company).id), partner.id))
        return value

    # --- referrals ----------------------------------------------------------------------

    def test_referrals_count_the_customers_referred_and_their_revenue(self):
        """Two referred customers bought: 100 in the window and 200 before it, and 50; a
        third never bought. The referrer, who never bought himself, gets 2, 150 and 350."""
        bought_twice = self._create_customer('Bamboo Teas', loyalty_referred_by_id=self.referrer.id)
        bought_once = self._create_customer('Cloud Mist', loyalty_referred_by_id=self.referrer.id)
        self._create_customer('Never Bought', loyalty_referred_by_id=self.referrer.id)
        self._order(bought_twice, 100, 10)
        self._order(bought_twice, 200, 500)     # before the 12-month window
        self._order(bought_once, 50, 20)
        self._recompute()
        self.assertEqual((self.referrer.loyalty_referral_count, self.referrer.loyalty_referral_revenue,
                          self.referrer.loyalty_referral_revenue_total), (2, 150, 350))
        self.assertEqual(self.referrer_contact.loyalty_referral_count, 2, "a contact shows his company's figures")
        self.assertEqual(bought_twice.loyalty_referral_count, 0)
        self.assertIn(self.referrer, self.env['res.partner'].search([('loyalty_referral_count', '>', 0)]))

    def test_a_referrer_who_is_a_contact_counts_for_his_company(self):
        referred = self._create_customer('Bamboo Teas', loyalty_referred_by_id=self.referrer_contact.id)
        self._order(referred, 80, 10)
        self._recompute()
        self.assertEqual((self.referrer.loyalty_referral_count, self.referrer.loyalty_referral_revenue), (1, 80))

    def test_referrals_across_companies_stay_apart(self):
        """The referred customer buys from the other company only: the referrer's figures
        there count him, here they do not."""
        other = self.env['res.company'].create({'name': 'Other Tea Company'})
        referred = self._create_customer('Bamboo Teas', loyalty_referred_by_id=self.referrer.id)
        self._order(referred, 120, 10, company=other)
        self._order(self.referrer, 30, 10)
        self._recompute()
        self.assertEqual((self.referrer.loyalty_referral_count, self.referrer.loyalty_referral_revenue), (0, 0))
        there = self.referrer.with_company(other)
        self.assertEqual((there.loyalty_referral_count, there.loyalty_referral_revenue), (1, 120))

    def test_a_customer_cannot_refer_himself(self):
        with self.assertRefused("cannot be referred by himself"):
            self.referrer.loyalty_referred_by_id = self.referrer_contact

    def test_the_referrer_and_the_wallet_are_set_on_the_customer_not_a_contact(self):
        contact = self.referrer_contact
        for field, value in (('loyalty_referred_by_id', self.customer.id), ('loyalty_wallet_estimate', 5000)):
            with self.subTest(field=field), self.assertRefused("set them on"):
                contact.write({field: value})
            self.assertFalse(contact[field])

    def test_an_opportunity_passes_its_referrer_to_its_customer(self):
        referred = self._create_customer('Bamboo Teas')
        already = self._create_customer('Cloud Mist', loyalty_referred_by_id=self.customer.id)
        Lead = self.env['crm.lead']
        Lead.create({'name': 'Tea for the office', 'partner_id': referred.id,
                     'loyalty_referred_by_id': self.referrer_contact.id})
        Lead.create({'name': 'More tea', 'partner_id': already.id, 'loyalty_referred_by_id': self.referrer.id})
        self.assertEqual(referred.loyalty_referred_by_id, self.referrer_contact)
        self.assertEqual(already.loyalty_referred_by_id, self.customer, "a referrer already known is kept")

    def test_a_referred_customers_first_purchase_thanks_his_referrer(self):
        referred = self._create_customer('Bamboo Teas', loyalty_referred_by_id=self.referrer_contact.id)
        order = self._order(referred, 80, 0, state='draft')
        order.action_confirm()          # the hook records the first purchase at once
        activity = self.env['ir.actions.server'].create({
            'name': 'Thank', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'next_activity',
            'activity_type_id': self.env.ref('mail.mail_activity_data_call').id, 'activity_summary': 'Thank him',
            'activity_user_type': 'specific', 'activity_user_id': self.env.user.id})
        rule = self.env['crm.loyalty.care.rule'].create({
            'name': 'Thank the referrer', 'trigger': 'referral_first_purchase', 'days': 0, 'partner_domain': '[]',
            'action_server_ids': [(6, 0, activity.ids)]})
        today = referred.loyalty_first_purchase_date
        self.assertEqual(rule._candidates(today), [(self.referrer.id, f'referred {referred.id}')])
        self.assertFalse(rule._candidates(date(today.year + 1, 1, 1)))

    # --- share of wallet ----------------------------------------------------------------

    def test_wallet_share_without_an_estimate_is_empty_not_zero(self):
        self._order(self.customer, 500, 10)
        self._recompute()
        self.assertIsNone(self._stored(self.customer, 'loyalty_wallet_share'))
        self.assertIsNone(self._stored(self.customer, 'loyalty_wallet_potential'))
        self.assertEqual(self.customer.loyalty_wallet_source, "No estimate")

    def test_wallet_share_of_the_estimate_else_of_the_tags_default(self):
        """Window revenue per year over the wallet: 500 of an estimate of 2 000 is 25 %; 100
        of the default 1 000 of the tag Retail is 10 % (the larger of two tags' defaults);
        an estimate wins over a tag's default: 200 of 4 000 is 5 %."""
        retail, small = self.env['res.partner.category'].create([{'name': 'Retail'}, {'name': 'Small'}])
        self.env['crm.loyalty.wallet.default'].create([
            {'category_id': retail.id, 'amount': 1000}, {'category_id': small.id, 'amount': 400}])
        estimated = self._create_customer('Bamboo Teas', loyalty_wallet_estimate=2000)
        tagged_shop = self._create_customer('Cloud Mist', category_id=[(6, 0, (retail | small).ids)])
        both = self._create_customer('Jade Leaf', category_id=[(6, 0, retail.ids)], loyalty_wallet_estimate=4000)
        for partner, amount in ((estimated, 500), (tagged_shop, 100), (both, 200)):
            self._order(partner, amount, 10)
        self._recompute()
        self.assertAlmostEqual(estimated.loyalty_wallet_share, 0.25)
        self.assertEqual(estimated.loyalty_wallet_potential, 2000)
        self.assertEqual(estimated.loyalty_wallet_source, f"Estimated by {self.env.user.name}")
        self.assertAlmostEqual(tagged_shop.loyalty_wallet_share, 0.1)
        self.assertEqual(tagged_shop.loyalty_wallet_category_id, retail)
        self.assertEqual(tagged_shop.loyalty_wallet_source, "Default of the tag Retail")
        self.assertAlmostEqual(both.loyalty_wallet_share, 0.05)
        self.assertFalse(both.loyalty_wallet_category_id)
        # wallets 1 000, 2 000, 4 000 (median 2 000): only 4 000 is large and less than a quarter ours
        self.assertEqual(self.env['res.partner'].search([('loyalty_wallet_low_share', '=', True)]), both)

    def test_wallet_share_is_per_year_of_a_longer_window(self):
        self.company.loyalty_window_months = 24
        estimated = self._create_customer('Bamboo Teas', loyalty_wallet_estimate=1000)
        self._order(estimated, 400, 10)
        self._order(estimated, 400, 400)
        self._recompute()
        self.assertAlmostEqual(estimated.loyalty_wallet_share, 0.4)

    def test_wallet_default_must_be_positive(self):
        retail = self.env['res.partner.category'].create({'name': 'Retail'})
        with self.assertRefused("must be positive"):
            self.env['crm.loyalty.wallet.default'].create({'category_id': retail.id, 'amount': 0})

    # --- capability value ---------------------------------------------------------------

    def test_revenue_growth_is_the_trend_of_the_window_revenue(self):
        """Window revenue 100 two months ago, 200 last month, 300 now: 100 a month on a mean
        of 200, a growth of 50 % a month. With one earlier month only: not measured."""
        growing = self._create_customer('Bamboo Teas')
        young = self._create_customer('Cloud Mist')
        self._order(growing, 300, 10)
        self._order(young, 300, 10)
        Snapshot = self.env['crm.loyalty.snapshot']
        month = self.AS_OF.replace(day=1)
        for partner, months_ago, revenue in ((growing, 2, 100), (growing, 1, 200), (young, 1, 150)):
            Snapshot.create({'partner_id': partner.id, 'company_id': self.company.id, 'revenue': revenue,
                             'date': date(month.year, month.month - months_ago, 1)})
        self._recompute()
        self.assertAlmostEqual(growing.loyalty_revenue_growth, 0.5)
        self.assertIsNone(self._stored(young, 'loyalty_revenue_growth'))

    # --- preference card ----------------------------------------------------------------

    def _basket(self, partner, products, days_ago):
        """A confirmed order of one line of 10 of each product, ``days_ago`` days before AS_OF."""
        return self.env['sale.order'].create({
            'partner_id': partner.id, 'state': 'sale',
            'date_order': datetime.combine(self.AS_OF - timedelta(days=days_ago), time(10)),
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': 10, 'tax_id': False})
                           for product in products]})

    def test_favourite_products_keep_ties_and_the_usual_order_is_the_basket_bought_most(self):
        """Days bought: A 3, B 2, C 2, E 2, D 1: A first, B, C and E share the second rank
        and are all kept, D is left out. A and B together on two days are the usual order."""
        Product = self.env['product.product']
        green = self.env['product.category'].create({'name': 'Green Tea'})
        a, b, c, d, e = Product.create([{'name': name, 'type': 'consu', 'categ_id': green.id}
                                        for name in ('A', 'B', 'C', 'D', 'E')])
        for products, days_ago in (((a, b), 10), ((a, b), 20), ((c,), 30), ((c, a), 40), ((d, e), 50), ((e,), 60)):
            self._basket(self.customer, products, days_ago)
        self._recompute()
        preferences = self.customer.loyalty_preference_ids
        self.assertEqual({(row.product_id.name, row.rank, row.purchase_count)
                          for row in preferences if row.kind == 'product'},
                         {('A', 1, 3), ('B', 2, 2), ('C', 2, 2), ('E', 2, 2)})
        self.assertEqual(self.customer.loyalty_favourite_product_ids[:1], a)
        self.assertEqual(self.customer.loyalty_favourite_category_ids, green)
        self.assertEqual(self.customer.loyalty_usual_order_product_ids, a | b)
        self.assertEqual(preferences.filtered(lambda row: row.kind == 'basket').mapped('purchase_count'), [2, 2])

    def test_a_customer_who_bought_once_has_no_preference_yet(self):
        """One purchase is not a habit: no favourite, no usual order or day, whatever he bought."""
        other = self.env['product.product'].create({'name': 'Jasmine Tea', 'type': 'consu'})
        self._basket(self.customer, self.product | other, 10)
        self._recompute()
        self.assertTrue(self.customer.loyalty_last_purchase_date)
        self.assertFalse(self.customer.loyalty_preference_ids)
        self.assertFalse(self.customer.loyalty_favourite_product_ids)
        self.assertFalse(self.customer.loyalty_favourite_category_ids)
        self.assertFalse(self.customer.loyalty_usual_order_product_ids)
        self.assertFalse(self.customer.loyalty_usual_weekday)

    def test_a_preference_is_bought_on_two_days_at_least(self):
        """The tea on two days, the jasmine once, the tea and the jasmine together once: the
        tea is his favourite, the jasmine is not (even among his first three), and his only
        basket bought twice, the tea alone, is his usual order. Its category, bought on three
        days, is his favourite category."""
        jasmine = self.env['product.product'].create({
            'name': 'Jasmine Tea', 'type': 'consu', 'categ_id': self.product.categ_id.id})
        for products, days_ago in (((self.product,), 10), ((self.product,), 20), ((jasmine,), 30)):
            self._basket(self.customer, products, days_ago)
        self._recompute()
        self.assertEqual(self.customer.loyalty_favourite_product_ids, self.product)
        self.assertEqual(self.customer.loyalty_favourite_category_ids, self.product.categ_id)
        self.assertEqual(self.customer.loyalty_usual_order_product_ids, self.product)
        card = self.customer.loyalty_preference_ids
        self.assertEqual(sorted((row.kind, row.rank, row.purchase_count) for row in card),
                         [('basket', 1, 2), ('category', 1, 3), ('product', 1, 2)])

    def test_usual_order_day_is_the_weekday_bought_on_most(self):
        """AS_OF, 22 November 2026, is a Sunday: bought on three Sundays and a Saturday."""
        for days_ago in (7, 14, 21, 1):
            self._order(self.customer, 10, days_ago)
        self._recompute()
        self.assertEqual(self.customer.loyalty_usual_weekday, '7')

    def test_a_habits_days_are_the_companys_days(self):
        """Tea ordered at 23:30 and at 00:30 in Shanghai (15:30 and 16:30 UTC, one UTC day):
        two days there, a habit; in New York both orders fall on one day, no habit."""
        evening = datetime.combine(self.AS_OF - timedelta(days=10), time(15, 30))
        for moment in (evening, evening + timedelta(hours=1)):
            self.env['sale.order'].create({
                'partner_id': self.customer.id, 'state': 'sale', 'date_order': moment,
                'order_line': [(0, 0, {'product_id': self.product.id, 'price_unit': 10, 'tax_id': False})]})
        for tz, favourites in (('Asia/Shanghai', self.product), ('America/New_York', self.product.browse())):
            with self.subTest(tz=tz):
                self.company.partner_id.tz = tz
                self._recompute()
                self.customer.invalidate_recordset()
                self.assertEqual(self.customer.loyalty_favourite_product_ids, favourites)
                self.assertEqual(bool(self.customer.loyalty_usual_weekday), bool(favourites))

    def test_the_card_rewrites_only_what_changed(self):
        """Tea on two days; then jasmine on two more: the tea's rows stay as they were (same
        ids), the category's days change, the jasmine joins the tea at the first rank. With
        the jasmine and one tea order cancelled, no habit is left: the card empties."""
        jasmine = self.env['product.product'].create({
            'name': 'Jasmine Tea', 'type': 'consu', 'categ_id': self.product.categ_id.id})
        teas = [self._basket(self.customer, self.product, days_ago) for days_ago in (10, 20)]
        self._recompute()

        def card():
            return {(row.kind, (row.product_id or row.category_id).name, row.rank, row.purchase_count): row.id
                    for row in self.customer.loyalty_preference_ids}
        before = card()
        jasmines = [self._basket(self.customer, jasmine, days_ago) for days_ago in (30, 40)]
        self._recompute()
        after = card()
        tea, category = self.product.name, self.product.categ_id.name
        self.assertEqual(set(after), {('product', tea, 1, 2), ('product', 'Jasmine Tea', 1, 2),
                                      ('category', category, 1, 4), ('basket', tea, 1, 2)})
        for kept in (('product', tea, 1, 2), ('basket', tea, 1, 2)):
            self.assertEqual(after[kept], before[kept])
        self.assertNotIn(('category', category, 1, 2), after)
        cancelled = jasmines[0] | jasmines[1] | teas[0]
        cancelled.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(set(cancelled.mapped('state')), {'cancel'})
        self._recompute()
        self.assertFalse(self.customer.loyalty_preference_ids)
        self.assertFalse(self.env['crm.loyalty.preference'].search([('partner_id', '=', self.customer.id)]))

    def test_the_card_is_written_without_log_columns(self):
        """The engine writes the card in bulk: no log columns, whose foreign keys to the
        users it would check on every row. The migration of 18.0.1.2.0 drops those of a
        database that had them, and the engine writes the card again."""
        self.assertFalse(column_exists(self.env.cr, 'crm_loyalty_preference', 'create_uid'))
        self.env.cr.execute("""ALTER TABLE crm_loyalty_preference
                                 ADD COLUMN create_uid int REFERENCES res_users ON DELETE SET NULL,
                                 ADD COLUMN create_date timestamp, ADD COLUMN write_uid int REFERENCES res_users,
                                 ADD COLUMN write_date timestamp""")
        # a one-off purchase, a favourite before 18.0.1.2.0
        self.env.cr.execute("""INSERT INTO crm_loyalty_preference
                                      (partner_id, company_id, kind, product_id, rank, purchase_count, create_uid)
                               VALUES (%s, %s, 'product', %s, 1, 1, %s)""",
                            [self.customer.id, self.company.id, self.product.id, self.env.uid])
        load_script('crm_loyalty/migrations/18.0.1.2.0/post-migrate.py', 'crm_loyalty_migration').migrate(
            self.env.cr, '18.0.1.1.0')
        for column in ('create_uid', 'create_date', 'write_uid', 'write_date'):
            self.assertFalse(column_exists(self.env.cr, 'crm_loyalty_preference', column), column)
        self.env.invalidate_all()
        self.assertFalse(self.customer.loyalty_preference_ids)
        for days_ago in (10, 40):
            self._basket(self.customer, self.product, days_ago)
        self._recompute()
        self.assertEqual(self.customer.loyalty_favourite_product_ids, self.product)

    def test_the_favourite_product_in_an_email_template(self):
        self._basket(self.customer, self.product, 10)
        self._basket(self.customer, self.product, 40)
        self._recompute()
        template = self.env['mail.template'].create({
            'name': 'Your usual', 'model_id': self.env['ir.model']._get_id('res.partner'),
            'subject': 'Your usual {{ object.loyalty_favourite_product_ids[:1].name }}'})
        subject = template._render_field('subject', self.customer.ids)[self.customer.id]
        self.assertEqual(subject, 'Your usual Oolong Tea')

    def test_a_contact_shows_his_companys_preference_card(self):
        """Her order and her company's, on two days, make the company's habit."""
        contact = self.env['res.partner'].create({'name': 'Ms Lin', 'parent_id': self.customer.id})
        self._basket(contact, self.product, 10)
        self._basket(self.customer, self.product, 20)
        self._recompute()
        self.assertEqual(contact.loyalty_favourite_product_ids, self.product)
        self.assertEqual(self.customer.loyalty_favourite_product_ids, self.product)
