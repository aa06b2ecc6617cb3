"""One definition of a customer of the company, and every count and list of customers
keeping to it: the dashboard, its lists, the tiers, the territories, the scorecards and
the export."""
import io

import openpyxl

from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.local_day import company_today
from ..models.res_partner import loyalty_customer_sql
from .common import LoyaltyCase, action_domain

QUIET = ('odoo.addons.crm_loyalty.lib.clv', 'odoo.addons.crm_loyalty.models.crm_loyalty_engine')


@tagged('post_install', '-at_install')
class TestLoyaltyCustomer(LoyaltyCase):
    """Of the company's partners, two are its customers: Acme Teas (a company that bought,
    through its contacts too, in the territory East, served by the distributor Pearl River)
    and Li Na (a person of no company who bought). The others are not: Acme's three
    contacts (they carry Acme's figures), a vendor, a customer of another company only, a
    partner with a customer rank but no purchase, a partner whose only order was
    cancelled, and an archived customer who bought."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env['res.partner']
        cls.env['crm.loyalty.tier'].search([('company_id', '=', cls.company.id)]).active = False
        cls.gold, = cls._tiers(Gold=100)
        china = cls.env.ref('base.cn')
        cls.east = cls.env['crm.loyalty.territory'].create({'name': 'East', 'country_ids': [(6, 0, china.ids)]})
        cls.distributor = cls._create_customer('Pearl River Distribution', channel_role='distributor')
        cls.acme = cls._create_customer('Acme Teas', country_id=china.id, channel_parent_id=cls.distributor.id)
        cls.contacts = Partner.create([{'name': name, 'parent_id': cls.acme.id, 'customer_rank': 1}
                                       for name in ('Mei Chen', 'Wang Lei', 'Zhou Yu')])
        cls.li_na = Partner.create({'name': 'Li Na', 'customer_rank': 1, 'country_id': china.id})
        cls.vendor = Partner.create({'name': 'Yunnan Leaf Growers', 'is_company': True, 'supplier_rank': 1,
                                     'country_id': china.id})
        cls.other = cls.env['res.company'].create({'name': 'Tea Export Ltd'})
        cls.theirs = cls._create_customer('Their Customer', country_id=china.id, channel_parent_id=cls.distributor.id)
        cls.prospect = cls._create_customer('Only a Prospect', country_id=china.id)
        cls.cancelled = cls._create_customer('Cancelled Buyer', country_id=china.id)
        cls.archived = cls._create_customer('Closed Shop', country_id=china.id, channel_parent_id=cls.distributor.id)
        today = company_today(cls.company)
        cls._order(cls.acme, 300, today)
        cls._order(cls.contacts[0], 200, today)
        cls._order(cls.li_na, 50, today)
        cls._order(cls.theirs, 900, today, company=cls.other)
        cls._order(cls.cancelled, 400, today, state='cancel')
        cls._order(cls.archived, 500, today)
        with mute_logger(*QUIET):
            cls.env['crm.loyalty.engine']._recompute()
        cls.archived.active = False
        cls.customers = cls.acme | cls.li_na

    def _sql_customers(self, company):
        """The partners the SQL form of the rule selects for ``company``."""
        self.env['res.partner'].flush_model()
        self.env['res.company'].flush_model()
        rows = self.env.execute_query(SQL(
            "SELECT p.id FROM res_partner p JOIN res_company c ON c.id = %s WHERE %s",
            company.id, loyalty_customer_sql('p', 'c')))
        return self.env['res.partner'].browse(sorted(row[0] for row in rows))

    def test_customers_of_the_company(self):
        Partner = self.env['res.partner']
        everyone = Partner.with_context(active_test=False).search([('id', 'in', (
            self.customers | self.contacts | self.vendor | self.theirs | self.prospect | self.cancelled
            | self.archived).ids)])
        self.assertEqual(len(everyone), 10)
        self.assertEqual(Partner.search(Partner._loyalty_customer_domain()) & everyone, self.customers)
        self.assertEqual(everyone.filtered('loyalty_customer'), self.customers)
        self.assertEqual(Partner.search([('loyalty_customer', '=', True)]) & everyone, self.customers)
        self.assertEqual(Partner.search([('loyalty_customer', '=', False), ('id', 'in', everyone.ids)]),
                         everyone - self.customers - self.archived)
        # the other company's customers are its own
        theirs = Partner.with_company(self.other)
        self.assertEqual(theirs.search(theirs._loyalty_customer_domain()) & everyone, self.theirs)

    def test_the_sql_form_selects_the_same_partners(self):
        Partner = self.env['res.partner']
        for company in (self.company, self.other):
            with self.subTest(company=company.name):
                Partner = Partner.with_company(company)
                self.assertEqual(self._sql_customers(company),
                                 Partner.with_context(active_test=False).search(Partner._loyalty_customer_domain()))

    def test_every_count_agrees(self):
        Partner = self.env['res.partner']
        customers = Partner.search(Partner._loyalty_customer_domain())
        self.assertLessEqual(self.customers, customers)
        data = self.env['crm.loyalty.dashboard'].get_dashboard_data()
        headline = data['headline']['customers']
        self.assertEqual(headline['count'], len(customers))
        self.assertEqual(Partner.search(action_domain(self.env, headline['action'])), customers)
        # Acme and his three contacts hold Gold: one customer of the tier
        gold_row = next(row for row in data['tiers'] if row['id'] == self.gold.id)
        self.assertEqual((gold_row['count'], self.gold.partner_count), (1, 1))
        self.assertEqual(Partner.search(action_domain(self.env, self.gold.action_view_partners())), self.acme)
        self.assertEqual(Partner.search(action_domain(self.env, gold_row['action'])), self.acme)
        # in East: Acme and Li Na, not the contacts, vendor, prospects nor the other company's
        self.assertEqual(self.east.customer_count, 2)
        self.assertEqual(Partner.search(action_domain(self.env, self.east.action_view_customers())), self.customers)
        # the distributor serves Acme, the archived shop and the other company's customer
        scorecard = self.env['crm.loyalty.channel.scorecard'].search([
            ('partner_id', '=', self.distributor.id), ('company_id', '=', self.company.id)])
        self.assertEqual(scorecard.customers_active, 1)
        wizard = self.env['crm.loyalty.export'].create({})
        self.assertEqual(wizard.customer_count, len(customers))
        action = wizard.action_export()
        raw = self.env['ir.attachment'].browse(int(action['url'].split('/')[3].split('?')[0])).raw
        sheet = openpyxl.load_workbook(io.BytesIO(raw))['Customers']
        self.assertEqual(sheet.max_row - 1, len(customers))
        self.assertEqual({row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} & {'Acme Teas', 'Li Na'},
                         {'Acme Teas', 'Li Na'})

    def test_lists_name_their_filters(self):
        """Each list of customers says in its search bar what it keeps: the customers of
        the company, and the figure's own filter."""
        data = self.env['crm.loyalty.dashboard'].get_dashboard_data()
        actions = [data['headline']['customers']['action'], data['headline']['high_risk']['action'],
                   *(row['action'] for row in data['tiers']), *(cell['action'] for cell in data['dick_basu']),
                   *(cell['action'] for row in data['rfm']['rows'] for cell in row['cells']),
                   self.gold.action_view_partners(), self.east.action_view_customers()]
        for action in actions:
            with self.subTest(action=action['name']):
                self.assertEqual(action.get('domain') or [], [])
                self.assertEqual(action['context']['search_default_loyalty_customer'], 1)
                action_domain(self.env, action)    # each default is a filter or field of the search view
        menu = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        self.assertIn("'search_default_loyalty_customer': 1", menu['context'])
