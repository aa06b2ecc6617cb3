from itertools import count

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import LoyaltyCase

SALES = 'base.group_user,base.group_partner_manager,sales_team.group_sale_salesman'


@tagged('post_install', '-at_install')
class TestHandover(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env['res.company'].create({'name': 'Lotus Hong Kong'})
        companies = {'company_id': cls.company.id, 'company_ids': [(6, 0, cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env, 'handover_manager', name='Zhou Min',
            groups=SALES + ',sales_team.group_sale_manager,crm_loyalty.group_loyalty_manager',
            company_id=cls.company.id, company_ids=[(6, 0, (cls.company | cls.other_company).ids)])
        cls.departing = new_test_user(
            cls.env, 'departing', name='Wang Lei', groups=SALES, company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.other_company).ids)])
        cls.successor = new_test_user(cls.env, 'successor', name='Li Na', groups=SALES, **companies)
        cls.colleague = new_test_user(cls.env, 'colleague', name='Chen Jie', groups=SALES, **companies)

        cls.customer.user_id = cls.departing
        cls.contact = cls.env['res.partner'].create({'name': 'Mei Chen', 'parent_id': cls.customer.id})
        cls.second_customer = cls._create_customer('Jade Garden', user_id=cls.departing.id)
        cls.colleague_customer = cls._create_customer('Silk Road Cafe', user_id=cls.colleague.id)

        cls.open_lead = cls._lead('Spring tea order')
        cls.won_lead = cls._lead('Autumn tea order')
        cls.won_lead.action_set_won()
        cls.lost_lead = cls._lead('Teapots')
        cls.lost_lead.action_set_lost()
        cls.colleague_lead = cls._lead('Green tea', user=cls.colleague)

        cls.todo = cls.env.ref('mail.mail_activity_data_todo')
        cls.todo.keep_done = True
        cls.call_activity = cls._activity(cls.customer, 'Call about the spring catalogue')
        cls.lead_activity = cls._activity(cls.open_lead, 'Send the quotation')
        cls.done_activity = cls._activity(cls.customer, 'Thank for the last order')
        cls.done_activity.action_done()
        cls.colleague_activity = cls._activity(cls.customer, 'Deliver samples', user=cls.colleague)

    @classmethod
    def _lead(cls, name, user=None, partner=None, company=None):
        return cls.env['crm.lead'].create({
            'name': name, 'type': 'opportunity', 'user_id': (user or cls.departing).id,
            'partner_id': (partner or cls.customer).id, 'company_id': (company or cls.company).id})

    @classmethod
    def _activity(cls, record, summary, user=None):
        return record.activity_schedule('mail.mail_activity_data_todo', summary=summary,
                                        user_id=(user or cls.departing).id)

    def _wizard(self, **values):
        values.setdefault('from_user_id', self.departing.id)
        values.setdefault('to_user_id', self.successor.id)
        return self.env['crm.loyalty.handover'].with_user(self.manager).create(values)

    def _notes(self, record):
        """The notes the wizard (run by the manager) left on ``record``, newest first."""
        return record.message_ids.filtered(lambda message: message.author_id == self.manager.partner_id)

    def _assert_nothing_moved(self):
        self.assertEqual((self.customer | self.contact | self.second_customer).user_id, self.departing)
        self.assertEqual(self.open_lead.user_id, self.departing)
        self.assertEqual((self.call_activity | self.lead_activity).user_id, self.departing)
        self.assertFalse(self._notes(self.customer))

    # --- Salesperson ------------------------------------------------------------------

    def test_salesperson_customers_contacts_opportunities_and_activities_move(self):
        self._wizard().action_handover()
        self.assertEqual((self.customer | self.contact | self.second_customer).user_id, self.successor)
        self.assertEqual(self.open_lead.user_id, self.successor)
        self.assertEqual((self.call_activity | self.lead_activity).user_id, self.successor)
        self.assertIn(self.successor.partner_id, self.customer.message_partner_ids)

    def test_salesperson_leaves_others_won_lost_and_done_alone(self):
        self._wizard().action_handover()
        self.assertEqual(self.colleague_customer.user_id, self.colleague)
        self.assertEqual(self.colleague_lead.user_id, self.colleague)
        self.assertEqual((self.won_lead | self.lost_lead.with_context(active_test=False)).user_id, self.departing)
        self.assertEqual(self.done_activity.with_context(active_test=False).user_id, self.departing)
        self.assertEqual(self.colleague_activity.user_id, self.colleague)

    def test_preview_counts_what_will_move(self):
        wizard = self._wizard()
        self.assertRecordValues(wizard, [{
            'customer_count': 2, 'contact_count': 1, 'opportunity_count': 1, 'activity_count': 2,
            'territory_count': 0, 'preview_kept': False,
        }])
        self.assertEqual(wizard.preview, "2 customers, 1 contact, 1 opportunity, 2 activities will move.")
        wizard.move_activities = False
        self.assertEqual(wizard.preview, "2 customers, 1 contact, 1 opportunity will move.")

    def test_each_customer_chatter_names_predecessor_successor_and_note(self):
        self._wizard(note="Prefers calls in the morning.").action_handover()
        for customer in self.customer | self.second_customer:
            note = self._notes(customer)[:1]
            self.assertIn("Salesperson handed over from Wang Lei to Li Na.", note.body)
            self.assertIn("Prefers calls in the morning.", note.body)
            self.assertEqual(note.author_id, self.manager.partner_id)
        self.assertIn("Wang Lei to Li Na", self._notes(self.open_lead)[:1].body)
        self.assertFalse(self._notes(self.contact), "a contact follows its company without a note of its own")
        self.assertFalse(self._notes(self.colleague_customer))

    def test_a_contact_handed_over_without_its_company_gets_the_note(self):
        contact = self.env['res.partner'].create({
            'name': 'Xu Fang', 'parent_id': self.colleague_customer.id, 'user_id': self.departing.id})
        wizard = self._wizard()
        self.assertEqual(wizard.customer_count, 3)
        wizard.action_handover()
        self.assertEqual(contact.user_id, self.successor)
        self.assertEqual(self.colleague_customer.user_id, self.colleague)
        self.assertIn("Wang Lei to Li Na", self._notes(contact)[:1].body)

    def test_options_choose_what_moves(self):
        self._wizard(move_opportunities=False, move_activities=False).action_handover()
        self.assertEqual(self.customer.user_id, self.successor)
        self.assertEqual(self.open_lead.user_id, self.departing)
        self.assertEqual(self.call_activity.user_id, self.departing)

    def test_notification_summarises_what_moved(self):
        action = self._wizard().action_handover()
        self.assertEqual(action['tag'], 'display_notification')
        self.assertEqual(action['params']['message'],
                         "2 customers, 1 contact, 1 opportunity, 2 activities handed over from Wang Lei to Li Na.")

    def test_departed_archived_salesperson_can_still_hand_over(self):
        self.departing.action_archive()
        self._wizard().action_handover()
        self.assertEqual(self.customer.user_id, self.successor)

    def test_activities_and_opportunities_the_successor_cannot_open_stay(self):
        complaint = self.env['crm.loyalty.complaint'].create({
            'subject': 'The tea arrived damaged', 'partner_id': self.customer.id,
            'category_id': self.env.ref('crm_loyalty.complaint_category_delivery').id})
        complaint_activity = self._activity(complaint, 'Call back about the damaged tea')
        employee = new_test_user(self.env, 'employee', name='Sun Yu', groups='base.group_user',
                                 company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        wizard = self._wizard(to_user_id=employee.id)
        self.assertRecordValues(wizard, [{'opportunity_count': 0, 'activity_count': 1}])
        kept = "Staying with Wang Lei (Sun Yu cannot open them in this company): 1 opportunity, 2 activities."
        self.assertEqual(wizard.preview_kept, kept)
        action = wizard.action_handover()
        self.assertTrue(action['params']['sticky'])
        self.assertIn(kept, action['params']['message'])
        self.assertEqual(self.call_activity.user_id, employee)
        self.assertEqual((complaint_activity | self.lead_activity).user_id, self.departing)
        self.assertEqual(self.open_lead.user_id, self.departing)

    def test_records_of_another_company_move_only_in_that_company(self):
        customer_hk = self._create_customer('Kowloon Tea', user_id=self.departing.id,
                                            company_id=self.other_company.id)
        lead_hk = self._lead('Kowloon order', partner=customer_hk, company=self.other_company)
        activity_hk = self._activity(lead_hk, 'Visit Kowloon')
        self.successor.company_ids |= self.other_company
        self._wizard().action_handover()
        self.assertEqual(customer_hk.user_id, self.departing)
        self.assertEqual(lead_hk.user_id, self.departing)
        self.assertEqual(activity_hk.user_id, self.departing)

        wizard = self.env['crm.loyalty.handover'].with_user(self.manager).with_company(self.other_company).create(
            {'from_user_id': self.departing.id, 'to_user_id': self.successor.id})
        self.assertEqual(wizard.company_id, self.other_company)
        wizard.action_handover()
        self.assertEqual(customer_hk.user_id, self.successor)
        self.assertEqual(lead_hk.user_id, self.successor)
        self.assertEqual(activity_hk.user_id, self.successor)

    def test_form_previews_as_the_manager_chooses(self):
        form = Form(self.env['crm.loyalty.handover'].with_user(self.manager))
        self.assertEqual(form.preview, "Nothing to hand over.")
        form.from_user_id = self.departing
        form.to_user_id = self.successor
        self.assertEqual(form.preview, "2 customers, 1 contact, 1 opportunity, 2 activities will move.")
        form.move_customers = False
        self.assertEqual(form.preview, "1 opportunity, 2 activities will move.")
        form.save().action_handover()
        self.assertEqual(self.open_lead.user_id, self.successor)
        self.assertEqual(self.customer.user_id, self.departing)

    def _offered(self, field_name):
        """The users the form offers in ``field_name``: a name search with the field's
        domain and context, as the web client makes it."""
        wizard = self._wizard()
        field = wizard.fields_get([field_name], ['domain', 'context'])[field_name]
        domain = field['domain']
        if isinstance(domain, str):
            domain = safe_eval(domain, {'company_id': wizard.company_id.id})
        Users = self.env['res.users'].with_user(self.manager).with_context(**field.get('context', {}))
        return Users.browse(user_id for user_id, _name in Users.name_search('', domain, limit=None))

    def test_only_active_internal_users_are_offered_as_successor(self):
        archived = new_test_user(self.env, 'archived', name='Gao Yan', groups=SALES)
        archived.action_archive()
        portal = new_test_user(self.env, 'portal_client', name='Hu Bo', groups='base.group_portal')
        offered = self._offered('to_user_id')
        self.assertLessEqual(self.manager | self.departing | self.successor | self.colleague, offered)
        odoo_users = self.env.ref('base.user_root') | self.env.ref('base.default_user') | self.env.ref(
            'base.public_user')
        self.assertFalse(offered & (odoo_users | archived | portal))
        self.assertEqual(offered.filtered(lambda user: not user.active or user.share), self.env['res.users'])

    def test_archived_salespeople_but_not_odoos_own_users_are_offered_as_departing(self):
        archived = new_test_user(self.env, 'archived', name='Gao Yan', groups=SALES)
        archived.action_archive()
        offered = self._offered('from_user_id')
        self.assertLessEqual(self.departing | archived, offered)
        self.assertFalse(offered & (self.env.ref('base.user_root') | self.env.ref('base.default_user')))
        self.assertFalse(offered.filtered('share'))

    # --- Bad input --------------------------------------------------------------------

    def test_handing_over_to_oneself_is_refused(self):
        with self.assertRefused("Wang Lei cannot be the successor of Wang Lei", UserError):
            self._wizard(to_user_id=self.departing.id).action_handover()
        self._assert_nothing_moved()

    def test_a_successor_is_required(self):
        with self.assertRefused("Choose the successor of Wang Lei", UserError):
            self._wizard(to_user_id=False).action_handover()
        self._assert_nothing_moved()

    def test_an_archived_or_portal_successor_is_refused(self):
        archived = new_test_user(self.env, 'archived', name='Gao Yan', groups=SALES)
        archived.action_archive()
        portal = new_test_user(self.env, 'portal_client', name='Hu Bo', groups='base.group_portal')
        for user in archived | portal:
            with self.assertRefused(f"{user.name} cannot take over: only an active internal user can", UserError):
                self._wizard(to_user_id=user.id).action_handover()
        self._assert_nothing_moved()

    def test_a_successor_outside_the_company_is_refused(self):
        outsider = new_test_user(self.env, 'outsider', name='Ma Li', groups=SALES, company_id=self.other_company.id,
                                 company_ids=[(6, 0, self.other_company.ids)])
        with self.assertRefused(f"Ma Li cannot take over: no access to the company {self.company.name}", UserError):
            self._wizard(to_user_id=outsider.id).action_handover()
        self._assert_nothing_moved()

    def test_nothing_selected_is_refused(self):
        with self.assertRefused("Select what to hand over", UserError):
            self._wizard(move_customers=False, move_opportunities=False, move_activities=False).action_handover()
        self._assert_nothing_moved()

    def test_nothing_to_hand_over_is_refused(self):
        with self.assertRefused("Li Na has nothing to hand over", UserError):
            self._wizard(from_user_id=self.successor.id, to_user_id=self.colleague.id).action_handover()
        self.assertEqual(self.colleague_customer.user_id, self.colleague)

    # --- Channel partner --------------------------------------------------------------

    def _channel(self):
        """A departing distributor serving two resellers (one with a contact), in a shared
        territory and one of its own, with a deal and an activity about itself."""
        Partner = self.env['res.partner']
        self.distributor = self._create_customer('Dragon Well Trading', channel_role='distributor')
        self.distributor_contact = Partner.create({'name': 'Zhang Wei', 'parent_id': self.distributor.id})
        self.new_distributor = self._create_customer('Pearl River Supply', channel_role='distributor')
        self.other_distributor = self._create_customer('Yangtze Tea', channel_role='distributor')
        self.reseller = self._create_customer('Tea Corner', channel_role='reseller',
                                              channel_parent_id=self.distributor.id)
        self.reseller_contact = Partner.create({'name': 'Liu Yang', 'parent_id': self.reseller.id})
        self.shop = self._create_customer('Leaf Shop', channel_parent_id=self.distributor.id)
        self.other_shop = self._create_customer('Bamboo Shop', channel_parent_id=self.other_distributor.id)
        Territory = self.env['crm.loyalty.territory']
        china = self.env.ref('base.cn')
        self.shared_territory = Territory.create({
            'name': 'Guangdong', 'country_ids': china.ids, 'state_ids': self.env.ref('base.state_cn_GD').ids,
            'distributor_ids': (self.distributor | self.other_distributor).ids})
        self.own_territory = Territory.create({
            'name': 'Fujian', 'country_ids': china.ids, 'state_ids': self.env.ref('base.state_cn_FJ').ids,
            'distributor_ids': self.distributor.ids})
        self.distributor_lead = self._lead('Restock', user=self.colleague, partner=self.distributor_contact)
        self.distributor_won_lead = self._lead('First stock', user=self.colleague, partner=self.distributor)
        self.distributor_won_lead.action_set_won()
        self.renewal = self._activity(self.distributor, 'Review the yearly terms', user=self.colleague)

    def _channel_wizard(self, **values):
        return self._wizard(**{
            'mode': 'distributor', 'from_user_id': False, 'to_user_id': False,
            'from_partner_id': self.distributor.id, 'to_partner_id': self.new_distributor.id, **values})

    def test_distributor_served_partners_territories_deals_and_activities_move(self):
        self._channel()
        wizard = self._channel_wizard()
        self.assertRecordValues(wizard, [{
            'customer_count': 2, 'contact_count': 1, 'opportunity_count': 1, 'activity_count': 1,
            'territory_count': 2}])
        wizard.action_handover()
        self.assertEqual((self.reseller | self.reseller_contact | self.shop).channel_parent_id, self.new_distributor)
        self.assertEqual(self.other_shop.channel_parent_id, self.other_distributor)
        self.assertEqual(self.shared_territory.distributor_ids, self.new_distributor | self.other_distributor)
        self.assertEqual(self.own_territory.distributor_ids, self.new_distributor)
        self.assertFalse(self.distributor.channel_territory_ids)
        self.assertRecordValues(self.distributor_lead, [{'partner_id': self.new_distributor.id,
                                                         'user_id': self.colleague.id}])
        self.assertEqual(self.distributor_won_lead.partner_id, self.distributor)
        self.assertRecordValues(self.renewal, [{'res_id': self.new_distributor.id, 'user_id': self.colleague.id}])

    def test_partner_form_offers_the_handover_to_managers_only(self):
        button = f'name="{self.env.ref("crm_loyalty.action_loyalty_handover").id}"'
        for user, shown in ((self.manager, True), (self.successor, False)):
            arch = self.env['res.partner'].with_user(user).get_views([(False, 'form')])['views']['form']['arch']
            self.assertEqual(button in arch, shown, user.name)

    def test_partner_button_opens_the_wizard_on_the_distributor(self):
        self._channel()
        form = Form(self.env['crm.loyalty.handover'].with_user(self.manager).with_context(
            default_mode='distributor', default_from_partner_id=self.distributor.id))
        form.to_partner_id = self.new_distributor
        self.assertEqual(form.preview,
                         "2 customers, 1 contact, 1 opportunity, 1 activity, 2 territories will move.")
        form.move_territories = False
        form.save().action_handover()
        self.assertEqual(self.shop.channel_parent_id, self.new_distributor)
        self.assertEqual(self.own_territory.distributor_ids, self.distributor)

    def test_distributor_handover_is_logged_on_each_partner_and_both_distributors(self):
        self._channel()
        self._channel_wizard(note="Contract ended on 30 June.").action_handover()
        for partner in self.reseller | self.shop:
            body = self._notes(partner)[:1].body
            self.assertIn("Now served by Pearl River Supply, who takes over from Dragon Well Trading.", body)
            self.assertIn("Contract ended on 30 June.", body)
        self.assertIn("Handed over to Pearl River Supply: 2 customers, 1 contact, 1 opportunity, 1 activity, "
                      "2 territories.", self._notes(self.distributor)[:1].body)
        self.assertIn("Took over from Dragon Well Trading:", self._notes(self.new_distributor)[:1].body)
        self.assertFalse(self._notes(self.other_shop))

    def test_a_successor_served_by_the_departing_distributor_takes_its_place(self):
        self._channel()
        self.distributor.channel_parent_id = self.other_distributor
        self._channel_wizard(to_partner_id=self.reseller.id).action_handover()
        self.assertEqual(self.reseller.channel_parent_id, self.other_distributor)
        self.assertEqual(self.shop.channel_parent_id, self.reseller)

    def test_a_successor_further_down_the_channel_is_refused(self):
        self._channel()
        sub_reseller = self._create_customer('Tiny Tea', channel_role='retailer', channel_parent_id=self.reseller.id)
        with self.assertRefused("would make a loop in the channel", UserError):
            self._channel_wizard(to_partner_id=sub_reseller.id).action_handover()
        self.assertEqual(self.shop.channel_parent_id, self.distributor)

    def test_distributor_bad_successors_are_refused(self):
        self._channel()
        archived = self._create_customer('Closed Tea', channel_role='distributor', active=False)
        foreign = self._create_customer('Macau Tea', channel_role='distributor', company_id=self.other_company.id)
        refusals = [
            (False, "Choose the successor of Dragon Well Trading"),
            (self.distributor_contact, "Dragon Well Trading cannot be the successor of Dragon Well Trading"),
            (self.other_shop, "Bamboo Shop cannot take over: only an active channel partner can"),
            (archived, "Closed Tea cannot take over: only an active channel partner can"),
            (foreign, "Macau Tea cannot take over: it belongs to the company Lotus Hong Kong"),
        ]
        for successor, message in refusals:
            with self.subTest(message), self.assertRefused(message, UserError):
                self._channel_wizard(to_partner_id=successor and successor.id).action_handover()
        self.assertEqual((self.reseller | self.shop).channel_parent_id, self.distributor)
        self.assertEqual(self.own_territory.distributor_ids, self.distributor)
        self.assertEqual(self.renewal.res_id, self.distributor.id)

    # --- Cost -------------------------------------------------------------------------

    logins = count()

    def _departing_with_customers(self, size):
        """A wizard handing over ``size`` customers, each with a contact and an activity."""
        departing = new_test_user(self.env, f'departing_{next(self.logins)}', groups=SALES,
                                  company_id=self.company.id, company_ids=[(6, 0, self.company.ids)])
        customers = self.env['res.partner'].create([
            {'name': f'Customer {index}', 'is_company': True, 'user_id': departing.id} for index in range(size)])
        self.env['res.partner'].create([{'name': f'Contact {index}', 'parent_id': customer.id}
                                        for index, customer in enumerate(customers)])
        for customer in customers:
            self._activity(customer, 'Introduce the successor', user=departing)
        wizard = self._wizard(from_user_id=departing.id)
        self.env.invalidate_all()
        return wizard, customers

    def test_handover_cost_does_not_grow_with_the_customers(self):
        self._departing_with_customers(3)[0].action_handover()  # warms the caches
        for size in (3, 30):
            wizard, customers = self._departing_with_customers(size)
            # 65: the manager's group is checked first (one query: creating the users of
            # this test emptied Odoo's cache of groups)
            with self.assertQueryCount(65):
                wizard.action_handover()
            self.assertEqual(customers.user_id | customers.child_ids.user_id, self.successor)
            self.assertEqual(customers.activity_ids.user_id, self.successor)

    def _distributor_handover_queries(self, size):
        """Queries spent by a distributor handing over ``size`` served companies, each with a contact."""
        departing = self._create_customer(f'Departing {size}', channel_role='distributor')
        successor = self._create_customer(f'Successor {size}', channel_role='distributor')
        served = self.env['res.partner'].create([
            {'name': f'Shop {index}', 'is_company': True, 'channel_parent_id': departing.id} for index in range(size)])
        self.env['res.partner'].create([{'name': f'Clerk {index}', 'parent_id': shop.id}
                                        for index, shop in enumerate(served)])
        wizard = self._wizard(mode='distributor', from_user_id=False, to_user_id=False,
                              from_partner_id=departing.id, to_partner_id=successor.id)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        wizard.action_handover()
        self.env.flush_all()
        self.assertEqual(served.channel_parent_id | served.child_ids.channel_parent_id, successor)
        return self.cr.sql_log_count - start

    def test_distributor_handover_costs_one_write_per_served_company_with_contacts(self):
        # Odoo copies the upstream distributor (a commercial field) from each company to its
        # contacts with one write per company: that part grows, the rest does not.
        self._distributor_handover_queries(3)  # warms the caches
        small, large = self._distributor_handover_queries(3), self._distributor_handover_queries(30)
        self.assertLessEqual(large - small, 4 * 27)
