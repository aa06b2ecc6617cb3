import time
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from ..models import crm_loyalty_care
from ..models.local_day import company_today
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
        # every partner: most customers of these tests never bought
        return self.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday wishes', 'trigger': 'birthday', 'days': 3, 'partner_domain': '[]',
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

    def _predicted(self, name, next_purchase, last_purchase=date(2026, 10, 1)):
        """A customer company whose engine figures predict his next purchase on that day."""
        customer = self._create_customer(name)
        customer.write({'loyalty_next_purchase_date': next_purchase, 'loyalty_last_purchase_date': last_purchase})
        return customer

    def test_a_predicted_purchase_due_within_n_days_once_per_purchase(self):
        today = date(2026, 11, 22)
        soon = self._predicted('Due Soon', today + timedelta(days=5))
        self._predicted('Due Later', today + timedelta(days=10))
        self._predicted('Already Past', today - timedelta(days=1))
        contact = self.env['res.partner'].create({'name': 'Ann', 'parent_id': soon.id})
        rule = self._rule(trigger='purchase_due', days=7)
        self.assertEqual(rule._candidates(today), [(soon.id, 'after 2026-10-01')])
        rule._run(today)
        rule._run(today + timedelta(days=1))
        self.assertEqual(len(self._activities(soon)), 1)
        self.assertFalse(self._activities(contact))
        # he bought again: a new purchase, a new occurrence
        soon.write({'loyalty_last_purchase_date': today, 'loyalty_next_purchase_date': today + timedelta(days=3)})
        self.assertEqual(rule._candidates(today + timedelta(days=1)), [(soon.id, f'after {today}')])

    def test_past_the_predicted_purchase_by_n_days(self):
        today = date(2026, 11, 22)
        self._predicted('Due Soon', today + timedelta(days=5))
        late = self._predicted('Late', today - timedelta(days=11))
        self._predicted('Barely Late', today - timedelta(days=10))
        rule = self._rule(trigger='purchase_overdue', days=10)
        self.assertEqual(rule._candidates(today), [(late.id, 'overdue after 2026-10-01')])

    def test_a_rule_on_trusted_predictions_waits_for_a_good_grade(self):
        today = date(2026, 11, 22)
        soon = self._predicted('Due Soon', today + timedelta(days=5))
        rule = self._rule(trigger='purchase_due', days=7, trusted_predictions_only=True)
        self.assertFalse(rule._candidates(today), "no check of the predictions yet")
        self.company.loyalty_clv_backtest = {'grade': 'C'}
        rule._run(today)
        self.assertFalse(rule.care_action_ids)
        self.company.loyalty_clv_backtest = {'grade': 'B'}
        self.assertEqual(rule._candidates(today), [(soon.id, 'after 2026-10-01')])
        rule.trusted_predictions_only = False
        self.company.loyalty_clv_backtest = {'grade': 'C'}
        self.assertEqual(rule._candidates(today), [(soon.id, 'after 2026-10-01')])

    def test_a_new_rule_cares_for_customers_who_bought_and_their_contacts(self):
        rule = self.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday wishes', 'trigger': 'birthday', 'action_server_ids': [(6, 0, self.activity.ids)]})
        self.assertEqual(rule.partner_domain, "[('loyalty_purchase_count_total', '>', 0)]")
        buyer = self._create_customer('Buyer Ltd', birthday=date(1980, 11, 22))
        contact = self.env['res.partner'].create({'name': 'Ann', 'parent_id': buyer.id, 'birthday': date(1985, 11, 22)})
        self._order(buyer, 100, 30)
        self.env['crm.loyalty.engine']._recompute(as_of=date(2026, 11, 22))
        prospect = self._create_customer('Never Bought', birthday=date(1980, 11, 22))
        vendor = self.env['res.partner'].create({'name': 'Vendor', 'birthday': date(1980, 11, 22)})
        found = {pid for pid, _occ in rule._candidates(date(2026, 11, 22))}
        self.assertEqual(found, {buyer.id, contact.id})
        self.assertFalse({prospect.id, vendor.id} & found)

    def test_run_now_says_what_it_did(self):
        rule = self._rule(action_server_ids=[(6, 0, self.email.ids)], cooldown_days=0)
        self.customer.care_opt_out = True
        other = self._create_customer('Happy Tea', email='happy@example.com', birthday=date(1990, 12, 1))
        with freeze_time('2026-11-28 09:00:00'):
            rule.last_run_date = date(2026, 11, 27)
            result = rule.action_run()
        message = result['params']['message']
        self.assertEqual(result['tag'], 'display_notification')
        self.assertEqual(message, "Customers actioned: 1, skipped: 1 (The customer asked not to be contacted.).")
        self.assertTrue(other.exists())
        with freeze_time('2026-11-28 10:00:00'):
            self.assertIn("Nobody to care for now", rule.action_run()['params']['message'])

    def test_a_rule_with_nothing_to_do_waits(self):
        """Run Now refuses it, the job leaves it alone: its customers would be logged
        skipped, cared for by nobody once a line is added."""
        rule = self._rule(action_server_ids=[Command.clear()])
        last_run = rule.last_run_date
        with freeze_time('2026-11-28 09:00:00'):
            self.assertTrue(rule._candidates())
            with self.assertRaisesRegex(UserError, "Nothing to do yet for Birthday wishes"):
                rule.action_run()
            self.env['crm.loyalty.care.rule']._cron_run()
        self.assertFalse(self.env['crm.loyalty.care.action'].search([('rule_id', '=', rule.id)]))
        self.assertEqual(rule.last_run_date, last_run)

    def test_every_trigger_has_its_query(self):
        for trigger, _label in crm_loyalty_care.TRIGGERS:
            with self.subTest(trigger=trigger):
                rule = self._rule(trigger=trigger, days=3, product_ids=[Command.set(self.product.ids)])
                self.assertIsInstance(rule._candidates(date(2026, 11, 22)), list)

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
        # due from day +10 on, until a second 40-day interval has passed (day +50): he stopped
        self.assertTrue(refill._candidates(self.AS_OF + timedelta(days=49)))
        self.assertFalse(refill._candidates(self.AS_OF + timedelta(days=50)))

    def test_replenishment_of_his_usual_products_only(self):
        """Tea bought 70 and 30 days ago, a habit of his card; a kettle bought 700 and 370
        days ago, before the scoring window, which he no longer buys: both rhythms say he
        runs out (the kettle 40 days ago, within its 330-day interval), only the tea is his
        usual product."""
        tea, kettle = self.env['product.product'].create([
            {'name': name, 'type': 'consu'} for name in ('Tea', 'Kettle')])
        for product, days_ago in ((tea, 70), (tea, 30), (kettle, 700), (kettle, 370)):
            self._order(self.customer, 50, days_ago).order_line.product_id = product
        self._recompute()
        self.assertEqual(self.customer.loyalty_favourite_product_ids, tea)
        every = self._rule(trigger='replenishment', days=10)
        self.assertEqual({occurrence for _partner, occurrence in every._candidates(self.AS_OF)},
                         {f'product {kettle.id} after {self.AS_OF - timedelta(days=370)}',
                          f'product {tea.id} after {self.AS_OF - timedelta(days=30)}'})
        usual = self._rule(trigger='replenishment', days=10, favourite_products_only=True)
        self.assertEqual(usual._candidates(self.AS_OF),
                         [(self.customer.id, f'product {tea.id} after {self.AS_OF - timedelta(days=30)}')])

    def test_the_eligible_count_follows_the_form_as_it_is_edited(self):
        """The tea house's tea is a habit; the Jade Garden's kettle, bought twice before the
        window, is due but no longer usual: two customers eligible, one with the option, as
        the form is edited, before and after it is saved."""
        tea, kettle = self.env['product.product'].create([
            {'name': name, 'type': 'consu'} for name in ('Tea', 'Kettle')])
        garden = self._create_customer('Jade Garden')
        for partner, product, days_ago in ((self.customer, tea, 70), (self.customer, tea, 30),
                                           (garden, kettle, 700), (garden, kettle, 370)):
            self._order(partner, 50, days_ago).order_line.product_id = product
        self._recompute()
        with freeze_time(self.AS_OF), Form(self.env['crm.loyalty.care.rule']) as form:
            form.name = 'Refill'
            form.trigger = 'replenishment'
            form.days = 10
            self.assertEqual(form.preview_count, 2)
            form.favourite_products_only = True
            self.assertEqual(form.preview_count, 1)
            form.product_ids.add(kettle)
            self.assertEqual(form.preview_count, 0)
        rule = form.record
        with freeze_time(self.AS_OF), Form(rule) as form:
            self.assertEqual(form.preview_count, 0)
            form.favourite_products_only = False
            self.assertEqual(form.preview_count, 1)

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

    def _birthday_customers(self, ref, count):
        return self.env['res.partner'].create([
            {'name': f'{ref} {i}', 'is_company': True, 'birthday': date(1980, 12, 1), 'ref': ref}
            for i in range(count)])

    def test_schedule_activity_outside_care_still_runs_record_by_record(self):
        """The batch runner is the care rules' only: any other run of "schedule an activity"
        (a button, an automation) goes through Odoo's own runner, once per record."""
        seller = self.env['res.users'].create({'name': 'Seller', 'login': 'seller.batch'})
        a, b = self._create_customer('Per Record A', user_id=seller.id), self._create_customer('Per Record B')
        action = self.env['ir.actions.server'].create({
            'name': 'Call', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'next_activity',
            'activity_type_id': self.env.ref('mail.mail_activity_data_call').id, 'activity_summary': 'Call',
            'activity_user_type': 'generic', 'activity_user_field_name': 'user_id'})
        calls = []
        original = type(action)._run_action_next_activity

        def spy(self_, eval_context=None):
            calls.append(self_.env.context['active_ids'])
            return original(self_, eval_context=eval_context)

        with patch.object(type(action), '_run_action_next_activity', spy):
            action.with_context(active_model='res.partner', active_id=a.id, active_ids=[a.id, b.id]).run()
        self.assertEqual(calls, [[a.id], [b.id]])
        self.assertEqual(a.activity_ids.user_id, seller)
        self.assertEqual(len(b.activity_ids), 1)

    def test_a_batch_with_one_failing_customer_logs_it_failed_and_the_others_done(self):
        customers = self._birthday_customers('BATCH', 7)
        customers[4].ref = 'NO PHONE'
        picky = self.env['ir.actions.server'].create({
            'name': 'Picky', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'code',
            'code': "if record.ref == 'NO PHONE':\n    raise UserError('no phone number')"})
        rule = self._rule(action_server_ids=[(6, 0, (self.activity | picky).ids)],
                          partner_domain="[('name', '=like', 'BATCH %')]")
        rule._run(date(2026, 11, 28))
        log = {action.partner_id: action for action in rule.care_action_ids}
        self.assertEqual(log[customers[4]].state, 'failed')
        self.assertIn("no phone number", log[customers[4]].note)
        self.assertFalse(self._activities(customers[4]))                     # rolled back
        for customer in customers - customers[4]:
            self.assertEqual((log[customer].state, len(self._activities(customer))), ('done', 1))

    def test_an_occurrence_is_never_acted_on_twice(self):
        """In batches, stopped by the step's time budget, run again and by the cron."""
        customers = self._birthday_customers('TWICE', 5)
        rule = self._rule(partner_domain="[('ref', '=', 'TWICE')]")
        with patch.object(crm_loyalty_care, 'BATCH_SIZE', 2):
            logs, left = rule._run_step(date(2026, 11, 28), deadline=time.monotonic() - 1)
            self.assertEqual((len(logs), left), (2, 3))        # one batch, then the time is up
            self.assertEqual(rule.last_run_date, date.today() - timedelta(days=1))    # not evaluated yet
            rule._run(date(2026, 11, 28))
            rule._run(date(2026, 11, 28))
            self.env['crm.loyalty.care.rule']._cron_run()
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'] * 5)
        for customer in customers:
            self.assertEqual(len(self._activities(customer)), 1)

    def test_a_batch_killed_half_way_and_run_again_acts_on_each_occurrence_once(self):
        customers = self._birthday_customers('KILLED', 5)
        rule = self._rule(partner_domain="[('ref', '=', 'KILLED')]")

        class Killed(Exception):
            pass

        with patch.object(crm_loyalty_care, 'BATCH_SIZE', 2):
            # the first batch is done and committed
            first, _left = rule._run_step(date(2026, 11, 28), deadline=time.monotonic() - 1)
            # the worker dies in the next batch, after its actions, before its commit
            with self.assertRaises(Killed), self.env.cr.savepoint():
                rule._run_step(date(2026, 11, 28), deadline=time.monotonic() - 1)
                raise Killed
            self.env.invalidate_all()
            self.assertEqual(rule.care_action_ids, first, "the killed batch left nothing")
            rule._run(date(2026, 11, 28))
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'] * 5)
        for customer in customers:
            self.assertEqual(len(self._activities(customer)), 1)

    def test_the_care_job_works_in_steps_and_reports_its_progress(self):
        self.customer.birthday = date.today().replace(year=1992)
        self._birthday_customers('STEP', 4).birthday = date.today().replace(year=1992)
        rule = self._rule(days=0, partner_domain="[('birthday', '!=', False)]")
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_care')
        progress = []
        with patch.object(crm_loyalty_care, 'BATCH_SIZE', 2), \
                patch.object(crm_loyalty_care, 'step_seconds', lambda: 0):
            for _step in range(4):
                cron, step = cron._add_progress()
                self.env['crm.loyalty.care.rule'].with_context(ir_cron_progress_id=step.id)._cron_run()
                progress.append((step.done, step.remaining))
        self.assertEqual(progress, [(2, 3), (2, 1), (1, 0), (0, 0)])
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'] * 5)

    def test_a_batch_costs_the_same_queries_for_10_and_100_customers(self):
        """The opt-out, cooldown, holdout and cap decisions and the action are taken for the
        whole batch: its queries do not grow with its customers."""
        warm_up = self._rule(name='Warm-up', partner_domain=f"[('id', '=', {self.customer.id})]")
        ten, hundred = (self._rule(name=ref, partner_domain=f"[('ref', '=', '{ref}')]")
                        for ref in ('TEN', 'HUNDRED'))
        self._birthday_customers('TEN', 10)
        customers = self._birthday_customers('HUNDRED', 100)
        warm_up._run(date(2026, 11, 28))
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        ten._run(date(2026, 11, 28))
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - start
        with self.assertQueryCount(queries):
            hundred._run(date(2026, 11, 28))
        self.assertEqual(hundred.care_action_ids.mapped('state'), ['done'] * 100)
        self.assertEqual(len(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                               ('res_id', 'in', customers.ids)])), 100)

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
        self.assertEqual((rule.treated_count, rule.treated_repurchase), (2, 0.5))
        self.assertEqual((rule.holdout_count, rule.holdout_repurchase), (2, 0.0))

    def _uplift_history(self, rule, treated, treated_bought, holdout, holdout_bought):
        """Logs of ``rule`` on new customers, some of whom bought again within its window."""
        when = datetime(2026, 10, 1, 9)
        groups = (('done', treated, treated_bought), ('holdout', holdout, holdout_bought))
        for state, count, bought in groups:
            partners = self.env['res.partner'].create([
                {'name': f'{state} {i}', 'is_company': True} for i in range(count)])
            self.env['crm.loyalty.care.action'].create([
                {'rule_id': rule.id, 'partner_id': partner.id, 'company_id': self.company.id,
                 'occurrence': '2026', 'state': state, 'date': when} for partner in partners])
            self.env['sale.order'].create([
                {'partner_id': partner.id, 'state': 'sale', 'date_order': datetime(2026, 10, 10, 10),
                 'order_line': [(0, 0, {'product_id': self.product.id, 'price_unit': 100, 'tax_id': False})]}
                for partner in partners[:bought]])
        rule.invalidate_recordset()

    def test_uplift_is_given_with_its_sample_sizes_and_margin(self):
        rule = self._rule(uplift_days=30)
        self.assertEqual(rule.uplift_verdict, "Nobody selected yet.")
        self._uplift_history(rule, 40, 20, 40, 4)
        self.assertRecordValues(rule, [{'treated_count': 40, 'treated_repurchase': 0.5,
                                        'holdout_count': 40, 'holdout_repurchase': 0.1}])
        # 40 points, 1.96 × √(0.5 × 0.5 / 40 + 0.1 × 0.9 / 40) = 18.1 points
        self.assertEqual(rule.uplift_verdict, "+40.0 points (±18.1), 40 treated against 40 held out.")

    def test_uplift_within_its_margin_is_not_a_result(self):
        rule = self._rule(uplift_days=30)
        self._uplift_history(rule, 40, 20, 40, 18)
        self.assertEqual(rule.uplift_verdict,
                         "+5.0 points (±21.9): within chance so far, 40 treated against 40 held out.")

    def test_uplift_of_small_samples_says_it_cannot_conclude(self):
        rule = self._rule(uplift_days=30)
        self._uplift_history(rule, 12, 9, 0, 0)
        self.assertEqual(rule.uplift_verdict, "No holdout to compare with: set a holdout share.")
        self._uplift_history(rule, 0, 0, 3, 0)
        self.assertEqual(rule.uplift_verdict, "Too few customers to conclude: 12 treated and 3 held out "
                                              "(at least 30 in each group).")
        self.assertEqual((rule.treated_repurchase, rule.holdout_repurchase), (0.75, 0.0))

    def test_the_log_records_the_rules_trigger(self):
        """The log is written in SQL: its trigger (for filters, groupings, exports) too."""
        rule = self._rule()
        rule._run(date(2026, 11, 28))
        Log = self.env['crm.loyalty.care.action']
        self.env.invalidate_all()
        log = Log.search([('rule_id', '=', rule.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(log.trigger, 'birthday')
        self.assertEqual(Log.search([('rule_id', '=', rule.id), ('trigger', '=', 'birthday')]), log)
        self.assertEqual(Log._read_group([('rule_id', '=', rule.id)], ['trigger'], ['__count']), [('birthday', 1)])
        self.assertEqual(log.export_data(['trigger'])['datas'], [['birthday']])

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

    # --- the company's local day ---------------------------------------------------

    def test_a_birthday_is_greeted_on_the_customers_own_day_at_the_real_time(self):
        """Born on 15 January in Los Angeles: at 02:00 UTC it is still the 14th there."""
        angeleno = self._create_customer('Pacific Teas', birthday=date(1980, 1, 15), tz='America/Los_Angeles')
        rule = self._rule(days=0, partner_domain=f"[('id', '=', {angeleno.id})]")
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_care')
        with freeze_time('2027-01-15 02:00:00'):
            cron.method_direct_trigger()
        self.assertFalse(rule.care_action_ids)
        for moment in ('2027-01-15 09:00:00', '2027-01-15 23:00:00'):
            with freeze_time(moment):
                cron.method_direct_trigger()
        self.assertRecordValues(rule.care_action_ids, [{'partner_id': angeleno.id, 'occurrence': '2027',
                                                        'state': 'done'}])
        self.assertEqual(len(self._activities(angeleno)), 1)

    def test_a_birthday_moment_sent_as_text_is_ignored(self):
        rule = self._rule(days=0)
        self.customer.birthday = date(1990, 1, 15)
        self.assertFalse(rule.with_context(crm_loyalty_now='2027-01-15 09:00:00')._candidates())
        self.assertEqual(rule.with_context(crm_loyalty_now=datetime(2027, 1, 15, 9))._candidates(),
                         [(self.customer.id, '2027')])

    def test_a_rules_today_is_the_companys_day(self):
        """At 20:00 UTC on 16 November it is the 17th in Shanghai: 7 days after the 10th."""
        self._order(self.customer, 100, date(2026, 11, 10))         # 10:00 UTC, the 10th everywhere
        self._recompute(as_of=date(2026, 11, 17))
        rule = self._rule(trigger='after_purchase', days=7)
        evening = rule.with_context(crm_loyalty_now=datetime(2026, 11, 16, 20, 0))
        self.company.partner_id.tz = 'UTC'
        self.assertFalse(evening._candidates())
        self.company.partner_id.tz = 'Asia/Shanghai'
        self.assertEqual(evening._candidates(), [(self.customer.id, '2026-11-10')])

    def test_datetime_triggers_count_the_companys_local_day(self):
        """An order, a resolution, an answer or a message at 20:00 UTC on 9 November is on
        the 10th in Shanghai and on the 9th in New York."""
        evening = datetime(2026, 11, 9, 20, 0)
        filter_ = self.env['product.product'].create({'name': 'Water filter', 'type': 'consu'})
        order = self._order(self.customer, 50, date(2026, 11, 9))
        order.write({'date_order': evening, 'order_line': [Command.update(order.order_line.id,
                                                                          {'product_id': filter_.id})]})
        self._order(self.customer, 50, date(2026, 10, 10)).order_line.product_id = filter_
        complaint = self.env['crm.loyalty.complaint'].create({'partner_id': self.customer.id, 'subject': 'Late'})
        complaint.write({'resolution': '<p>Sent again</p>', 'state': 'resolved'})
        complaint.date_resolved = evening
        answer = self.env['crm.loyalty.feedback'].create({'partner_id': self.customer.id, 'score': '1',
                                                          'channel': 'phone', 'date': evening})
        self.env['mail.message'].search([('model', '=', 'res.partner'), ('res_id', '=', self.customer.id)]).unlink()
        self.customer.message_post(body="We talked", message_type='comment')
        self.env['mail.message'].search([('model', '=', 'res.partner'), ('res_id', '=', self.customer.id)]) \
            .date = evening
        only_him = f"[('id', '=', {self.customer.id})]"
        rules = {
            'product_reminder': self._rule(trigger='product_reminder', days=0, product_ids=[(6, 0, filter_.ids)]),
            'complaint_resolved': self._rule(trigger='complaint_resolved', days=0),
            'low_satisfaction': self._rule(trigger='low_satisfaction', days=0),
            'no_contact': self._rule(trigger='no_contact', days=1, partner_domain=only_him),
            # bought on 10 October and on the evening's day: due within 31 days
            'replenishment': self._rule(trigger='replenishment', days=31, product_ids=[(6, 0, filter_.ids)]),
        }
        expected = {
            'product_reminder': f'order {order.id}', 'complaint_resolved': f'complaint {complaint.id}',
            'low_satisfaction': f'answer {answer.id}', 'no_contact': 'since %s',
            'replenishment': f'product {filter_.id} after %s',
        }
        for tz, day in (('Asia/Shanghai', date(2026, 11, 10)), ('America/New_York', date(2026, 11, 9))):
            self.company.partner_id.tz = tz
            for trigger, rule in rules.items():
                with self.subTest(tz=tz, trigger=trigger):
                    occurrence = expected[trigger].replace('%s', str(day))
                    on_day = day + timedelta(days=1) if trigger == 'no_contact' else day
                    self.assertEqual(rule._candidates(on_day), [(self.customer.id, occurrence)])
                    if trigger != 'replenishment':      # due from then on, not on one day
                        self.assertFalse(rule._candidates(on_day - timedelta(days=1)))

    # --- the customer is the company -----------------------------------------------

    def _acme(self):
        acme = self._create_customer('ACME', email='office@acme.example.com')
        ann, bob = self.env['res.partner'].create([
            {'name': 'Ann', 'parent_id': acme.id, 'email': 'ann@acme.example.com'},
            {'name': 'Bob', 'parent_id': acme.id, 'email': 'bob@acme.example.com'}])
        return acme, ann, bob

    def _winback(self, **values):
        return self.env['ir.actions.server'].create({
            'name': 'Win back', 'model_id': self.env['ir.model']._get_id('res.partner'),
            'state': 'loyalty_winback', **values})

    def test_a_company_and_its_contacts_get_one_action_and_one_opportunity(self):
        acme, ann, bob = self._acme()
        self._order(acme, 500, date(2026, 6, 1))
        self._recompute()
        # the contacts carry the company's figures
        self.assertEqual((ann | bob).mapped('loyalty_last_purchase_date'), [date(2026, 6, 1)] * 2)
        rule = self._rule(trigger='dormant', days=90, partner_domain=f"[('commercial_partner_id', '=', {acme.id})]",
                          action_server_ids=[(6, 0, self._winback().ids)])
        rule._run(self.AS_OF)
        rule._run(self.AS_OF)
        self.assertRecordValues(rule.care_action_ids, [{'partner_id': acme.id, 'state': 'done',
                                                        'occurrence': 'since 2026-06-01'}])
        leads = self.env['crm.lead'].search([('partner_id', 'in', (acme | ann | bob).ids)])
        self.assertRecordValues(leads, [{'partner_id': acme.id, 'type': 'opportunity', 'name': 'Win back ACME'}])

    def test_every_purchase_trigger_selects_the_company_only(self):
        acme, ann, bob = self._acme()
        self._order(ann, 300, date(2024, 11, 25))
        self._order(bob, 200, date(2026, 11, 12))
        self._recompute()
        for trigger, days in (('purchase_anniversary', 3), ('after_purchase', 10), ('dormant', 10)):
            with self.subTest(trigger=trigger):
                rule = self._rule(name=trigger, trigger=trigger, days=days)
                self.assertEqual({pid for pid, _occ in rule._candidates(self.AS_OF)} & set((acme | ann | bob).ids),
                                 {acme.id})

    def test_a_contacts_birthday_is_his_own_once(self):
        acme, ann, _bob = self._acme()
        ann.birthday = date(1990, 12, 1)
        rule = self._rule(partner_domain=f"[('commercial_partner_id', '=', {acme.id})]")
        rule._run(date(2026, 11, 28))
        rule._run(date(2026, 11, 28))
        self.assertRecordValues(rule.care_action_ids, [{'partner_id': ann.id, 'occurrence': '2026'}])
        self.assertEqual(len(self._activities(ann)), 1)
        self.assertFalse(self._activities(acme))

    def test_winback_goes_to_the_actions_team_else_the_salespersons(self):
        salesman = self.env['res.users'].create({'name': 'Wei', 'login': 'wei_care', 'email': 'wei@example.com'})
        own_team = self.env['crm.team'].create({'name': 'North', 'member_ids': [(6, 0, salesman.ids)]})
        action_team = self.env['crm.team'].create({'name': 'Win-back Team', 'user_id': self.env.user.id})
        followed = self._create_customer('Followed Ltd', user_id=salesman.id, birthday=date(1990, 12, 1))
        alone = self._create_customer('Alone Ltd', birthday=date(1990, 12, 1))
        for values, partner, team, user in (
                ({'loyalty_team_id': action_team.id}, followed, action_team, salesman),
                ({'loyalty_team_id': action_team.id}, alone, action_team, self.env.user),
                ({}, followed, own_team, salesman),
                ({}, alone, self.env['crm.team'], self.env['res.users'])):
            with self.subTest(team=bool(values), partner=partner.name):
                rule = self._rule(action_server_ids=[(6, 0, self._winback(**values).ids)],
                                  partner_domain=f"[('id', '=', {partner.id})]")
                rule._run(date(2026, 11, 28))
                self.assertEqual(rule.care_action_ids.state, 'done', rule.care_action_ids.note)
                lead = self.env['crm.lead'].search([('partner_id', '=', partner.id)], order='id desc', limit=1)
                self.assertEqual((lead.team_id, lead.user_id), (team, user))

    def test_a_satisfaction_request_goes_to_the_customer_with_or_without_an_address(self):
        ask = self.env['ir.actions.server'].create({
            'name': 'Ask', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'loyalty_feedback'})
        silent = self._create_customer('No Mail Ltd', birthday=date(1990, 12, 1))
        rule = self._rule(action_server_ids=[(6, 0, ask.ids)],
                          partner_domain=f"[('id', 'in', {[self.customer.id, silent.id]})]")
        rule._run(date(2026, 11, 28))
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done', 'done'])
        requests = self.env['crm.loyalty.feedback'].search([('partner_id', 'in', [self.customer.id, silent.id])])
        self.assertEqual(requests.mapped('state'), ['requested', 'requested'])
        mails = self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'), ('res_id', 'in', requests.ids)])
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertIn("no email address", requests.filtered(lambda r: r.partner_id == silent).message_ids[0].body)

    def test_an_activity_without_a_chosen_user_goes_to_the_salesperson_else_the_rules_user(self):
        generic = self.env['ir.actions.server'].create({
            'name': 'Call', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'next_activity',
            'activity_type_id': self.env.ref('mail.mail_activity_data_call').id, 'activity_summary': 'Care call',
            'activity_user_type': 'generic', 'activity_user_field_name': 'user_id'})
        salesman = self.env['res.users'].create({'name': 'Wei', 'login': 'wei_call', 'email': 'wei@example.com'})
        followed = self._create_customer('Followed Ltd', user_id=salesman.id, birthday=date(1990, 12, 1))
        rule = self._rule(action_server_ids=[(6, 0, generic.ids)],
                          partner_domain=f"[('id', 'in', {[self.customer.id, followed.id]})]")
        rule._run(date(2026, 11, 28))
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done', 'done'])
        self.assertEqual(self._activities(followed).user_id, salesman)
        self.assertEqual(self._activities().user_id, rule.user_id)

    def test_a_companys_opt_out_and_blacklist_hold_for_its_contacts(self):
        acme, ann, bob = self._acme()
        (ann | bob).birthday = date(1990, 12, 1)
        rule = self._rule(action_server_ids=[(6, 0, (self.email | self.activity).ids)],
                          partner_domain=f"[('commercial_partner_id', '=', {acme.id})]")
        acme.care_opt_out = True
        self.env['mail.blacklist'].create({'email': acme.email})
        rule._run(date(2026, 11, 28))
        self.assertFalse(self._mails(ann) | self._mails(bob))
        self.assertEqual(len(self._activities(ann) | self._activities(bob)), 2)     # staff still call
        self.assertEqual(rule.care_action_ids.mapped('note'), ["The customer asked not to be contacted."] * 2)
        acme.care_opt_out = False                   # only the blacklisted company address left
        email_only = self._rule(name='Email only', action_server_ids=[(6, 0, self.email.ids)],
                                partner_domain=f"[('id', '=', {ann.id})]")
        email_only._run(date(2026, 11, 28))
        self.assertRecordValues(email_only.care_action_ids, [{
            'state': 'skipped', 'note': "The customer's email address is blacklisted."}])
        self.assertFalse(self._mails(ann))
        self.assertFalse(ann.care_opt_out or ann.is_blacklisted)       # the contact's own flags untouched

    def test_uplift_counts_a_purchase_by_any_contact_of_the_company(self):
        acme, ann, bob = self._acme()
        rule = self._rule(uplift_days=30)
        when = datetime(2026, 10, 1, 9)
        Log = self.env['crm.loyalty.care.action']
        Log.create([{'rule_id': rule.id, 'partner_id': partner.id, 'company_id': self.company.id,
                     'occurrence': '2026', 'state': 'done', 'date': when} for partner in (acme, ann)])
        self._order(bob, 100, date(2026, 10, 10))     # Bob buys for ACME
        rule.invalidate_recordset()
        self.assertEqual((rule.treated_count, rule.treated_repurchase), (2, 1.0))

    # --- a missed run loses nothing --------------------------------------------------

    def test_a_day_the_job_did_not_run_is_caught_up_once(self):
        """Bought on 10 November; 7 days after: run on the 16th, not on the 17th, then on the 18th."""
        self._order(self.customer, 100, date(2026, 11, 10))
        self._recompute(as_of=date(2026, 11, 16))
        rule = self._rule(trigger='after_purchase', days=7, last_run_date=date(2026, 11, 15))
        rule._run(date(2026, 11, 16))
        self.assertFalse(rule.care_action_ids)
        self.assertEqual(rule.last_run_date, date(2026, 11, 16))
        rule._run(date(2026, 11, 18))
        rule._run(date(2026, 11, 18))
        rule._run(date(2026, 11, 19))
        self.assertRecordValues(rule.care_action_ids, [{'occurrence': '2026-11-10', 'state': 'done'}])
        self.assertEqual(len(self._activities()), 1)
        self.assertEqual(rule.last_run_date, date(2026, 11, 19))

    def test_every_exact_day_trigger_catches_up(self):
        """The job last ran on 1 November and runs again on the 10th: what fell in between is acted on."""
        filter_ = self.env['product.product'].create({'name': 'Water filter', 'type': 'consu'})
        self.customer.birthday = date(1990, 11, 5)
        self._order(self.customer, 100, date(2024, 11, 4))
        order = self._order(self.customer, 100, date(2026, 11, 3))
        order.order_line.product_id = filter_
        self._recompute(as_of=date(2026, 11, 10))
        complaint = self.env['crm.loyalty.complaint'].create({'partner_id': self.customer.id, 'subject': 'Late'})
        complaint.write({'resolution': '<p>Sent again</p>', 'state': 'resolved'})
        complaint.date_resolved = datetime(2026, 11, 4, 10)
        expected = {
            'birthday': '2026', 'purchase_anniversary': '2026', 'after_purchase': '2026-11-03',
            'product_reminder': f'order {order.id}', 'complaint_resolved': f'complaint {complaint.id}'}
        for trigger, occurrence in expected.items():
            with self.subTest(trigger=trigger):
                rule = self._rule(name=trigger, trigger=trigger, days=1, product_ids=[(6, 0, filter_.ids)],
                                  last_run_date=date(2026, 11, 1))
                self.assertEqual(rule._candidates(date(2026, 11, 10)), [(self.customer.id, occurrence)])
                rule.last_run_date = date(2026, 11, 9)      # had it run on the 9th: nothing left for the 10th
                self.assertFalse(rule._candidates(date(2026, 11, 10)))

    def test_a_leap_day_birthday_missed_on_28_february_is_caught_up_on_1_march(self):
        self.customer.birthday = date(2000, 2, 29)
        rule = self._rule(days=0, last_run_date=date(2027, 2, 27))
        rule._run(date(2027, 3, 1))
        rule._run(date(2027, 3, 2))
        self.assertRecordValues(rule.care_action_ids, [{'occurrence': '2027', 'state': 'done'}])

    def test_a_new_rule_does_not_act_on_history(self):
        today = date.today()
        self._order(self.customer, 100, today - timedelta(days=30))
        self._recompute(as_of=today)
        rule = self._rule(trigger='after_purchase', days=30)
        self.assertEqual(rule.last_run_date, today - timedelta(days=1))
        self.assertEqual(rule._candidates(today), [(self.customer.id, str(today - timedelta(days=30)))])
        late = self._rule(trigger='after_purchase', days=29)       # the purchase's day 29 was yesterday
        self.assertFalse(late._candidates(today))
        late._run(today)
        self.assertEqual((late.care_action_ids, late.last_run_date), (self.env['crm.loyalty.care.action'], today))

    def test_catching_up_stops_two_weeks_back(self):
        self._order(self.customer, 100, date(2026, 11, 1))
        self._recompute(as_of=date(2026, 11, 30))
        rule = self._rule(trigger='after_purchase', days=0, last_run_date=date(2026, 9, 1))
        self.assertEqual(rule._candidates(date(2026, 11, 15)), [(self.customer.id, '2026-11-01')])  # 14 days back
        self.assertFalse(rule._candidates(date(2026, 11, 16)))          # 15 days back: given up
        self.assertEqual(rule.last_run_date, date(2026, 9, 1))

    def test_a_reactivated_rule_starts_afresh(self):
        rule = self._rule(last_run_date=date(2026, 1, 1))
        rule.active = False
        rule.name = 'Paused'
        self.assertEqual(rule.last_run_date, date(2026, 1, 1))
        rule.active = True
        self.assertEqual(rule.last_run_date, date.today() - timedelta(days=1))

    def test_the_day_evaluated_is_written_by_the_runs_only(self):
        manager = self.env['res.users'].create({
            'name': 'Loyalty Admin', 'login': 'care_manager', 'email': 'manager@example.com',
            'groups_id': [(6, 0, [self.env.ref('crm_loyalty.group_loyalty_manager').id])]})
        rule = self._rule(last_run_date=date(2026, 11, 1))
        with self.assertRaises(AccessError):
            rule.with_user(manager).write({'last_run_date': date(2020, 1, 1)})
        with self.assertRaises(AccessError):
            self.env['crm.loyalty.care.rule'].with_user(manager).create({
                'name': 'History', 'trigger': 'birthday', 'last_run_date': date(2020, 1, 1)})
        self.assertEqual(rule.last_run_date, date(2026, 11, 1))
        self.assertFalse(self.env['crm.loyalty.care.rule'].search([('name', '=', 'History')]))
        self.assertEqual(rule.copy().last_run_date, date.today() - timedelta(days=1))   # a new rule

    def test_a_rule_that_raises_does_not_stop_the_others(self):
        today = date.today()
        self.customer.birthday = today.replace(year=1992)
        broken = self._rule(name='Broken filter', days=0, sequence=1)
        good = self._rule(name='Good', days=0, sequence=2)
        # a filter that no longer fits the partners (a field removed by an uninstalled module)
        self.env.cr.execute("UPDATE crm_loyalty_care_rule SET partner_domain = %s WHERE id = %s",
                            ["[('gone_field', '=', 1)]", broken.id])
        broken.invalidate_recordset()
        with self.assertLogs('odoo.addons.crm_loyalty.models.crm_loyalty_care', 'ERROR') as logs:
            self.env['crm.loyalty.care.rule']._cron_run()
        self.assertIn(f"Care rule {broken.id} failed", logs.output[0])
        self.assertEqual(good.care_action_ids.state, 'done')
        self.assertEqual(good.last_run_date, today)
        self.assertFalse(broken.care_action_ids)
        self.assertEqual(broken.last_run_date, today - timedelta(days=1))     # it catches up once fixed

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
class TestCareLines(LoyaltyCase):
    """The "What to do" lines of a rule: each does what it says, through its server action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({'email': 'tea.house@example.com', 'birthday': date(1990, 12, 1)})
        cls.call = cls.env.ref('mail.mail_activity_data_call')
        cls.vip, cls.newcomer = cls.env['res.partner.category'].create([{'name': 'VIP'}, {'name': 'Newcomer'}])
        cls.gold = cls.env['crm.loyalty.tier'].create({'name': 'Gold', 'min_value': 1000})
        cls.manager = cls._user('Loyalty Admin', 'lines_manager', 'crm_loyalty.group_loyalty_manager',
                                'base.group_partner_manager', 'sales_team.group_sale_salesman_all_leads')

    @classmethod
    def _user(cls, name, login, *groups):
        return cls.env['res.users'].create({
            'name': name, 'login': login, 'email': f'{login}@example.com',
            'groups_id': [Command.set([cls.env.ref(group).id for group in groups or ('base.group_user',)])]})

    def _rule(self, *lines, **values):
        return self.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday care', 'trigger': 'birthday', 'days': 3,
            'partner_domain': f"[('id', '=', {self.customer.id})]",
            'step_ids': [Command.create(line) for line in lines], **values})

    def _run(self, rule):
        """Run the rule on the customer's birthday, three days ahead."""
        rule._run(date(2026, 11, 28))
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'], rule.care_action_ids.note)

    def test_an_activity_line_goes_to_the_chosen_assignee_on_its_day(self):
        leader, seller, chosen = (self._user(name, login) for name, login in (
            ('Team Leader', 'lines_leader'), ('Seller', 'lines_seller'), ('Chosen', 'lines_chosen')))
        self.env['crm.team'].create({'name': 'North', 'user_id': leader.id, 'member_ids': [Command.set(seller.ids)]})
        self.customer.user_id = seller
        for assignee, expected in (('salesperson', seller), ('user', chosen), ('team_leader', leader)):
            with self.subTest(assignee=assignee):
                rule = self._rule({'kind': 'activity', 'activity_type_id': self.call.id, 'activity_days': 4,
                                   'activity_summary': f'Call ({assignee})', 'activity_assignee': assignee,
                                   'activity_user_id': chosen.id if assignee == 'user' else False},
                                  name=f'Care {assignee}')
                self._run(rule)
                self.assertRecordValues(
                    self.customer.activity_ids.filtered(lambda a, s=f'Call ({assignee})': a.summary == s),
                    [{'activity_type_id': self.call.id, 'user_id': expected.id,
                      'date_deadline': date.today() + timedelta(days=4)}])

    def test_an_activity_for_nobody_goes_to_the_rules_user(self):
        rule = self._rule({'kind': 'activity', 'activity_type_id': self.call.id, 'activity_assignee': 'team_leader'})
        self._run(rule)
        self.assertRecordValues(self.customer.activity_ids, [{'user_id': rule.user_id.id,
                                                              'date_deadline': date.today()}])

    def test_an_email_line_queues_the_template(self):
        template = self.env['mail.template'].create({
            'name': 'Wishes', 'model_id': self.env['ir.model']._get_id('res.partner'), 'subject': 'Happy birthday',
            'body_html': '<p>Happy birthday</p>', 'partner_to': '{{ object.id }}'})
        self._run(self._rule({'kind': 'email', 'template_id': template.id}))
        mail = self.env['mail.mail'].search([('model', '=', 'res.partner'), ('res_id', '=', self.customer.id)])
        self.assertRecordValues(mail, [{'subject': 'Happy birthday', 'state': 'outgoing'}])
        self.assertEqual(mail.recipient_ids, self.customer)

    def test_tag_lines_add_and_remove_a_tag(self):
        self.customer.category_id = self.newcomer
        self._run(self._rule({'kind': 'tag_add', 'tag_id': self.vip.id},
                             {'kind': 'tag_remove', 'tag_id': self.newcomer.id}))
        self.assertEqual(self.customer.category_id, self.vip)

    def test_loyalty_field_lines_override_the_tier_set_the_level_and_stop_care_contacts(self):
        self._run(self._rule(
            {'kind': 'tier_override', 'tier_id': self.gold.id, 'override_reason': "It's his birthday",
             'override_days': 30},
            {'kind': 'relationship_level', 'relationship_level': 'proactive'},
            {'kind': 'care_opt_out'}))
        self.assertRecordValues(self.customer, [{
            'loyalty_tier_override_id': self.gold.id, 'loyalty_tier_override_reason': "It's his birthday",
            'loyalty_tier_override_until': company_today(self.company) + timedelta(days=30),
            'loyalty_tier_id': self.gold.id, 'relationship_level': 'proactive', 'relationship_level_manual': True,
            'care_opt_out': True}])

    def test_a_satisfaction_line_sends_a_request(self):
        self._run(self._rule({'kind': 'feedback'}))
        request = self.env['crm.loyalty.feedback'].search([('partner_id', '=', self.customer.id)])
        self.assertEqual(request.state, 'requested')
        mail = self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'), ('res_id', '=', request.id)])
        self.assertEqual((mail.recipient_ids, mail.state), (self.customer, 'outgoing'))

    def test_a_winback_line_creates_an_opportunity_named_after_the_rule(self):
        team = self.env['crm.team'].create({'name': 'Win-back Team'})
        self._run(self._rule({'kind': 'winback', 'team_id': team.id}, name='Birthday comeback'))
        self.assertRecordValues(self.env['crm.lead'].search([('partner_id', '=', self.customer.id)]), [{
            'name': f'Birthday comeback: {self.customer.name}', 'type': 'opportunity', 'team_id': team.id}])

    def test_lines_act_on_the_whole_batch_at_once(self):
        """Tags, loyalty fields and tier overrides: one write per batch, not one per customer."""
        lines = ({'kind': 'tag_add', 'tag_id': self.vip.id},
                 {'kind': 'relationship_level', 'relationship_level': 'basic'}, {'kind': 'care_opt_out'},
                 {'kind': 'tier_override', 'tier_id': self.gold.id, 'override_reason': 'Birthday'})
        rules = {ref: self._rule(*lines, name=ref, partner_domain=f"[('ref', '=', '{ref}')]")
                 for ref in ('WARM', 'TEN', 'FORTY')}
        for ref, count in (('WARM', 1), ('TEN', 10), ('FORTY', 40)):
            self.env['res.partner'].create([{'name': f'{ref} {i}', 'is_company': True, 'ref': ref,
                                             'birthday': date(1980, 12, 1)} for i in range(count)])
        rules['WARM']._run(date(2026, 11, 28))
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        rules['TEN']._run(date(2026, 11, 28))
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - start
        with self.assertQueryCount(queries + 30):      # 30 more customers: at most one query each
            rules['FORTY']._run(date(2026, 11, 28))
        customers = self.env['res.partner'].search([('ref', '=', 'FORTY')])
        self.assertEqual(rules['FORTY'].care_action_ids.mapped('state'), ['done'] * 40)
        self.assertEqual(set(customers.mapped('relationship_level')), {'basic'})
        self.assertEqual((customers.category_id, customers.loyalty_tier_override_id), (self.vip, self.gold))
        self.assertTrue(all(customers.mapped('care_opt_out')))

    def test_a_lines_server_action_is_changed_and_deleted_with_it(self):
        rule = self._rule({'kind': 'tag_add', 'tag_id': self.vip.id})
        step = rule.step_ids
        action = step.action_server_id
        self.assertEqual(rule.action_server_ids, action)
        self.assertRecordValues(action, [{
            'model_name': 'res.partner', 'state': 'object_write', 'update_path': 'category_id',
            'update_m2m_operation': 'add', 'value': str(self.vip.id), 'binding_model_id': False,
            'loyalty_care_step_id': step.id}])
        step.write({'kind': 'activity', 'activity_type_id': self.call.id, 'activity_days': 2, 'sequence': 7})
        self.assertEqual(step.action_server_id, action)
        self.assertRecordValues(action, [{
            'state': 'next_activity', 'activity_type_id': self.call.id, 'activity_date_deadline_range': 2,
            'activity_date_deadline_range_type': 'days', 'activity_user_type': 'generic',
            'activity_user_field_name': 'user_id', 'sequence': 7}])
        step.unlink()
        self.assertFalse(action.exists())
        self.assertFalse(rule.action_server_ids)
        other = self._rule({'kind': 'feedback'}, {'kind': 'care_opt_out'}, name='Other')
        actions = other.action_server_ids
        self.assertEqual(len(actions), 2)
        other.unlink()
        self.assertFalse(actions.exists())

    def test_a_copied_rule_runs_lines_of_its_own(self):
        rule = self._rule({'kind': 'tag_add', 'tag_id': self.vip.id})
        copy = rule.copy()
        self.assertEqual(copy.step_ids.tag_id, self.vip)
        self.assertEqual(copy.action_server_ids, copy.step_ids.action_server_id)
        self.assertNotEqual(copy.action_server_ids, rule.action_server_ids)
        self.assertEqual(rule.action_server_ids, rule.step_ids.action_server_id)

    def test_a_loyalty_administrator_builds_a_rule_of_lines_but_runs_no_code(self):
        Rule = self.env['crm.loyalty.care.rule'].with_user(self.manager)
        rule = Rule.create({
            'name': 'Birthday care', 'trigger': 'birthday', 'days': 3,
            'partner_domain': f"[('id', '=', {self.customer.id})]",
            'step_ids': [Command.create({'kind': 'activity', 'activity_type_id': self.call.id}),
                         Command.create({'kind': 'tier_override', 'tier_id': self.gold.id,
                                         'override_reason': 'Birthday'}),
                         Command.create({'kind': 'tag_add', 'tag_id': self.vip.id})]})
        rule.write({'step_ids': [Command.update(rule.step_ids[0].id, {'activity_days': 5})]})
        rule.step_ids[2].unlink()
        self.assertEqual(rule.sudo().action_server_ids, rule.sudo().step_ids.action_server_id)
        self._run(rule)
        self.assertEqual(self.customer.activity_ids.date_deadline, date.today() + timedelta(days=5))
        self.assertEqual(self.customer.loyalty_tier_override_id, self.gold)
        self.assertFalse(self.customer.category_id)
        code = self.env['ir.actions.server'].create({
            'name': 'Code', 'model_id': self.env['ir.model']._get_id('res.partner'), 'state': 'code',
            'code': "record.write({'comment': 'code'})"})
        with self.assertRaises(AccessError):
            rule.write({'action_server_ids': [Command.link(code.id)]})
        # a line's call of the addon, changed by a system administrator, is code again
        rule.step_ids.sudo().action_server_id.filtered(lambda a: a.state == 'code').code = \
            "record.write({'comment': 'code'})"
        with self.assertRaises(AccessError):
            rule.write({'name': 'Mine'})
        with self.assertRaises(AccessError):
            rule.step_ids[0].write({'activity_days': 1})

    def test_a_loyalty_user_only_reads_the_lines(self):
        rule = self._rule({'kind': 'feedback'})
        user = self._user('Loyalty User', 'lines_user', 'crm_loyalty.group_loyalty_user')
        self.assertEqual(rule.with_user(user).step_ids.summary, "Ask the customer for his satisfaction by email")
        with self.assertRaises(AccessError):
            self.env['crm.loyalty.care.step'].with_user(user).create({'rule_id': rule.id, 'kind': 'care_opt_out'})
        with self.assertRaises(AccessError):
            rule.step_ids.with_user(user).unlink()

    def test_the_raw_actions_offered_are_not_the_contacts_menu_nor_other_rules_lines(self):
        self._rule({'kind': 'feedback'})
        domain = safe_eval(self.env['crm.loyalty.care.rule']._fields['action_server_ids'].domain)
        offered = self.env['ir.actions.server'].search(domain)
        bound = self.env['ir.actions.server'].search([('binding_model_id.model', '=', 'res.partner')])
        self.assertTrue(bound, "Odoo's contextual actions on contacts (vCard...)")
        self.assertFalse(offered & bound)
        self.assertFalse(offered.filtered('loyalty_care_step_id'))

    def test_incomplete_lines_are_refused(self):
        for line in ({'kind': 'activity'}, {'kind': 'email'}, {'kind': 'tag_add'},
                     {'kind': 'tier_override', 'tier_id': self.gold.id},
                     {'kind': 'relationship_level'},
                     {'kind': 'activity', 'activity_type_id': self.call.id, 'activity_assignee': 'user'}):
            with self.subTest(line=line), self.assertRefused("is not complete"):
                self._rule(line)
        with self.assertRefused("cannot be negative"):
            self._rule({'kind': 'activity', 'activity_type_id': self.call.id, 'activity_days': -1})


@tagged('post_install', '-at_install')
class TestCareTour(LoyaltyTourCase):

    def _birthday_customer_who_bought(self):
        """A customer whose birthday is in three days and who bought (a new rule's
        customers by default)."""
        customer = self.env['res.partner'].create({
            'name': 'Lotus Tea House', 'is_company': True,
            'birthday': (date.today() + timedelta(days=3)).replace(year=1992)})
        product = self.env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        self.env['sale.order'].create({
            'partner_id': customer.id,
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': 80, 'tax_id': False})]}).action_confirm()
        self.assertEqual(customer.loyalty_purchase_count_total, 1)
        return customer

    def test_an_administrator_creates_previews_and_runs_a_birthday_rule(self):
        customer = self._birthday_customer_who_bought()
        self.env['ir.actions.server'].create({
            'name': 'Tour: call for the birthday', 'model_id': self.env['ir.model']._get_id('res.partner'),
            'state': 'next_activity', 'activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Birthday call', 'activity_user_type': 'specific',
            'activity_user_id': self.env.ref('base.user_admin').id})
        self.start_tour('/odoo', 'crm_loyalty_care_rule', login='admin')
        rule = self.env['crm.loyalty.care.rule'].search([('name', '=', 'Birthday call')])
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'])
        self.assertEqual(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                           ('res_id', '=', customer.id)]).summary, 'Birthday call')

    def test_a_loyalty_administrator_builds_a_rule_line_by_line_and_runs_it(self):
        customer = self._birthday_customer_who_bought()
        self.env['mail.activity.type'].create({'name': 'Birthday Phone Call', 'category': 'phonecall'})
        tag = self.env['res.partner.category'].create({'name': 'Birthday 2026'})
        care_admin = self.env['res.users'].create({
            'name': 'Care Admin', 'login': 'care_admin', 'password': 'care_admin', 'email': 'care@example.com',
            'groups_id': [Command.set([self.env.ref(group).id for group in (
                'crm_loyalty.group_loyalty_manager', 'base.group_partner_manager',
                'sales_team.group_sale_salesman_all_leads')])]})
        self.assertFalse(care_admin.has_group('base.group_system'))
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_care_lines', login='care_admin')
        self.assertEqual([path.name for path in shots], ['care_rule.png'])
        rule = self.env['crm.loyalty.care.rule'].search([('name', '=', 'Birthday call')])
        self.assertEqual((rule.step_ids.mapped('kind'), rule.user_id), (['activity', 'tag_add'], care_admin))
        self.assertEqual(rule.care_action_ids.mapped('state'), ['done'])
        self.assertRecordValues(customer.activity_ids, [{
            'summary': 'Birthday call', 'user_id': care_admin.id, 'date_deadline': date.today() + timedelta(days=2)}])
        self.assertEqual(customer.category_id, tag)
