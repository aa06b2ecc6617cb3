import base64
import re
from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import file_open
from odoo.tools.safe_eval import safe_eval

from ..models import crm_loyalty_feedback
from .common import LoyaltyCase, LoyaltyTourCase

EXPIRY_CRON = 'crm_loyalty.ir_cron_loyalty_feedback_expire'


@tagged('post_install', '-at_install')
class TestFeedback(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = 'tea.house@example.com'
        cls.Feedback = cls.env['crm.loyalty.feedback']

    def _answer(self, score, days_ago=0, partner=None):
        return self.Feedback.create({
            'partner_id': (partner or self.customer).id, 'score': str(score), 'channel': 'phone',
            'date': fields.Datetime.now() - timedelta(days=days_ago)})

    def test_a_request_has_an_unguessable_token_and_an_expiry(self):
        request = self.Feedback.create({'partner_id': self.customer.id})
        other = self.Feedback.create({'partner_id': self.customer.id})
        self.assertEqual(request.state, 'requested')
        self.assertGreaterEqual(len(request.access_token), 43)     # 32 random bytes, base64
        self.assertNotEqual(request.access_token, other.access_token)
        self.assertEqual(request.expiry_date, date.today() + timedelta(days=30))
        self.assertEqual(request.access_url, f'/loyalty/feedback/{request.access_token}')

    def test_an_answer_recorded_by_hand(self):
        answer = self._answer(4)
        self.assertEqual(answer.state, 'answered')
        self.assertFalse(answer.access_token)
        self.assertEqual(self.customer.satisfaction_score, 4.0)
        self.assertEqual(self.customer.satisfaction_date, date.today())

    def test_satisfaction_is_the_mean_of_the_last_twelve_months(self):
        contact = self.env['res.partner'].create({'name': 'Mei Lin', 'parent_id': self.customer.id})
        self._answer(1, days_ago=500)
        self._answer(5, days_ago=10)
        self._answer(2, days_ago=5, partner=contact)     # a contact answers for the company
        self.assertEqual(self.customer.satisfaction_score, 3.5)
        self.assertEqual(contact.satisfaction_score, 3.5)
        self.assertEqual(self.customer.satisfaction_date, date.today() - timedelta(days=5))

    def test_only_an_old_answer_counts_as_the_last_one(self):
        self._answer(2, days_ago=800)
        self._answer(4, days_ago=400)
        self.assertEqual(self.customer.satisfaction_score, 4.0)

    def test_satisfaction_moves_the_loyalty_matrix(self):
        for days in (10, 40, 70):
            self._order(self.customer, 100, date.today() - timedelta(days=days))
        self._recompute(as_of=date.today())
        self.assertFalse(self.customer.loyalty_segment)
        answer = self._answer(5)
        self.assertEqual(self.customer.loyalty_segment, 'loyal')
        self.assertEqual(answer.rfm_segment, self.customer.rfm_segment)   # kept for NPS per segment
        self._answer(1)
        self._answer(1)
        self.assertEqual(self.customer.satisfaction_score, round(7 / 3, 2))
        self.assertEqual(self.customer.loyalty_segment, 'spurious')

    def test_answers_of_other_companies_stay_there(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        self.Feedback.create({'partner_id': self.customer.id, 'score': '1', 'company_id': other.id})
        self._answer(5)
        self.assertEqual(self.customer.satisfaction_score, 5.0)
        self.assertEqual(self.customer.with_company(other).satisfaction_score, 1.0)

    def test_request_goes_through_the_mail_queue_and_the_chatter(self):
        request = self.Feedback.create({'partner_id': self.customer.id})
        request.action_send_request()
        mail = self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'), ('res_id', '=', request.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, 'outgoing')
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(request.access_url, mail.body_html)
        self.assertIn("Satisfaction request sent", self.customer.message_ids[0].body)

    def test_opted_out_or_blacklisted_customers_get_no_request(self):
        opted = self._create_customer('Quiet Ltd', email='quiet@example.com', care_opt_out=True)
        listed = self._create_customer('Listed Ltd', email='listed@example.com')
        self.env['mail.blacklist'].create({'email': 'listed@example.com'})
        requests = self.Feedback.create([{'partner_id': opted.id}, {'partner_id': listed.id}])
        with self.assertRaises(UserError):
            requests.action_send_request()
        self.assertFalse(self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'),
                                                        ('res_id', 'in', requests.ids)]))
        self.assertFalse(requests._send_request())
        self.assertIn("asked not to be contacted", requests[0].message_ids[0].body)
        self.assertIn("blacklisted", requests[1].message_ids[0].body)

    def test_a_companys_opt_out_and_blacklist_hold_for_its_contacts(self):
        quiet = self._create_customer('Quiet Ltd', email='office@quiet.example.com', care_opt_out=True)
        listed = self._create_customer('Listed Ltd', email='office@listed.example.com')
        self.env['mail.blacklist'].create({'email': listed.email})
        contacts = self.env['res.partner'].create([
            {'name': 'Ann', 'parent_id': quiet.id, 'email': 'ann@quiet.example.com'},
            {'name': 'Bob', 'parent_id': listed.id, 'email': 'bob@listed.example.com'}])
        requests = self.Feedback.create([{'partner_id': contact.id} for contact in contacts])
        self.assertFalse(requests._send_request())
        self.assertFalse(self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'),
                                                        ('res_id', 'in', requests.ids)]))
        self.assertIn("asked not to be contacted", requests[0].message_ids[0].body)
        self.assertIn("blacklisted", requests[1].message_ids[0].body)
        self.assertEqual(requests.mapped('state'), ['requested', 'requested'])
        self.assertFalse(any(contacts.mapped('care_opt_out')) or any(contacts.mapped('is_blacklisted')))

    def test_a_sample_leaves_out_opted_out_and_blacklisted_companies(self):
        customers = self.env['res.partner'].create([
            {'name': f'Sampled {i}', 'is_company': True, 'email': f's{i}@example.com', 'ref': 'SAMPLE'}
            for i in range(3)])
        customers[0].care_opt_out = True
        self.env['mail.blacklist'].create({'email': customers[1].email})
        self.env['res.partner'].create({'name': 'Ann', 'parent_id': customers[0].id, 'email': 'ann@example.com',
                                        'ref': 'SAMPLE'})
        wizard = self.env['crm.loyalty.survey.sample'].create({
            'partner_domain': "[('ref', '=', 'SAMPLE')]", 'sample_size': 5})
        self.assertEqual(wizard.population_count, 1)
        wizard.action_send()
        self.assertEqual(self.Feedback.search([('partner_id.ref', '=', 'SAMPLE')]).partner_id, customers[2])

    def test_requests_expire(self):
        request = self.Feedback.create({'partner_id': self.customer.id})
        request.expiry_date = date.today() - timedelta(days=1)
        self.env.ref('crm_loyalty.ir_cron_loyalty_feedback_expire').method_direct_trigger()
        self.assertEqual(request.state, 'expired')

    def _past_their_last_day(self, count):
        requests = self.Feedback.create([{'partner_id': self.customer.id} for _n in range(count)])
        requests.expiry_date = date.today() - timedelta(days=1)
        return requests

    def _expiry_calls(self, calls):
        with patch.object(crm_loyalty_feedback, 'BATCH_SIZE', 2), \
                patch.object(crm_loyalty_feedback, 'step_seconds', lambda: 0):
            return self._cron_calls(EXPIRY_CRON, '_cron_expire_requests', calls)

    def test_the_expiry_job_works_in_steps_and_reports_its_progress(self):
        expired = self._past_their_last_day(5)
        open_request = self.Feedback.create({'partner_id': self.customer.id})
        self.assertEqual(self._expiry_calls(4), [(2, 3), (2, 1), (1, 0), (0, 0)])
        self.assertEqual(expired.mapped('state'), ['expired'] * 5)
        self.assertEqual(open_request.state, 'requested')

    def test_an_interrupted_expiry_step_is_done_again(self):
        expired = self._past_their_last_day(5)
        self._expiry_calls(1)
        with self._interrupted():
            self._expiry_calls(1)
        self.assertEqual(self._expiry_calls(2), [(2, 1), (1, 0)])
        self.assertEqual(expired.mapped('state'), ['expired'] * 5)

    def test_the_expiry_job_waits_for_a_new_window_once_this_one_is_spent(self):
        expired = self._past_their_last_day(3)
        self._spend_the_window()
        self.assertEqual(self._expiry_calls(1), [(0, 3)])
        self.assertEqual(expired.mapped('state'), ['requested'] * 3)
        self.assertTrue(self._triggers(EXPIRY_CRON), "a new call asked for")

    def test_bad_expiry_setting_is_refused(self):
        with self.assertRefused("at least one day"):
            self.company.loyalty_feedback_expiry_days = 0
        self.assertEqual(self.company.loyalty_feedback_expiry_days, 30)

    def test_survey_a_random_sample(self):
        customers = self.env['res.partner'].create([
            {'name': f'Sampled {i}', 'is_company': True, 'email': f's{i}@example.com', 'ref': 'SAMPLE'}
            for i in range(10)])
        self.Feedback.create({'partner_id': customers[0].id})        # surveyed recently
        customers[1].care_opt_out = True
        wizard = self.env['crm.loyalty.survey.sample'].create({
            'partner_domain': "[('ref', '=', 'SAMPLE')]", 'sample_size': 5})
        self.assertEqual(wizard.population_count, 8)
        wizard.action_send()
        sent = self.Feedback.search([('partner_id', 'in', customers.ids), ('id', '!=', False)]) \
            .filtered(lambda f: f.partner_id != customers[0])
        self.assertEqual(len(sent), 5)
        self.assertNotIn(customers[1], sent.partner_id)
        self.assertEqual(len(self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'),
                                                          ('res_id', 'in', sent.ids)])), 5)
        # the rest of the population next time: three left
        wizard = self.env['crm.loyalty.survey.sample'].create({
            'partner_domain': "[('ref', '=', 'SAMPLE')]", 'sample_size': 5})
        self.assertEqual(wizard.population_count, 3)

    def test_survey_with_a_bad_filter_sends_nothing(self):
        count = self.Feedback.search_count([])
        wizard = self.env['crm.loyalty.survey.sample'].create({'partner_domain': "[('no_such_field', '=', 1)]"})
        with self.assertRefused("not a valid domain", UserError):
            wizard.action_send()
        wizard.partner_domain = "[('name', '=', 'Nobody at all')]"
        with self.assertRefused("No customer matches", UserError):
            wizard.action_send()
        self.assertEqual(self.Feedback.search_count([]), count)

    def test_an_answered_request_needs_a_score(self):
        request = self.Feedback.create({'partner_id': self.customer.id})
        with self.assertRefused("needs a satisfaction score"):
            request.state = 'answered'
        self.assertEqual(request.state, 'requested')

    def test_portal_users_see_no_feedback(self):
        self._answer(3)
        portal = self.env['res.users'].create({
            'name': 'Portal Customer', 'login': 'portal_customer', 'partner_id': self.customer.id,
            'groups_id': [Command.set([self.env.ref('base.group_portal').id])]})
        with self.assertRaises(AccessError):
            self.Feedback.with_user(portal).search([])
        with self.assertRaises(AccessError):
            self.Feedback.with_user(portal).create({'partner_id': self.customer.id, 'score': '5'})


    # --- an unhappy answer ---------------------------------------------------------

    def _detractor(self):
        return self.Feedback.create({
            'partner_id': self.customer.id, 'score': '2', 'nps': '3', 'channel': 'phone',
            'comment': "The tea arrived cold.\nAnd the box was torn."})

    def test_the_response_rate_is_the_share_of_requests_answered(self):
        requests = self.Feedback.create([{'partner_id': self.customer.id} for _i in range(4)])
        requests[0].write({'score': '4'})
        requests[1]._submit_answer('5')
        requests[2].action_expire()
        self._answer(3)     # recorded by hand, never requested: not in the report
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_feedback_response')
        [group] = self.Feedback.read_group(safe_eval(action['domain']), ['response_rate:avg'], [])
        self.assertEqual((group['__count'], group['response_rate']), (4, 50.0))
        self.assertIn("'pivot_measures': ['__count', 'response_rate']", action['context'])

    def test_a_detractor_answer_opens_a_complaint_filled_from_it(self):
        answer = self._detractor()
        user = new_test_user(self.env, 'care.desk', groups='base.group_user,crm_loyalty.group_loyalty_user')
        action = answer.with_user(user).action_open_complaint()
        complaint = self.env['crm.loyalty.complaint'].browse(action['res_id'])
        self.assertEqual((action['res_model'], action['views']), ('crm.loyalty.complaint', [(False, 'form')]))
        self.assertRecordValues(complaint, [{
            'partner_id': self.customer.id, 'company_id': self.company.id, 'kind': 'complaint', 'state': 'new',
            'subject': "The tea arrived cold.", 'source_feedback_id': answer.id, 'user_id': user.id}])
        self.assertIn("Dissatisfied, would recommend 3/10", complaint.description)
        self.assertIn("And the box was torn.", complaint.description)
        self.assertIn(complaint.name, answer.message_ids[0].body)
        self.assertEqual(answer.with_user(user).action_open_complaint()['res_id'], complaint.id,
                         "the same answer opens its complaint again, not a second one")
        self.assertEqual(self.customer.complaint_open_count, 1)

    def test_a_detractor_answer_schedules_a_call_for_the_salesperson(self):
        salesperson = new_test_user(self.env, 'sales.rep', name='Wang Lei', groups='base.group_user')
        self.customer.user_id = salesperson
        answer = self._detractor()
        result = answer.action_schedule_call()
        call = self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                 ('res_id', '=', self.customer.id)])
        self.assertRecordValues(call, [{'activity_type_id': self.env.ref('mail.mail_activity_data_call').id,
                                        'user_id': salesperson.id}])
        self.assertIn("The tea arrived cold.", call.note)
        self.assertIn("Call scheduled for Wang Lei", result['params']['message'])
        again = answer.action_schedule_call()
        self.assertIn("already planned for Wang Lei", again['params']['message'])
        self.assertEqual(len(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                               ('res_id', '=', self.customer.id)])), 1)

    def test_a_call_planned_in_chinese_is_not_planned_again_in_english(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'])
        answer = self._detractor()
        answer.with_context(lang='zh_CN').action_schedule_call()
        again = answer.with_context(lang='en_US').action_schedule_call()
        self.assertIn("A call is already planned", again['params']['message'])
        calls = self.env['mail.activity'].search([('res_model', '=', 'res.partner'), ('res_id', '=', self.customer.id)])
        self.assertEqual(calls.mapped('summary'), ["就满意度回答回电"])

    def test_a_loyalty_user_who_may_not_edit_the_customer_is_told_so(self):
        answer = self._detractor()
        reader = new_test_user(self.env, 'loyalty.reader', groups='base.group_user,crm_loyalty.group_loyalty_user')
        with self.assertRaisesRegex(AccessError, "You may not plan a call on Lotus Tea House"):
            answer.with_user(reader).action_schedule_call()
        self.assertFalse(self.env['mail.activity'].search([('res_model', '=', 'res.partner'),
                                                           ('res_id', '=', self.customer.id)]))

    def test_asking_again_opens_the_request_still_waiting(self):
        first = self.customer.action_loyalty_request_feedback()
        second = self.customer.action_loyalty_request_feedback()
        self.assertEqual(second['res_id'], first['res_id'])
        self.assertEqual(self.Feedback.search_count([('partner_id', '=', self.customer.id)]), 1)
        self.Feedback.browse(first['res_id']).action_expire()
        self.assertNotEqual(self.customer.action_loyalty_request_feedback()['res_id'], first['res_id'],
                            "an expired request is not waiting any more: a new one is made")

    def test_following_up_an_answer_is_for_loyalty_users(self):
        answer = self._detractor()
        employee = new_test_user(self.env, 'plain.employee', groups='base.group_user,base.group_partner_manager')
        for method in ('action_open_complaint', 'action_schedule_call'):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(answer.with_user(employee), method)()
        self.assertFalse(self.env['crm.loyalty.complaint'].search([('source_feedback_id', '=', answer.id)]))


@tagged('post_install', '-at_install')
class TestFeedbackTour(LoyaltyTourCase):

    def test_a_customer_answers_in_the_browser(self):
        customer = self.env['res.partner'].create({'name': 'Lotus Tea House', 'is_company': True})
        request = self.env['crm.loyalty.feedback'].create({'partner_id': customer.id})
        shots = self.start_tour_with_screenshots(request.access_url, 'crm_loyalty_feedback_answer')
        self.assertEqual([path.name for path in shots], ['feedback_page.png'])
        self.assertEqual((request.state, request.score, request.nps), ('answered', '4', '9'))
        self.assertEqual(request.comment, "The delivery was fast.")
        self.assertEqual(customer.satisfaction_score, 4.0)


@tagged('post_install', '-at_install')
class TestFeedbackPage(HttpCase):
    """The customer's page, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env['res.partner'].create({'name': 'Lotus Tea House', 'is_company': True,
                                                      'email': 'tea.house@example.com'})
        cls.other = cls.env['res.partner'].create({'name': 'Jade Garden', 'is_company': True})
        cls.request = cls.env['crm.loyalty.feedback'].create({'partner_id': cls.customer.id})
        cls.other_request = cls.env['crm.loyalty.feedback'].create({'partner_id': cls.other.id})

    def _page(self, token=None):
        return self.url_open(f'/loyalty/feedback/{token or self.request.access_token}')

    def _post(self, data, token=None, csrf=True):
        page = self._page(token)
        if csrf:
            data = dict(data, csrf_token=re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1])
        return self.url_open(f'/loyalty/feedback/{token or self.request.access_token}', data=data)

    def test_the_page_asks_the_five_levels_without_login(self):
        response = self._page()
        self.assertEqual(response.status_code, 200)
        self.assertIn("How satisfied are you with us?", response.text)
        self.assertIn("Lotus Tea House", response.text)
        for level in ("Very satisfied", "Neither satisfied nor dissatisfied", "Very dissatisfied"):
            self.assertIn(level, response.text)
        self.assertIn('name="nps"', response.text)

    def test_an_answer_is_recorded_and_can_be_changed(self):
        response = self._post({'score': '4', 'nps': '9', 'comment': "Fast delivery"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your answer", response.text)
        self.request.invalidate_recordset()
        self.assertEqual((self.request.state, self.request.score, self.request.nps, self.request.channel),
                         ('answered', '4', '9', 'web'))
        self.assertEqual(self.request.nps_category, 'promoter')
        self.assertEqual(self.request.comment, "Fast delivery")
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.satisfaction_score, 4.0)
        self._post({'score': '2', 'comment': "On second thought"})
        self.request.invalidate_recordset()
        self.assertEqual((self.request.score, self.request.nps), ('2', False))
        self.assertEqual(self.env['crm.loyalty.feedback'].search_count([('partner_id', '=', self.customer.id)]), 1)
        self.other_request.invalidate_recordset()
        self.assertEqual(self.other_request.state, 'requested')   # the other customer is untouched

    def test_bad_answers_are_refused_and_nothing_is_recorded(self):
        for data in ({'score': '7'}, {'score': '0'}, {}, {'score': '4', 'nps': '11'},
                     {'score': '4', 'nps': '-1'}, {'score': '4', 'comment': 'x' * 5001}):
            with self.subTest(data=data):
                response = self._post(data)
                self.assertEqual(response.status_code, 400)
                self.request.invalidate_recordset()
                self.assertEqual(self.request.state, 'requested')
                self.assertFalse(self.request.score)

    def test_a_post_without_csrf_token_is_refused(self):
        response = self._post({'score': '5'}, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.request.invalidate_recordset()
        self.assertFalse(self.request.score)

    def test_unknown_and_tampered_tokens_are_not_found(self):
        token = self.request.access_token
        tampered = token[:-1] + ('A' if token[-1] != 'A' else 'B')
        for bad in ('nope', tampered, token + 'x', 'a' * 200):
            with self.subTest(token=bad):
                response = self._page(bad)
                self.assertEqual(response.status_code, 404)
                self.assertIn("This survey does not exist", response.text)
        response = self.url_open(f'/loyalty/feedback/{tampered}', data={'score': '5'})
        self.assertIn(response.status_code, (400, 404))
        self.request.invalidate_recordset()
        self.assertFalse(self.request.score)

    def test_expired_and_closed_requests_are_gone(self):
        csrf_page = self._page()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', csrf_page.text)[1]
        self.request.expiry_date = date.today() - relativedelta(days=1)
        response = self._page()
        self.assertEqual(response.status_code, 410)
        self.assertIn("This survey is closed", response.text)
        response = self.url_open(self.request.access_url, data={'score': '5', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 410)
        self.request.invalidate_recordset()
        self.assertFalse(self.request.score)
        self.other_request.action_expire()
        self.assertEqual(self._page(self.other_request.access_token).status_code, 410)

    def test_the_page_speaks_the_customers_language(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'], overwrite=True)
        self.customer.lang = 'zh_CN'
        response = self._page()
        self.assertEqual(response.status_code, 200)
        self.assertIn("非常满意", response.text)
        self.assertNotIn("Very satisfied", response.text)
        # sentences with a name or a date are translated whole, not joined from fragments
        self.assertIn(f"尊敬的{self.customer.name}，您的答复将帮助我们更好地为您服务。", response.text)
        self.assertIn("您可以在", response.text)
        self.assertNotIn("Dear", response.text)

    def test_the_page_has_the_companys_logo_and_name_as_its_title(self):
        with file_open('base/static/img/res_company_logo.png', 'rb') as logo_file:
            self.env.company.write({'name': "Lotus Tea Company", 'logo': base64.b64encode(logo_file.read())})
        response = self._page()
        page = html.fromstring(response.content)
        self.assertEqual(page.findtext('.//title').strip(), "Lotus Tea Company")
        [logo] = page.xpath("//img[contains(@class, 'o_loyalty_feedback_logo')]")
        self.assertEqual(logo.get('alt'), "Lotus Tea Company")
        image = self.url_open(logo.get('src'))
        self.assertEqual(image.status_code, 200)
        self.assertTrue(image.headers['Content-Type'].startswith('image/'))

    def test_portal_users_cannot_read_feedback_by_rpc(self):
        portal = self.env['res.users'].create({
            'name': 'Portal Customer', 'login': 'portal_rpc', 'password': 'portal_rpc_pw',
            'partner_id': self.customer.id, 'groups_id': [Command.set([self.env.ref('base.group_portal').id])]})
        self.authenticate(portal.login, 'portal_rpc_pw')
        with self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request('/web/dataset/call_kw/crm.loyalty.feedback/search_read', {
                'model': 'crm.loyalty.feedback', 'method': 'search_read', 'args': [[]],
                'kwargs': {'fields': ['score', 'access_token']}})
        self.assertIn('AccessError', str(caught.exception))


@tagged('post_install', '-at_install')
class TestFeedbackPageOnAPhone(HttpCase):
    """The customer's page in a browser as wide as a small phone."""

    browser_size = '320x640'

    def test_the_recommendation_scale_fits_one_row(self):
        customer = self.env['res.partner'].create({'name': 'Lotus Tea House', 'is_company': True})
        request = self.env['crm.loyalty.feedback'].create({'partner_id': customer.id})
        self.browser_js(request.access_url, """
            const labels = [...document.querySelectorAll("label[for^='nps_']")];
            const rows = new Set(labels.map((label) => Math.round(label.getBoundingClientRect().top)));
            const right = Math.max(...labels.map((label) => label.getBoundingClientRect().right));
            if (window.innerWidth !== 320 || labels.length !== 11 || rows.size !== 1 || right > window.innerWidth
                    || document.documentElement.scrollWidth > window.innerWidth) {
                console.error(`width ${window.innerWidth}: ${labels.length} buttons on ${rows.size} rows, `
                              + `the last ending at ${right}, the page ${document.documentElement.scrollWidth} wide`);
            } else {
                console.log("test successful");
            }
        """, ready="document.readyState === 'complete'")
