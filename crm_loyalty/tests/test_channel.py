from unittest.mock import patch

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from ..lib.postcode import postcode_in_range
from ..models import crm_loyalty_territory
from .common import LoyaltyCase, LoyaltyTourCase

# queries to find and record one conflict with its review activity
DETECT_ONE = 44
MATCH_CRON = 'crm_loyalty.ir_cron_loyalty_territory_match'


@tagged('post_install', '-at_install')
class ChannelCase(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.us = cls.env.ref('base.us')
        cls.cn = cls.env.ref('base.cn')
        State = cls.env['res.country.state']
        cls.california = State.search([('country_id', '=', cls.us.id), ('code', '=', 'CA')])
        cls.nevada = State.search([('country_id', '=', cls.us.id), ('code', '=', 'NV')])
        cls.texas = State.search([('country_id', '=', cls.us.id), ('code', '=', 'TX')])
        cls.guangdong = State.search([('country_id', '=', cls.cn.id), ('code', '=', 'GD')])
        cls.west = cls._create_customer('West Distribution', channel_role='distributor',
                                        country_id=cls.us.id, state_id=cls.california.id)
        cls.south = cls._create_customer('South Distribution', channel_role='distributor',
                                         country_id=cls.us.id, state_id=cls.texas.id)
        cls.manager = new_test_user(cls.env, 'channel.manager', groups='base.group_user,crm_loyalty.group_loyalty_user')
        cls.company.loyalty_channel_manager_id = cls.manager

    @classmethod
    def _territory(cls, name, distributors=None, **values):
        return cls.env['crm.loyalty.territory'].create({
            'name': name, 'distributor_ids': [(6, 0, distributors.ids if distributors else [])], **values})

    def _confirm(self, partner, amount=100.0, shipping=None):
        order = self.env['sale.order'].create({
            'partner_id': partner.id,
            'partner_shipping_id': (shipping or partner).id,
            'order_line': [(0, 0, {'product_id': self.product.id, 'product_uom_qty': 1,
                                   'price_unit': amount, 'tax_id': False})],
        })
        order.action_confirm()
        return order


@tagged('post_install', '-at_install')
class TestChannelHierarchy(ChannelCase):

    def test_own_parent_refused(self):
        with self.assertRefused("cannot be its own upstream distributor"):
            self.west.channel_parent_id = self.west
            self.west.flush_recordset()
        self.assertFalse(self.west.channel_parent_id)

    def test_cycle_refused(self):
        reseller = self._create_customer('Bay Resellers', channel_role='reseller', channel_parent_id=self.west.id)
        retailer = self._create_customer('Corner Shop', channel_role='retailer', channel_parent_id=reseller.id)
        with self.assertRefused("loop in the channel"):
            self.west.channel_parent_id = retailer
            self.west.flush_recordset()
        self.env.invalidate_all()
        self.assertFalse(self.west.channel_parent_id)
        self.assertEqual(retailer._channel_ancestors(), reseller | self.west)

    def test_contacts_follow_their_company(self):
        contact = self.env['res.partner'].create({'name': 'Ann', 'parent_id': self.west.id})
        self.assertEqual(contact.channel_role, 'distributor')
        self.west.channel_parent_id = self.south
        self.assertEqual(contact.channel_parent_id, self.south)

    def test_contact_given_as_upstream_stands_for_his_company(self):
        ann = self.env['res.partner'].create({'name': 'Ann', 'parent_id': self.west.id})
        shop = self._create_customer('Napa Grocer', channel_parent_id=ann.id)
        self.assertEqual(shop.channel_parent_id, self.west)
        shop.channel_parent_id = ann
        self.assertEqual(shop.channel_parent_id, self.west)

    def test_served_partners_counted(self):
        self._create_customer('Bay Resellers', channel_role='reseller', channel_parent_id=self.west.id)
        self._create_customer('Napa Grocer', channel_parent_id=self.west.id)
        self.assertEqual(self.west.channel_child_count, 2)
        action = self.west.action_view_channel_children()
        self.assertEqual(self.env['res.partner'].search_count(action['domain']), 2)


@tagged('post_install', '-at_install')
class TestTerritory(ChannelCase):

    def test_zip_range_backwards_refused(self):
        with self.assertRefused("runs backwards: 95000 comes after 90000"):
            self._territory('Bay', country_ids=[(6, 0, self.us.ids)], zip_from='95000', zip_to='90000')
        self.assertFalse(self.env['crm.loyalty.territory'].search([('name', '=', 'Bay')]))

    def test_zip_range_needs_both_ends(self):
        with self.assertRefused("needs both a first and a last zip"):
            self._territory('Bay', country_ids=[(6, 0, self.us.ids)], zip_from='95000')

    def test_territory_needs_a_criterion(self):
        with self.assertRefused("needs a country, a state or a zip range"):
            self._territory('World')

    def test_state_outside_countries_refused(self):
        with self.assertRefused("is not in its countries"):
            self._territory('Odd', country_ids=[(6, 0, self.cn.ids)], state_ids=[(6, 0, self.california.ids)])

    def test_numeric_zip_bounds_padded(self):
        territory = self._territory('Low', zip_from=' 100', zip_to='2000')
        self.assertEqual((territory.zip_from, territory.zip_to), ('0100', '2000'))

    def test_exclusive_overlap_refused(self):
        self._territory('USA', self.west, country_ids=[(6, 0, self.us.ids)], exclusive=True)
        with self.assertRefused("“Texas” and “USA” overlap"):
            self._territory('Texas', self.south, state_ids=[(6, 0, self.texas.ids)], exclusive=True)
        self.assertFalse(self.env['crm.loyalty.territory'].search([('name', '=', 'Texas')]))
        # shared territories may overlap anything
        self._territory('Texas', self.south, state_ids=[(6, 0, self.texas.ids)])

    def test_exclusive_overlap_by_zip(self):
        self._territory('Bay', self.west, country_ids=[(6, 0, self.us.ids)], zip_from='94000', zip_to='94999',
                        exclusive=True)
        # disjoint zip ranges, or another country: no overlap
        self._territory('LA', self.south, country_ids=[(6, 0, self.us.ids)], zip_from='90000', zip_to='91999',
                        exclusive=True)
        self._territory('Canton', self.south, country_ids=[(6, 0, self.cn.ids)], zip_from='94000',
                        zip_to='94999', exclusive=True)
        with self.assertRefused("overlap"):
            self._territory('Peninsula', self.south, zip_from='94500', zip_to='95500', exclusive=True)
        la = self.env['crm.loyalty.territory'].search([('name', '=', 'LA')])
        with self.assertRefused("“LA” and “Bay” overlap"):
            la.zip_to = '94100'
        self.assertEqual(la.zip_to, '91999')

    def test_other_company_may_overlap(self):
        other = self.env['res.company'].create({'name': 'Other Co'})
        usa = self._territory('USA', self.west, country_ids=[(6, 0, self.us.ids)], exclusive=True)
        usa_too = self.env['crm.loyalty.territory'].with_company(other).create({
            'name': 'USA too', 'company_id': other.id, 'country_ids': [(6, 0, self.us.ids)], 'exclusive': True})
        # each company's exclusive territory over the same country stands
        Territory = self.env['crm.loyalty.territory'].sudo()
        self.assertEqual(Territory.search([('country_ids', 'in', self.us.ids), ('exclusive', '=', True)]),
                         usa | usa_too)
        self.assertEqual((usa.company_id, usa_too.company_id), (self.env.company, other))

    def test_partners_matched_to_best_territory(self):
        country = self._territory('USA', self.south, country_ids=[(6, 0, self.us.ids)])
        state = self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        bay = self._territory('Bay Area', self.west, country_ids=[(6, 0, self.us.ids)],
                              zip_from='94000', zip_to='94999')
        customer = self._create_customer('Sonoma Tea', country_id=self.us.id, state_id=self.california.id,
                                         zip='95476')
        far = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id)
        self.assertEqual(customer.channel_territory_id, state, "a state is more precise than a country")
        self.assertEqual(far.channel_territory_id, country)
        customer.zip = '94 105'
        self.assertEqual(customer.channel_territory_id, bay, "a zip range is the most precise")
        self.assertEqual(customer.channel_served_by_ids, self.west | self.south)
        bay.exclusive = True
        far.country_id = self.cn
        self.assertFalse(far.channel_territory_id)
        state.unlink()
        self.assertEqual(self.west.channel_territory_id, country)

    def test_exclusive_territory_preferred(self):
        self._territory('California (shared)', self.south, state_ids=[(6, 0, self.california.ids)])
        exclusive = self._territory('USA (exclusive)', self.west, country_ids=[(6, 0, self.us.ids)],
                                    exclusive=True)
        customer = self._create_customer('Sonoma Tea', country_id=self.us.id, state_id=self.california.id)
        self.assertEqual(customer.channel_territory_id, exclusive)
        territories = self.env['crm.loyalty.territory']._lookup(self.us, self.california)
        self.assertEqual(territories.mapped('name'), ['USA (exclusive)', 'California (shared)'])

    def test_short_numeric_zip_padded_when_matched(self):
        territory = self._territory('Low', country_ids=[(6, 0, self.us.ids)], zip_from='00500', zip_to='00999')
        customer = self._create_customer('Holtsville', country_id=self.us.id, zip='501')
        self.assertEqual(customer.channel_territory_id, territory)
        self.assertEqual(territory.customer_count, 0, "matched, but no customer before he buys")

    def test_territory_per_company(self):
        other = self.env['res.company'].create({'name': 'Other Co'})
        theirs = self.env['crm.loyalty.territory'].with_company(other).create({
            'name': 'USA', 'company_id': other.id, 'country_ids': [(6, 0, self.us.ids)]})
        ours = self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        customer = self._create_customer('Sonoma Tea', country_id=self.us.id, state_id=self.california.id)
        self.assertEqual(customer.channel_territory_id, ours)
        self.assertEqual(customer.with_company(other).channel_territory_id, theirs)

    def test_lead_lookup(self):
        self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        lead = self.env['crm.lead'].create({'name': 'Big tea order', 'country_id': self.us.id,
                                            'state_id': self.california.id})
        self.assertEqual(lead.channel_served_by_ids, self.west)
        lead.state_id = self.texas
        self.assertFalse(lead.channel_served_by_ids)

    def test_matching_is_one_statement(self):
        self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        Territory = self.env['crm.loyalty.territory']
        self.env['res.partner'].create([{'name': f'Shop {n}', 'country_id': self.us.id,
                                         'state_id': self.california.id} for n in range(30)])
        self.env.flush_all()
        with self.assertQueryCount(1):
            Territory._match_partners(self.company)


