from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..models.res_partner import SCORE_FIELDS
from .common import LoyaltyCase

# The scorecard view counts from CURRENT_DATE: every date here is relative to today.
TODAY = fields.Date.today()
YEAR_START = TODAY.replace(month=1, day=1)
A_YEAR_AGO = TODAY - relativedelta(years=1)
LAST_YEAR_START = YEAR_START - relativedelta(years=1)


@tagged('post_install', '-at_install')
class TestChannelScorecard(LoyaltyCase):
    """Distributor D serves reseller R and end customers E1 (with a contact C) and E3;
    R serves E2. Orders, by hand:

    ======== ===================================== ===================================
    partner  this year (Jan 1 → today)             same period last year
    ======== ===================================== ===================================
    D        100 today                             —
    E1       200 on Jan 1                          —
    C (E1)   50 today                              —
    R        —                                     300 a year ago today
    E2       400 today                             200 on Jan 1 last year
    E3       —                                     100 a year ago today
    ======== ===================================== ===================================

    Not counted: D's cancelled and draft orders, E1's order of tomorrow, E2's order of
    Dec 31 the year before last, the orders of X (outside the channel).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Grade = cls.env['crm.loyalty.channel.grade']
        cls.gold = Grade.create({'name': 'Gold', 'level': 3, 'company_id': cls.company.id})
        cls.distributor = cls._create_customer(
            'Pearl River Distribution', channel_role='distributor', channel_target=1000.0,
            channel_grade_id=cls.gold.id, satisfaction_score=4.25)
        cls.reseller = cls._create_customer(
            'Canton Tea Resellers', channel_role='reseller', channel_parent_id=cls.distributor.id,
            satisfaction_score=3.75)
        cls.south = cls._create_customer('South Distribution', channel_role='distributor', channel_target=400.0)
        cls.e1 = cls._create_customer('Jade Teahouse', channel_parent_id=cls.distributor.id)
        cls.contact = cls.env['res.partner'].create({'name': 'Mei Chen', 'parent_id': cls.e1.id})
        cls.e2 = cls._create_customer('Lychee Café', channel_parent_id=cls.reseller.id)
        cls.e3 = cls._create_customer('Bamboo Corner', channel_parent_id=cls.distributor.id)
        cls.outsider = cls._create_customer('Direct Buyer')

        cls._order(cls.distributor, 100, TODAY)
        cls._order(cls.distributor, 1000, TODAY, state='cancel')
        cls._order(cls.distributor, 1000, TODAY, state='draft')
        cls._order(cls.e1, 200, YEAR_START)
        cls._order(cls.e1, 800, TODAY + timedelta(days=1))
        cls._order(cls.contact, 50, TODAY)
        cls._order(cls.reseller, 300, A_YEAR_AGO)
        cls._order(cls.e2, 400, TODAY)
        cls._order(cls.e2, 200, LAST_YEAR_START)
        cls._order(cls.e2, 700, LAST_YEAR_START - timedelta(days=1))
        cls._order(cls.e3, 100, A_YEAR_AGO)
        cls._order(cls.outsider, 900, TODAY)

        Complaint = cls.env['crm.loyalty.complaint']
        Complaint.create({'subject': 'Late truck', 'partner_id': cls.distributor.id})
        Complaint.create({'subject': 'Broken seal', 'partner_id': cls.e2.id}).action_start()
        Complaint.create({'subject': 'Wrong tea', 'partner_id': cls.contact.id})
        resolved = Complaint.create({'subject': 'Invoice typo', 'partner_id': cls.e1.id,
                                     'resolution': '<p>Corrected.</p>'})
        resolved.action_resolve()
        Complaint.create({'subject': 'Never mind', 'partner_id': cls.e3.id}).action_cancel()
        Complaint.create({'subject': 'Not ours', 'partner_id': cls.outsider.id})

        cls._conflict(cls.distributor, cls.south, TODAY)
        cls._conflict(cls.distributor, cls.south, YEAR_START, state='confirmed')
        cls._conflict(cls.distributor, cls.south, TODAY, state='dismissed')
        cls._conflict(cls.distributor, cls.south, YEAR_START - timedelta(days=1))
        cls._conflict(cls.south, cls.distributor, TODAY)
        cls._conflict(cls.reseller, False, TODAY)
        # the customers as the engine scores them when their orders are confirmed
        cls.env['crm.loyalty.engine']._recompute()

    @classmethod
    def _conflict(cls, seller, expected, day, state='new', company=None):
        company = company or cls.company
        order = cls._order(cls.outsider, 10, day, state='draft', company=company)
        return cls.env['crm.loyalty.channel.conflict'].create({
            'name': order.name, 'sale_order_id': order.id, 'company_id': company.id, 'date': day,
            'kind': 'outside', 'distributor_id': seller.id,
            'expected_distributor_id': expected and expected.id, 'state': state,
        })

    def _scorecard(self, partner, company=None):
        return self.env['crm.loyalty.channel.scorecard'].search([
            ('partner_id', '=', partner.id), ('company_id', '=', (company or self.company).id)])

    def _other_company(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        platinum = self.env['crm.loyalty.channel.grade'].create(
            {'name': 'Platinum', 'level': 4, 'company_id': other.id})
        self.distributor.with_company(other).write({'channel_target': 2000.0, 'channel_grade_id': platinum.id})
        self._order(self.e2, 5000, TODAY, company=other)
        self.env['crm.loyalty.engine']._recompute(partners=self.e2)
        self.env['crm.loyalty.complaint'].with_company(other).create(
            {'subject': 'Customs delay', 'partner_id': self.distributor.id, 'company_id': other.id})
        self._conflict(self.distributor, self.south, TODAY, company=other)
        return other, platinum

    # --- Figures --------------------------------------------------------------------

    def test_distributor_figures_cover_his_whole_channel(self):
        self.assertRecordValues(self._scorecard(self.distributor), [{
            'channel_role': 'distributor',
            'channel_parent_id': False,
            'grade_id': self.gold.id,
            'currency_id': self.company.currency_id.id,
            'revenue_ytd': 750.0,           # 100 + 200 + 50 + 400
            'revenue_last_ytd': 600.0,      # 300 + 200 + 100
            'growth': 25.0,                 # 750 / 600 - 1
            'target': 1000.0,
            'target_achievement': 75.0,     # 750 / 1000
            'customers_active': 2,          # E1 (through his contact) and E2; R and E3 bought a year ago
            'satisfaction': 4.25,
            'complaints_open': 3,           # D's, E2's in progress, C's for E1
            'conflicts_caused': 2,          # this year, not dismissed
            'conflicts_suffered': 1,
        }])

    def test_reseller_figures_cover_his_own_channel_only(self):
        self.assertRecordValues(self._scorecard(self.reseller), [{
            'channel_role': 'reseller',
            'channel_parent_id': self.distributor.id,
            'grade_id': False,
            'revenue_ytd': 400.0,
            'revenue_last_ytd': 500.0,      # 300 + 200
            'growth': -20.0,
            'target': 0.0,
            'customers_active': 1,
            'satisfaction': 3.75,
            'complaints_open': 1,
            'conflicts_caused': 1,
            'conflicts_suffered': 0,
        }])

    def test_empty_figures_are_left_out_of_averages(self):
        """Growth without revenue last year, achievement without target and satisfaction
        without answer are empty, not zero: they don't pull an average down."""
        self.assertRecordValues(self._scorecard(self.south), [{
            'revenue_ytd': 0.0, 'revenue_last_ytd': 0.0, 'target_achievement': 0.0, 'customers_active': 0,
            'complaints_open': 0, 'conflicts_caused': 1, 'conflicts_suffered': 2,
        }])
        [[growth, achievement, satisfaction]] = self.env['crm.loyalty.channel.scorecard']._read_group(
            [('partner_id', 'in', (self.distributor | self.reseller | self.south).ids),
             ('company_id', '=', self.company.id)],
            [], ['growth:avg', 'target_achievement:avg', 'satisfaction:avg'])
        self.assertAlmostEqual(growth, 2.5)          # (25 - 20) / 2: South has no revenue last year
        self.assertAlmostEqual(achievement, 37.5)    # (75 + 0) / 2: the reseller has no target
        self.assertAlmostEqual(satisfaction, 4.0)    # (4.25 + 3.75) / 2: South has no answer

    def test_same_period_last_year_ends_on_this_day_last_year(self):
        distributor = self._create_customer('North Distribution', channel_role='distributor')
        day_after = A_YEAR_AGO + timedelta(days=1)
        self._order(distributor, 100, A_YEAR_AGO)
        self._order(distributor, 10, day_after)
        scorecard = self._scorecard(distributor)
        self.assertEqual(scorecard.revenue_last_ytd, 100.0)
        # on December 31st, the day after this day last year is January 1st of this year
        self.assertEqual(scorecard.revenue_ytd, 10.0 if day_after >= YEAR_START else 0.0)

    def test_active_customers_bought_in_the_last_365_days(self):
        distributor = self._create_customer('North Distribution', channel_role='distributor')
        recent, lapsed, cancelled = (
            self._create_customer(name, channel_parent_id=distributor.id)
            for name in ('Recent Buyer', 'Lapsed Buyer', 'Cancelled Buyer'))
        self._order(recent, 10, TODAY - timedelta(days=364))
        self._order(lapsed, 10, TODAY - timedelta(days=365))
        self._order(cancelled, 10, TODAY, state='cancel')
        self._order(distributor, 10, TODAY)
        self.env['crm.loyalty.engine']._recompute()
        self.assertEqual(self._scorecard(distributor).customers_active, 1, "the distributor himself is not counted")

    def test_active_customers_are_customers_of_the_company(self):
        """An archived customer, or one the engine has not scored, is no customer of the
        company: the scorecard counts as every list of customers does."""
        distributor = self._create_customer('North Distribution', channel_role='distributor')
        archived, unscored = (self._create_customer(name, channel_parent_id=distributor.id)
                              for name in ('Closed Shop', 'Not Yet Scored'))
        self._order(archived, 10, TODAY)
        self.env['crm.loyalty.engine']._recompute()
        archived.active = False
        self._order(unscored, 10, TODAY)
        self.assertEqual(self._scorecard(distributor).customers_active, 0)
        self.env['crm.loyalty.engine']._recompute(partners=unscored)
        self.env.invalidate_all()   # the scorecard is a view: the ORM does not know it changed
        self.assertEqual(self._scorecard(distributor).customers_active, 1)

    def test_orders_in_another_currency_count_in_company_currency(self):
        eur = self.env.ref('base.EUR')
        eur.active = True
        self.env['res.currency.rate'].create({
            'currency_id': eur.id, 'company_id': self.company.id, 'name': LAST_YEAR_START - timedelta(days=1),
            'rate': 2.0 * self.company.currency_id.with_company(self.company).rate})
        pricelist = self.env['product.pricelist'].create({'name': 'Euro', 'currency_id': eur.id})
        self._order(self.e3, 300, TODAY, pricelist=pricelist)
        self.assertEqual(self._scorecard(self.distributor).revenue_ytd, 750.0 + 150.0)

    def test_figures_follow_changes_at_once(self):
        self.e3.channel_parent_id = self.south
        self._order(self.e3, 40, TODAY)
        self.assertRecordValues(self._scorecard(self.distributor) | self._scorecard(self.south), [
            {'revenue_ytd': 750.0, 'revenue_last_ytd': 500.0, 'customers_active': 2},
            {'revenue_ytd': 40.0, 'revenue_last_ytd': 100.0, 'customers_active': 1},
        ])

    # --- Rows -----------------------------------------------------------------------

    def test_only_channel_partners_have_a_scorecard(self):
        Scorecard = self.env['crm.loyalty.channel.scorecard']
        distributor_contact = self.env['res.partner'].create({'name': 'Li Wei', 'parent_id': self.distributor.id})
        self.assertEqual(distributor_contact.channel_role, 'distributor')
        archived = self._create_customer('Closed Distribution', channel_role='distributor', active=False)
        for partner in (self.e1, self.contact, self.outsider, distributor_contact, archived):
            with self.subTest(partner=partner.name):
                self.assertFalse(Scorecard.search([('partner_id', '=', partner.id)]))

    def test_other_company_is_isolated(self):
        other, platinum = self._other_company()
        self.assertRecordValues(self._scorecard(self.distributor), [{
            'grade_id': self.gold.id, 'revenue_ytd': 750.0, 'target': 1000.0, 'customers_active': 2,
            'complaints_open': 3, 'conflicts_caused': 2,
        }])
        self.assertRecordValues(self._scorecard(self.distributor, other), [{
            'currency_id': other.currency_id.id, 'grade_id': platinum.id,
            'revenue_ytd': 5000.0, 'revenue_last_ytd': 0.0, 'target': 2000.0, 'target_achievement': 250.0,
            'customers_active': 1, 'satisfaction': 0.0, 'complaints_open': 1,
            'conflicts_caused': 1, 'conflicts_suffered': 0,
        }])
        user = new_test_user(self.env, 'scorecard.user', groups='base.group_user,crm_loyalty.group_loyalty_user',
                             company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        seen = self.env['crm.loyalty.channel.scorecard'].with_user(user).search([])
        self.assertIn(self.distributor, seen.partner_id)
        self.assertEqual(seen.company_id, self.company)

    def test_partner_of_one_company_has_no_row_in_another(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        self.reseller.company_id = self.company
        self.assertTrue(self._scorecard(self.reseller))
        self.assertFalse(self._scorecard(self.reseller, other))
        self.assertTrue(self._scorecard(self.distributor, other), "a shared partner has a row in each company")

    # --- Partner form ---------------------------------------------------------------

    def test_partner_form_shows_the_current_company_scorecard(self):
        other, _platinum = self._other_company()
        distributor_contact = self.env['res.partner'].create({'name': 'Li Wei', 'parent_id': self.distributor.id})
        # a contact shows his company's scorecard; a partner outside the channel has none
        partners = self.distributor | self.reseller | self.south | distributor_contact | self.e1
        shown = [self.distributor, self.reseller, self.south, self.distributor, None]
        for company in (self.company, other):
            with self.subTest(company=company.name):
                self.assertRecordValues(partners.with_company(company), [
                    {f'channel_score_{name}': self._scorecard(partner, company)[name] if partner else 0
                     for name in SCORE_FIELDS}
                    for partner in shown])

    def test_partner_form_figures_cost_the_same_for_one_or_many(self):
        distributors = self.distributor | self.reseller | self.south | self.env['res.partner'].create([
            {'name': f'Distributor {n}', 'is_company': True, 'channel_role': 'distributor'} for n in range(2)])
        distributors.mapped('channel_score_revenue_ytd')
        for partners in (distributors[:1], distributors):
            self.env.invalidate_all()
            # the partners, their scorecards, the company's currency to round the amounts (2)
            with self.assertQueryCount(4):
                partners.mapped('channel_score_revenue_ytd')
