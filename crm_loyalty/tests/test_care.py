from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase, LoyaltyTourCase


@tagged('post_install', '-at_install')
class TestCareRules(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({'email': 'tea.house@example.com', 'birthday': date(1990, 12, 1)})
        Server = cls.env['ir.actions.server']
        partner_model = cls.env['ir.model']._get_id('res.partner')
        cls.note = Server.create({
            'name': 'Note', 'model_id': partner_model, 'state': 'code',
            'code': "record.message_post(body='Cared for')"})
        cls.activity = Server.create({
            'name': 'Call', 'model_id': partner_model, 'state': 'next_activity',
            'activity_type_id': cls.env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Care call', 'activity_user_type': 'specific',
            'activity_user_id': cls.env.user.id})
        cls.template = cls.env['mail.template'].create({
            'name': 'Wishes', 'model_id': partner_model, 'subject': 'Happy birthday',
            'body_html': '<p>Happy birthday</p>', 'partner_to': '{{ object.id }}'})
        cls.email = Server.create({
            'name': 'Email', 'model_id': partner_model, 'state': 'mail_post', 'template_id': cls.template.id,
            'mail_post_method': 'email'})
        cls.failing = Server.create({
            'name': 'Broken', 'model_id': partner_model, 'state': 'code',
            'code': "raise UserError('the template is gone')"})

    def _rule(self, **values):
        return self.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday wishes', 'trigger': 'birthday', 'days': 3,
            'action_server_ids': [(6, 0, self.activity.ids)], **values})

    def _activities(self, partner=None):
        return self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                 ('res_id', '=', (partner or self.customer).id)])

    def _mails(self, partner=None):
        return self.env['mail.mail'].search([('model', '=', 'res.partner'),
                                             ('res_id', '=', (partner or self.customer).id)])

    # --- triggers -------------------------------------------------------------------

    def test_birthday_n_days_before_once_a_year(self):
        rule = self._rule()
        self.assertFalse(rule._candidates(date(2026, 11, 27)))
        self.assertEqual(rule._candidates(date(2026, 11, 28)), [(self.customer.id, '2026')])
        rule._run(date(2026, 11, 28))
        rule._run(date(2026, 11, 28))           # again: nothing more
        self.assertEqual(len(self._activities()), 1)
        log = rule.care_action_ids
        self.assertEqual((len(log), log.state, log.occurrence), (1, 'done', '2026'))
        self.assertEqual(rule._candidates(date(2027, 11, 28)), [(self.customer.id, '2027')])

    def test_leap_day_birthdays_fall_on_28_february(self):
        self.customer.birthday = date(2000, 2, 29)
        rule = self._rule(days=0)
        self.assertEqual(rule._candidates(date(2027, 2, 28)), [(self.customer.id, '2027')])
        self.assertFalse(rule._candidates(date(2028, 2, 28)))
        self.assertEqual(rule._candidates(date(2028, 2, 29)), [(self.customer.id, '2028')])

    def test_birthday_is_the_day_in_the_customers_time_zone(self):
        rule = self._rule(days=0)
        evening = datetime(2026, 11, 30, 20, 0)          # UTC: already 1 December in Shanghai
        self.customer.tz = 'Asia/Shanghai'
        self.assertEqual(rule.with_context(crm_loyalty_now=evening)._candidates(date(2026, 11, 30)),
                         [(self.customer.id, '2026')])
        self.customer.tz = 'America/New_York'
        self.assertFalse(rule.with_context(crm_loyalty_now=evening)._candidates(date(2026, 11, 30)))

    def test_purchase_triggers(self):
        self._order(self.customer, 300, date(2024, 11, 25))
        self._order(self.customer, 200, date(2026, 11, 12))
        self._recompute()
        today = self.AS_OF
        rules = {trigger: self._rule(name=trigger, trigger=trigger, days=days) for trigger, days in (
            ('purchase_anniversary', 3), ('after_purchase', 10), ('dormant', 10), ('churn_risk_high', 0))}
        self.assertEqual(rules['purchase_anniversary']._candidates(today), [(self.customer.id, '2026')])
        self.assertEqual(rules['after_purchase']._candidates(today), [(self.customer.id, '2026-11-12')])
        self.assertEqual(rules['dormant']._candidates(today), [(self.customer.id, 'since 2026-11-12')])
        self.assertFalse(rules['dormant']._candidates(today - timedelta(days=1)))
        self.assertFalse(rules['churn_risk_high']._candidates(today))   # 10 days against a 717-day rhythm

    def test_tier_satisfaction_and_complaint_triggers(self):
        gold = self.env['crm.loyalty.tier'].create({'name': 'Gold', 'min_value': 100})
        self._order(self.customer, 300, 5)
        self._recompute(as_of=date.today())
        self.assertEqual(self.customer.loyalty_tier_id, gold)
        change = self.env['crm.loyalty.tier.history'].search([('partner_id', '=', self.customer.id)])
        self.assertEqual(self._rule(trigger='tier_up', days=7)._candidates(),
                         [(self.customer.id, f'change {change.id}')])
        self.assertFalse(self._rule(trigger='tier_down', days=7)._candidates())
        answer = self.env['crm.loyalty.feedback'].create({'partner_id': self.customer.id, 'score': '4', 'nps': '3'})
        self.assertEqual(self._rule(trigger='low_satisfaction', days=7)._candidates(),
                         [(self.customer.id, f'answer {answer.id}')])
        complaint = self.env['crm.loyalty.complaint'].create({'partner_id': self.customer.id, 'subject': 'Late'})
        complaint.write({'resolution': '<p>Sent again</p>', 'state': 'resolved'})
        self.assertEqual(self._rule(trigger='complaint_resolved', days=0)._candidates(),
                         [(self.customer.id, f'complaint {complaint.id}')])

    def test_product_reminder_and_replenishment(self):
        filter_ = self.env['product.product'].create({'name': 'Water filter', 'type': 'consu'})
        order = self._order(self.customer, 50, 30)
        order.order_line.product_id = filter_
        with self.assertRaises(ValidationError):
            self._rule(trigger='product_reminder', days=30)
        reminder = self._rule(trigger='product_reminder', days=30, product_ids=[(6, 0, filter_.ids)])
        self.assertEqual(reminder._candidates(self.AS_OF), [(self.customer.id, f'order {order.id}')])
        # bought on day -70 and -30: a 40-day rhythm, due on day +10
        self._order(self.customer, 50, 70).order_line.product_id = filter_
        refill = self._rule(trigger='replenishment', days=10, product_ids=[(6, 0, filter_.ids)])
        self.assertEqual(refill._candidates(self.AS_OF),
                         [(self.customer.id, f'product {filter_.id} after {self.AS_OF - timedelta(days=30)}')])
        self.assertFalse(refill._candidates(self.AS_OF - timedelta(days=1)))

    def test_key_account_not_contacted(self):
        rule = self._rule(trigger='no_contact', days=30,
                          partner_domain=f"[('id', '=', {self.customer.id})]")
        self.assertTrue(rule._candidates())
        self.customer.message_post(body="We talked", message_type='comment')
        self.assertFalse(rule._candidates())

    # --- guarantees -----------------------------------------------------------------

    def test_the_log_is_unique_in_the_database(self):
        rule = self._rule()
        rule._run(date(2026, 11, 28))
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env['crm.loyalty.care.action'].create({
                'rule_id': rule.id, 'partner_id': self.customer.id, 'company_id': self.company.id,
                'occurrence': '2026', 'state': 'done'})

    def test_an_occurrence_claimed_by_another_run_is_left_alone(self):
        rule = self._rule()
        self.env.cr.execute("""INSERT INTO crm_loyalty_care_action (rule_id, partner_id, company_id, occurrence,
                               state, date, attempts) VALUES (%s, %s, %s, '2026', 'pending', NOW(), 0)""",
                            (rule.id, self.customer.id, self.company.id))
        self.assertFalse(rule._run(date(2026, 11, 28)))
        self.assertFalse(self._activities())

    def test_a_failing_action_is_logged_and_retried_a_bounded_number_of_times(self):
        other = self._create_customer('Jade Garden', birthday=date(1985, 12, 1))
        rule = self._rule(action_server_ids=[(6, 0, (self.note | self.failing).ids)],
                          partner_domain=f"[('id', '=', {other.id})]")
        good = self._rule(name='Note only', action_server_ids=[(6, 0, self.note.ids)],
                          partner_domain=f"[('id', '=', {self.customer.id})]")
        rule._run(date(2026, 11, 28))
        good._run(date(2026, 11, 28))
        log = rule.care_action_ids
        self.assertEqual((log.state, log.attempts), ('failed', 1))
        self.assertIn("the template is gone", log.note)
        self.assertEqual(rule.failed_count, 1)
        self.assertFalse(other.message_ids.filtered(lambda m: 'Cared for' in m.body))   # rolled back
        self.assertEqual(good.care_action_ids.state, 'done')                          # others proceed
        for _run in range(4):
            rule._run(date(2026, 11, 28))
        self.assertEqual(log.attempts, 3)
        rule.action_server_ids = self.note      # the administrator fixes the action
        log.attempts = 1
        rule._run(date(2026, 11, 28))
        self.assertEqual(log.state, 'done')

    def test_holdout_is_deterministic_and_not_actioned(self):
        customers = self.env['res.partner'].create([
            {'name': f'Held {i}', 'is_company': True, 'birthday': date(1980, 12, 1), 'ref': 'HOLD'}
            for i in range(40)])
        rule = self._rule(holdout_percent=50, partner_domain="[('ref', '=', 'HOLD')]")
        draw = [rule._is_holdout(c.id) for c in customers]
        self.assertEqual(draw, [rule._is_holdout(c.id) for c in customers])
        self.assertTrue(5 < sum(draw) < 35)
        rule._run(date(2026, 11, 28))
        held = rule.care_action_ids.filtered(lambda a: a.state == 'holdout').partner_id
        self.assertEqual(set(held.ids), {c.id for c, out in zip(customers, draw, strict=True) if out})
        self.assertFalse(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                           ('res_id', 'in', held.ids)]))

    def test_opted_out_customers_get_no_message_but_staff_still_act(self):
        self.customer.care_opt_out = True
        rule = self._rule(action_server_ids=[(6, 0, (self.email | self.activity).ids)])
        rule._run(date(2026, 11, 28))
        self.assertFalse(self._mails())
        self.assertEqual(len(self._activities()), 1)
        self.assertIn("not to be contacted", rule.care_action_ids.note)
        email_only = self._rule(name='Email only', action_server_ids=[(6, 0, self.email.ids)])
        email_only._run(date(2026, 11, 28))
        self.assertEqual(email_only.care_action_ids.state, 'skipped')

    def test_contact_cap_across_rules(self):
        self.company.write({'loyalty_contact_cap': 1, 'loyalty_contact_cap_days': 30})
        first = self._rule(action_server_ids=[(6, 0, self.email.ids)])
        second = self._rule(name='Second wishes', action_server_ids=[(6, 0, self.email.ids)])
        first._run(date(2026, 11, 28))
        second._run(date(2026, 11, 28))
        self.assertEqual(len(self._mails()), 1)
        self.assertEqual(self._mails().state, 'outgoing')       # queued, not forced
        self.assertEqual(second.care_action_ids.state, 'skipped')
        self.assertIn("Contact cap", second.care_action_ids.note)

    def test_cooldown_per_rule(self):
        rule = self._rule(trigger='after_purchase', days=0, cooldown_days=30)
        self._order(self.customer, 100, date.today() - timedelta(days=5))
        self._recompute(as_of=date.today() - timedelta(days=5))
        rule._run(date.today() - timedelta(days=5))
        self._order(self.customer, 100, date.today())
        self._recompute(as_of=date.today())
        rule._run(date.today())
        self.assertEqual(rule.care_action_ids.mapped('state'), ['skipped', 'done'])

    def test_preview_acts_on_nobody(self):
        rule = self._rule(days=0, partner_domain=f"[('id', '=', {self.customer.id})]")
        self.customer.birthday = date.today().replace(year=1992)     # a leap year, for 29 February
        self.assertEqual(rule.preview_count, 1)
        action = rule.action_preview()
        self.assertEqual(action['domain'], [('id', 'in', [self.customer.id])])
        self.assertFalse(rule.care_action_ids)
        self.env.ref('crm_loyalty.ir_cron_loyalty_care').method_direct_trigger()
        self.assertEqual(rule.care_action_ids.state, 'done')

    def test_uplift_compares_treated_and_holdout(self):
        rule = self._rule(uplift_days=30)
        buyers = self.env['res.partner'].create([{'name': f'U{i}', 'is_company': True} for i in range(4)])
        when = datetime(2026, 10, 1, 9)
        Log = self.env['crm.loyalty.care.action']
        for partner, state in zip(buyers, ['done', 'done', 'holdout', 'holdout'], strict=True):
            Log.create({'rule_id': rule.id, 'partner_id': partner.id, 'company_id': self.company.id,
                        'occurrence': '2026', 'state': state, 'date': when})
        self._order(buyers[0], 100, date(2026, 10, 10))      # treated, bought again
        self._order(buyers[2], 100, date(2026, 12, 10))      # holdout, too late
        rule.invalidate_recordset()
        self.assertEqual((rule.treated_count, rule.treated_repurchase), (2, 50.0))
        self.assertEqual((rule.holdout_count, rule.holdout_repurchase), (2, 0.0))

    def test_our_server_action_kinds(self):
        partner_model = self.env['ir.model']._get_id('res.partner')
        team = self.env['crm.team'].create({'name': 'Win-back Team'})
        Server = self.env['ir.actions.server']
        ask = Server.create({'name': 'Ask', 'model_id': partner_model, 'state': 'loyalty_feedback'})
        winback = Server.create({'name': 'Win back', 'model_id': partner_model, 'state': 'loyalty_winback',
                                 'loyalty_team_id': team.id})
        rule = self._rule(action_server_ids=[(6, 0, (ask | winback).ids)])
        rule._run(date(2026, 11, 28))
        self.assertEqual(self.env['crm.loyalty.feedback'].search([('partner_id', '=', self.customer.id)]).state,
                         'requested')
        lead = self.env['crm.lead'].search([('partner_id', '=', self.customer.id)])
        self.assertEqual((lead.type, lead.team_id), ('opportunity', team))
        self.assertEqual(Server.with_context(crm_loyalty_care=True).default_get(['model_id'])['model_id'],
                         partner_model)

    # --- bad input ------------------------------------------------------------------

    def test_bad_rules_are_refused_and_nothing_is_saved(self):
        template_less = self.env['ir.actions.server'].create({
            'name': 'No template', 'model_id': self.env['ir.model']._get_id('res.partner'),
            'state': 'mail_post', 'mail_post_method': 'email'})
        Rule = self.env['crm.loyalty.care.rule']
        count = Rule.search_count([])
        for values, message in (
                ({'partner_domain': "[('no_such_field', '=', 1)]"}, "not a valid domain"),
                ({'partner_domain': "[('name', '=',"}, "not a valid domain"),
                ({'days': -1}, "cannot be negative"),
                ({'cooldown_days': -5}, "cannot be negative"),
                ({'holdout_percent': 60}, "between 0 and 50"),
                ({'action_server_ids': [(6, 0, template_less.ids)]}, "has no template"),
                ({'trigger': 'product_reminder'}, "needs products"),
        ):
            with self.subTest(values=values), self.assertRefused(message):
                self._rule(**values)
        self.assertEqual(Rule.search_count([]), count)


@tagged('post_install', '-at_install')
class TestCareTour(LoyaltyTourCase):

    def test_an_administrator_creates_previews_and_runs_a_birthday_rule(self):
        customer = self.env['res.partner'].create({
            'name': 'Lotus Tea House', 'is_company': True,
            'birthday': (date.today() + timedelta(days=3)).replace(year=1992)})
        self.env['ir.actions.server'].create({
            'name': 'Tour: call for the birthday', 'model_id': self.env['ir.model']._get_id('res.partner'),
            'state': 'next_activity', 'activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Birthday call', 'activity_user_type': 'specific',
            'activity_user_id': self.env.ref('base.user_admin').id})
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_care_rule', login='admin')
        self.assertEqual([path.name for path in shots], ['care_rule.png'])
        rule = self.env['crm.loyalty.care.rule'].search([('name', '=', 'Birthday call')])
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'])
        self.assertEqual(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                           ('res_id', '=', customer.id)]).summary, 'Birthday call')