@tagged('post_install', '-at_install')
class TestTerritoryJob(ChannelCase):
    """In a big company, matching every partner again is the scheduled job's, in steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shops = cls.env['res.partner'].create([
            {'name': f'Shop {n}', 'country_id': cls.us.id, 'state_id': state.id}
            for n, state in enumerate([cls.california, cls.texas, cls.nevada] * 2)])
        # every partner that has a territory in the company: its own and the shared ones
        cls.partners = cls.env['res.partner'].with_context(active_test=False).search(
            ['|', ('company_id', '=', False), ('company_id', '=', cls.company.id)])
        cls.batch = len(cls.partners) // 3 + 1

    def _big_company(self):
        return patch.object(crm_loyalty_territory, 'INLINE_PARTNERS', 0)

    def _territories(self):
        return {partner.id: partner.channel_territory_id.id for partner in self.partners}

    def _matched_by_one_run(self):
        with self._interrupted():
            self.env['crm.loyalty.territory']._match_partners(self.company)
            territories = self._territories()
        return territories

    def _match_calls(self, calls):
        with patch.object(crm_loyalty_territory, 'BATCH_SIZE', self.batch), \
                patch.object(crm_loyalty_territory, 'step_seconds', lambda: 0):
            return self._cron_calls(MATCH_CRON, '_cron_match_partners', calls)

    def _in_three_calls(self):
        total, batch = len(self.partners), self.batch
        return [(batch, total - batch), (batch, total - 2 * batch), (total - 2 * batch, 0)]

    def _new_territories_in_a_big_company(self):
        with self._big_company():
            self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
            self._territory('USA', self.south, country_ids=[(6, 0, self.us.ids)])

    def test_a_territory_change_in_a_big_company_is_matched_by_the_job_in_steps(self):
        self._new_territories_in_a_big_company()
        self.assertFalse(self.shops.channel_territory_id, "not in the user's request")
        self.assertTrue(self._triggers(MATCH_CRON))
        expected = self._matched_by_one_run()
        self.assertEqual(self._match_calls(3), self._in_three_calls())
        self.assertEqual(self._territories(), expected)
        self.assertEqual(self.shops.channel_territory_id.mapped('name'), ['California', 'USA'])
        self.assertEqual(self._match_calls(1), [(0, 0)], "nothing left to do")

    def test_match_again_in_a_big_company_is_left_to_the_job_and_says_so(self):
        territory = self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        californians = self.shops.filtered(lambda shop: shop.state_id == self.california)
        self.env.cr.execute("UPDATE res_partner SET channel_territory_id = NULL WHERE id = ANY(%s)",
                            [californians.ids])
        self.env.invalidate_all()
        with self._big_company():
            action = territory.action_match_partners()
        self.assertEqual(action['params']['message'], f"The addresses of {self.company.name} are being matched to "
                                                      "their territories in the background: it may take a few minutes.")
        self.assertFalse(californians.channel_territory_id)
        self.assertTrue(self._triggers(MATCH_CRON))
        self._match_calls(3)
        self.assertEqual(californians.channel_territory_id, territory)

    def test_match_again_in_a_small_company_is_done_at_once(self):
        territory = self._territory('California', self.west, state_ids=[(6, 0, self.california.ids)])
        californians = self.shops.filtered(lambda shop: shop.state_id == self.california)
        self.env.cr.execute("UPDATE res_partner SET channel_territory_id = NULL WHERE id = ANY(%s)",
                            [californians.ids])
        self.env.invalidate_all()
        action = territory.action_match_partners()
        self.assertEqual(action['params']['message'], "2 addresses moved to another territory.")
        self.assertEqual(californians.channel_territory_id, territory)
        self.assertFalse(self._triggers(MATCH_CRON))

    def test_an_interrupted_matching_step_is_done_again(self):
        self._new_territories_in_a_big_company()
        expected = self._matched_by_one_run()
        self._match_calls(1)
        with self._interrupted():
            self._match_calls(1)
        self.assertEqual(self._match_calls(2), self._in_three_calls()[1:])
        self.assertEqual(self._territories(), expected)

    def test_a_change_during_the_matching_starts_it_over(self):
        self._new_territories_in_a_big_company()
        self._match_calls(1)
        with self._big_company():
            self._territory('Nevada', self.west, state_ids=[(6, 0, self.nevada.ids)])
        expected = self._matched_by_one_run()
        self.assertEqual(self._match_calls(3), self._in_three_calls())
        self.assertEqual(self._territories(), expected)
        self.assertEqual(self.shops.channel_territory_id.mapped('name'), ['California', 'USA', 'Nevada'])

    def test_the_matching_job_waits_for_a_new_window_once_this_one_is_spent(self):
        self._new_territories_in_a_big_company()
        self._triggers(MATCH_CRON).unlink()
        self._spend_the_window()
        self.assertEqual(self._match_calls(1), [(0, len(self.partners))])
        self.assertFalse(self.shops.channel_territory_id)
        self.assertTrue(self._triggers(MATCH_CRON), "a new call asked for")


@tagged('post_install', '-at_install')
class TestTerritoryPostcodes(ChannelCase):
    """Zip ranges match postcodes by the beginning of the bounds' form (lib/postcode.py),
    for partners, leads and orders alike."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nl, cls.ca, cls.uk = cls.env.ref('base.nl'), cls.env.ref('base.ca'), cls.env.ref('base.uk')

    def _zip_territory(self, name, country, zip_from, zip_to, distributors=None, **values):
        return self._territory(name, distributors or self.west, country_ids=[(6, 0, country.ids)],
                               zip_from=zip_from, zip_to=zip_to, **values)

    def test_zip_plus_4_customer_in_the_range_of_his_zip(self):
        territory = self._zip_territory('Philadelphia', self.us, '10000', '19999')
        inside = self._create_customer('Penn Tea', country_id=self.us.id, zip='19999-1234')
        undashed = self._create_customer('Penn Coffee', country_id=self.us.id, zip='199991234')
        beyond = self._create_customer('Jersey Tea', country_id=self.us.id, zip='20000-0001')
        self.assertEqual(inside.channel_territory_id, territory)
        self.assertEqual(undashed.channel_territory_id, territory)
        self.assertFalse(beyond.channel_territory_id)

    def test_dutch_postcode_in_the_range_of_its_digits(self):
        territory = self._zip_territory('Amsterdam', self.nl, '1000', '1099')
        inside = self._create_customer('Jordaan Thee', country_id=self.nl.id, zip='1099 ZZ')
        beyond = self._create_customer('Zaandam Thee', country_id=self.nl.id, zip='1100 AA')
        self.assertEqual(inside.channel_territory_id, territory)
        self.assertFalse(beyond.channel_territory_id)

    def test_canadian_postcode_in_its_forward_sortation_areas(self):
        territory = self._zip_territory('Ottawa', self.ca, 'K1A', 'K1Z')
        inside = self._create_customer('Parliament Tea', country_id=self.ca.id, zip='K1A 0B1')
        beyond = self._create_customer('Toronto Tea', country_id=self.ca.id, zip='M5V 3L9')
        self.assertEqual(inside.channel_territory_id, territory)
        self.assertFalse(beyond.channel_territory_id)

    def test_british_postcodes_in_ranges_of_outward_codes(self):
        sub_districts = self._zip_territory('Westminster', self.uk, 'SW1A', 'SW1Z')
        districts = self._zip_territory('South West 1-9', self.uk, 'SW1', 'SW9', self.south)
        chelsea = self._zip_territory('South West 10-20', self.uk, 'SW10', 'SW20', self.south)
        palace = self._create_customer('Palace Tea', country_id=self.uk.id, zip='SW1A 1AA')
        brixton = self._create_customer('Brixton Tea', country_id=self.uk.id, zip='SW9 8AA')
        chelsea_shop = self._create_customer('Chelsea Tea', country_id=self.uk.id, zip='SW10 9AA')
        self.assertEqual(palace.channel_territory_id, sub_districts, "first by sequence of two that match")
        self.assertEqual(self.env['crm.loyalty.territory']._lookup(self.uk, zip_code='SW1A 1AA'),
                         sub_districts | districts)
        self.assertEqual(brixton.channel_territory_id, districts)
        self.assertEqual(chelsea_shop.channel_territory_id, chelsea, "district 10 is not in 1 to 9")

    def test_chinese_postcode_in_a_range_of_six_digits(self):
        territory = self._zip_territory('Beijing Centre', self.cn, '100000', '102629')
        inside = self._create_customer('Dongcheng Tea', country_id=self.cn.id, zip='100101')
        beyond = self._create_customer('Tianjin Tea', country_id=self.cn.id, zip='300000')
        self.assertEqual(inside.channel_territory_id, territory)
        self.assertFalse(beyond.channel_territory_id)

    def test_postcode_shorter_than_the_bounds_or_of_another_form_outside(self):
        territory = self._zip_territory('Ottawa', self.ca, 'K1A', 'K1Z')
        inside = self._create_customer('Parliament Tea', country_id=self.ca.id, zip='K1A 0B1')
        short = self._create_customer('Short Tea', country_id=self.ca.id, zip='K1')
        numeric = self._create_customer('Numeric Tea', country_id=self.ca.id, zip='10000')
        missing = self._create_customer('Unknown Tea', country_id=self.ca.id, zip='n/a')
        self.assertEqual((short | numeric | missing).channel_territory_id, self.env['crm.loyalty.territory'])
        self.assertEqual(inside.channel_territory_id, territory, "the odd ones leave the others alone")

    def test_odd_spelling_of_a_postcode_still_matched(self):
        territory = self._zip_territory('Ottawa', self.ca, 'k1a', 'k1z')
        customer = self._create_customer('Parliament Tea', country_id=self.ca.id, zip='  k1a-0b1 ')
        self.assertEqual((territory.zip_from, territory.zip_to), ('K1A', 'K1Z'))
        self.assertEqual(customer.channel_territory_id, territory)
        self.assertEqual(customer.zip, '  k1a-0b1 ', "the address is left as typed")

    def test_bounds_stored_without_spaces_and_dashes(self):
        territory = self._zip_territory('Amsterdam', self.nl, '1000 aa', '1099-ZZ')
        self.assertEqual((territory.zip_from, territory.zip_to), ('1000AA', '1099ZZ'))
        customer = self._create_customer('Jordaan Thee', country_id=self.nl.id, zip='1099 ZZ')
        self.assertEqual(customer.channel_territory_id, territory)

    def test_bounds_of_different_forms_refused(self):
        with self.assertRefused("differ in form: SW1 and SW10"):
            self._zip_territory('Odd', self.uk, 'SW1', 'SW10')
        territory = self._zip_territory('South West', self.uk, 'SW1', 'SW9')
        with self.assertRefused("differ in form: SW1 and K1Z"):
            territory.zip_to = 'K1Z'
        self.assertEqual((territory.zip_from, territory.zip_to), ('SW1', 'SW9'))
        self.assertFalse(self.env['crm.loyalty.territory'].search([('name', '=', 'Odd')]))

    def test_new_bounds_match_the_partners_again(self):
        territory = self._zip_territory('Philadelphia', self.us, '10000', '19999')
        zip_plus_4 = self._create_customer('Penn Tea', country_id=self.us.id, zip='19999-1234')
        new_york = self._create_customer('Manhattan Tea', country_id=self.us.id, zip='10001')
        self.assertEqual((zip_plus_4 | new_york).channel_territory_id, territory)
        territory.write({'zip_from': '100', 'zip_to': '149'})
        self.assertFalse(zip_plus_4.channel_territory_id, "199 is beyond 149")
        self.assertEqual(new_york.channel_territory_id, territory, "10001 begins with 100")

    def test_exclusive_districts_overlap_their_sub_districts(self):
        self._zip_territory('South West 1-9', self.uk, 'SW1', 'SW9', exclusive=True)
        with self.assertRefused("“Westminster” and “South West 1-9” overlap"):
            self._zip_territory('Westminster', self.uk, 'SW1A', 'SW1Z', self.south, exclusive=True)
        self._zip_territory('South West 10-20', self.uk, 'SW10', 'SW20', self.south, exclusive=True)
        british = self.env['crm.loyalty.territory'].search([('country_ids', '=', self.uk.id)])
        self.assertEqual(sorted(british.mapped('name')), ['South West 1-9', 'South West 10-20'])

    def test_exclusive_prefixes_overlap_the_zips_they_begin(self):
        self._zip_territory('New York', self.us, '100', '149', exclusive=True)
        with self.assertRefused("overlap"):
            self._zip_territory('Manhattan', self.us, '10000', '10299', self.south, exclusive=True)
        self._zip_territory('Philadelphia', self.us, '19000', '19699', self.south, exclusive=True)

    def test_exclusive_ranges_overlap_through_short_padded_zips(self):
        self._zip_territory('Holtsville', self.us, '00500', '00999', exclusive=True)
        with self.assertRefused("“Five Hundreds” and “Holtsville” overlap"):
            self._zip_territory('Five Hundreds', self.us, '500', '599', self.south, exclusive=True)
        self.assertEqual(self._create_customer('Holtsville Tea', country_id=self.us.id, zip='501')
                         .channel_territory_id.name, 'Holtsville')

    def test_sql_match_agrees_with_the_rule(self):
        """_match_sql (partners, leads, orders) and lib/postcode.py give the same answer."""
        ranges = [('10000', '19999'), ('1000', '1099'), ('100', '149'), ('100000', '102629'), ('00500', '00999'),
                  ('K1A', 'K1Z'), ('SW1A', 'SW1Z'), ('SW1', 'SW9'), ('SW10', 'SW20'), ('W', 'W'), ('1000AA', '1099ZZ')]
        postcodes = ['19999-1234', '199991234', '1099 ZZ', '1100 AA', 'K1A 0B1', 'k1a0b1', 'K1', 'SW1A 1AA',
                     'SW10 9AA', 'SW11AA', 'W1A 1AA', 'WC1A 1AA', '100101', '10001', '501', '', 'n/a', '1099 ß zz']
        Territory = self.env['crm.loyalty.territory']
        territories = Territory.create([{'name': f'{zip_from}–{zip_to}', 'zip_from': zip_from, 'zip_to': zip_to}
                                        for zip_from, zip_to in ranges])
        for postcode in postcodes:
            expected = territories.filtered(lambda t, p=postcode: postcode_in_range(p, t.zip_from, t.zip_to))
            self.assertEqual(Territory._lookup(zip_code=postcode).sorted('id'), expected, postcode)

    def test_lead_with_zip_plus_4_served_by_the_zip_range(self):
        self._zip_territory('Philadelphia', self.us, '10000', '19999')
        lead = self.env['crm.lead'].create({'name': 'Big tea order', 'country_id': self.us.id, 'zip': '19999-1234'})
        self.assertEqual(lead.channel_served_by_ids, self.west)
        lead.zip = '20000-1234'
        self.assertFalse(lead.channel_served_by_ids)

    def test_order_delivered_to_a_dutch_postcode_of_an_exclusive_range(self):
        amsterdam = self._zip_territory('Amsterdam', self.nl, '1000', '1099', self.south, exclusive=True)
        self._zip_territory('Rest of the Netherlands', self.nl, '1100', '9999')
        customer = self._create_customer('Jordaan Thee', country_id=self.nl.id, zip='1099 ZZ',
                                         channel_parent_id=self.west.id)
        neighbour = self._create_customer('Zaandam Thee', country_id=self.nl.id, zip='1100 AA',
                                          channel_parent_id=self.west.id)
        conflict = self._confirm(customer, 80.0).channel_conflict_ids
        self.assertRecordValues(conflict, [{'kind': 'exclusive', 'distributor_id': self.west.id,
                                            'expected_distributor_id': self.south.id,
                                            'territory_id': amsterdam.id, 'amount': 80.0}])
        self.assertFalse(self._confirm(neighbour).channel_conflict_ids, "1100 AA is in the seller's own territory")


@tagged('post_install', '-at_install')
class TestChannelConflict(ChannelCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.west_land = cls._territory('California', cls.west, state_ids=[(6, 0, cls.california.ids)],
                                       exclusive=True)
        cls.south_land = cls._territory('Texas', cls.south, state_ids=[(6, 0, cls.texas.ids)], exclusive=True)
        cls.nevada_land = cls._territory('Nevada (shared)', cls.south, state_ids=[(6, 0, cls.nevada.ids)])

    def test_end_customer_in_another_exclusive_territory(self):
        customer = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id,
                                         channel_parent_id=self.west.id)
        order = self._confirm(customer, 250.0)
        conflict = order.channel_conflict_ids
        self.assertRecordValues(conflict, [{
            'kind': 'exclusive', 'distributor_id': self.west.id, 'expected_distributor_id': self.south.id,
            'territory_id': self.south_land.id, 'customer_id': customer.id, 'amount': 250.0, 'state': 'new',
            'company_id': self.company.id, 'name': order.name,
        }])
        self.assertEqual(conflict.activity_ids.user_id, self.manager)
        self.assertEqual(conflict.activity_ids.activity_type_id,
                         self.env.ref('crm_loyalty.mail_activity_channel_conflict'))
        self.assertEqual((self.west.channel_conflict_count, self.south.channel_conflict_suffered_count), (1, 1))

    def test_distributor_delivering_outside_its_territories(self):
        depot = self.env['res.partner'].create({'name': 'Reno depot', 'parent_id': self.west.id, 'type': 'delivery',
                                                'country_id': self.us.id, 'state_id': self.nevada.id})
        conflict = self._confirm(self.west, shipping=depot).channel_conflict_ids
        self.assertRecordValues(conflict, [{
            'kind': 'outside', 'distributor_id': self.west.id, 'expected_distributor_id': self.south.id,
            'territory_id': self.nevada_land.id, 'delivery_partner_id': depot.id}])

    def test_outside_every_territory(self):
        depot = self.env['res.partner'].create({'name': 'Canton depot', 'parent_id': self.west.id,
                                                'type': 'delivery', 'country_id': self.cn.id})
        conflict = self._confirm(self.west, shipping=depot).channel_conflict_ids
        self.assertRecordValues(conflict, [{'kind': 'outside', 'expected_distributor_id': False,
                                            'territory_id': False}])

    def test_the_list_says_the_kind_and_why_a_territory_column_is_empty(self):
        Conflict = self.env['crm.loyalty.channel.conflict']
        self.assertEqual(dict(Conflict._fields['kind']._description_selection(self.env)), {
            'exclusive': "Delivered into another's exclusive territory",
            'outside': "Delivered outside the seller's territories"})
        customer = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id,
                                         channel_parent_id=self.west.id)
        oregon = self.env['res.country.state'].search([('country_id', '=', self.us.id), ('code', '=', 'OR')])
        self._territory('Oregon (unassigned)', state_ids=[(6, 0, oregon.ids)])
        portland = self.env['res.partner'].create({'name': 'Portland depot', 'parent_id': self.west.id,
                                                   'type': 'delivery', 'country_id': self.us.id,
                                                   'state_id': oregon.id})
        canton = self.env['res.partner'].create({'name': 'Canton depot', 'parent_id': self.west.id,
                                                 'type': 'delivery', 'country_id': self.cn.id})
        cases = [
            (self._confirm(customer), 'exclusive', 'Texas', 'South Distribution'),
            (self._confirm(self.west, shipping=portland), 'outside', 'Oregon (unassigned)',
             "No other channel partner serves it"),
            (self._confirm(self.west, shipping=canton), 'outside', "No territory", "Nobody's territory"),
        ]
        for order, kind, territory, expected in cases:
            self.assertRecordValues(order.channel_conflict_ids, [{
                'kind': kind, 'territory_label': territory, 'expected_distributor_label': expected}])
        arch = etree.fromstring(Conflict.get_views([(False, 'list')])['views']['list']['arch'])
        shown = [node.get('name') for node in arch.iter('field')
                 if node.get('optional') != 'hide' and node.get('column_invisible') not in ('1', 'True')]
        self.assertEqual(shown[:6], ['date', 'name', 'kind', 'distributor_id', 'expected_distributor_label',
                                     'territory_label'])

    def test_sales_within_the_channel_are_no_conflict(self):
        # a reseller sells within his distributor's territories
        reseller = self._create_customer('Bay Resellers', channel_role='reseller', channel_parent_id=self.west.id,
                                         country_id=self.us.id, state_id=self.california.id)
        # an end customer served through the reseller, in the distributor's exclusive territory
        customer = self._create_customer('Napa Grocer', channel_parent_id=reseller.id,
                                         country_id=self.us.id, state_id=self.california.id)
        direct = self._create_customer('Austin Direct', country_id=self.us.id, state_id=self.texas.id)
        orders = self._confirm(reseller) | self._confirm(customer) | self._confirm(self.west) | self._confirm(direct)
        self.assertFalse(orders.channel_conflict_ids)

    def test_reseller_outside_inherited_territories(self):
        reseller = self._create_customer('Bay Resellers', channel_role='reseller', channel_parent_id=self.west.id,
                                         country_id=self.us.id, state_id=self.nevada.id)
        conflict = self._confirm(reseller).channel_conflict_ids
        self.assertRecordValues(conflict, [{'kind': 'outside', 'distributor_id': reseller.id,
                                            'expected_distributor_id': self.south.id}])

    def test_confirming_again_does_not_duplicate(self):
        customer = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id,
                                         channel_parent_id=self.west.id)
        order = self._confirm(customer)
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(len(self.env['crm.loyalty.channel.conflict'].search([('sale_order_id', '=', order.id)])), 1)

    def test_review(self):
        customer = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id,
                                         channel_parent_id=self.west.id)
        first, second = (self._confirm(customer) | self._confirm(customer)).channel_conflict_ids
        with self.assertRefused("Write down why", exception=UserError):
            first.action_dismiss()
        self.assertEqual(first.state, 'new')
        first.resolution = "Goods for a trade fair in Austin, agreed with South."
        first.with_user(self.manager).action_dismiss()
        self.assertRecordValues(first, [{'state': 'dismissed', 'decided_by_id': self.manager.id}])
        self.assertFalse(first.activity_ids, "the review activity is done")
        second.action_confirm()
        self.assertEqual(second.state, 'confirmed')
        with self.assertRefused("Only new conflicts", exception=UserError):
            second.action_dismiss()
        second.action_reset()
        self.assertRecordValues(second, [{'state': 'new', 'decided_by_id': False}])

    def _channel_orders(self, count):
        customers = self.env['res.partner'].create([
            {'name': f'Austin Tea {n}', 'is_company': True, 'country_id': self.us.id, 'state_id': self.texas.id,
             'channel_parent_id': self.west.id} for n in range(count)])
        orders = self.env['sale.order'].create([
            {'partner_id': customer.id, 'state': 'sale',
             'order_line': [(0, 0, {'product_id': self.product.id, 'price_unit': 10, 'tax_id': False})]}
            for customer in customers])
        self.env.flush_all()
        self.env.invalidate_all()
        return orders

    def test_detection_queries_do_not_grow_with_territories(self):
        """Finding the conflicts of an order is one statement, whatever the number of
        territories; recording one (with its review activity) costs the same each time."""
        Conflict = self.env['crm.loyalty.channel.conflict']
        orders = self._channel_orders(4)
        own = self._order(self.west, 10.0, 0)
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.assertFalse(Conflict._detect(own), "inside its own territory")
        Conflict._detect(orders[0])   # warms the caches (activity type, templates)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=DETECT_ONE):
            self.assertEqual(len(Conflict._detect(orders[1])), 1)
        self.env['crm.loyalty.territory'].create([
            {'name': f'Zone {n}', 'country_ids': [(6, 0, self.us.ids)], 'zip_from': f'{n:03d}00',
             'zip_to': f'{n:03d}99', 'distributor_ids': [(6, 0, self.south.ids)]}
            for n in range(20)])
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=DETECT_ONE):
            self.assertEqual(len(Conflict._detect(orders[2])), 1)
        self.env.invalidate_all()
        with self.assertQueryCount(2):
            self.assertFalse(Conflict._detect(orders[:3]), "already recorded")

    def test_other_company_isolated(self):
        other = self.env['res.company'].create({'name': 'Other Co'})
        self.env['crm.loyalty.territory'].with_company(other).create({
            'name': 'Texas', 'company_id': other.id, 'exclusive': True, 'state_ids': [(6, 0, self.texas.ids)],
            'distributor_ids': [(6, 0, self.west.ids)]})
        customer = self._create_customer('Austin Tea', country_id=self.us.id, state_id=self.texas.id,
                                         channel_parent_id=self.west.id)
        conflict = self._confirm(customer).channel_conflict_ids
        self.assertEqual(conflict.expected_distributor_id, self.south, "the other company's territory is ignored")
        user = new_test_user(self.env, 'other.user', groups='base.group_user,crm_loyalty.group_loyalty_user',
                             company_id=other.id, company_ids=[(6, 0, other.ids)])
        self.assertFalse(self.env['crm.loyalty.channel.conflict'].with_user(user).search([]))

    def test_settings_form(self):
        form = Form(self.env['res.config.settings'])
        form.loyalty_contract_reminder_days = 30
        form.save().execute()
        self.assertEqual(self.company.loyalty_contract_reminder_days, 30)


@tagged('post_install', '-at_install')
class TestChannelTour(LoyaltyTourCase):

    def test_channel_manager_reviews_a_conflict(self):
        env = self.env
        us = env.ref('base.us')
        State = env['res.country.state']
        california = State.search([('country_id', '=', us.id), ('code', '=', 'CA')])
        texas = State.search([('country_id', '=', us.id), ('code', '=', 'TX')])
        Partner = env['res.partner']
        west = Partner.create({'name': 'West Distribution', 'is_company': True, 'channel_role': 'distributor',
                               'country_id': us.id, 'state_id': california.id})
        south = Partner.create({'name': 'South Distribution', 'is_company': True, 'channel_role': 'distributor',
                                'country_id': us.id, 'state_id': texas.id})
        env['crm.loyalty.territory'].create([
            {'name': 'California', 'exclusive': True, 'state_ids': [(6, 0, california.ids)],
             'distributor_ids': [(6, 0, west.ids)]},
            {'name': 'Texas', 'exclusive': True, 'state_ids': [(6, 0, texas.ids)],
             'distributor_ids': [(6, 0, south.ids)]}])
        customer = Partner.create({'name': 'Austin Tea Room', 'is_company': True, 'country_id': us.id,
                                   'state_id': texas.id, 'channel_parent_id': west.id})
        product = env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        order = env['sale.order'].create({
            'partner_id': customer.id,
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': 480, 'tax_id': False})]})
        order.action_confirm()
        new_test_user(env, 'channel.manager', name='Channel Manager',
                      groups='base.group_user,sales_team.group_sale_salesman,crm_loyalty.group_loyalty_user')
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_channel_conflict', login='channel.manager')
        self.assertEqual([path.name for path in shots], ['channel_conflict.png', 'distributor_scorecard.png'])
        conflict = order.channel_conflict_ids
        self.assertRecordValues(conflict, [{
            'state': 'confirmed', 'resolution': "West shipped to Austin without asking South.",
            'distributor_id': west.id, 'expected_distributor_id': south.id}])
        self.assertEqual(conflict.decided_by_id.login, 'channel.manager')
