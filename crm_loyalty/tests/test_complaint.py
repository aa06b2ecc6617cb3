from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models import crm_loyalty_complaint
from .common import LoyaltyCase, LoyaltyTourCase

SLA_CRON = 'crm_loyalty.ir_cron_complaint_sla'


@tagged('post_install', '-at_install')
class TestComplaint(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env['res.partner'].create({
            'name': 'Mei Chen', 'parent_id': cls.customer.id, 'email': 'mei@lotus.example.com'})
        cls.category = cls.env.ref('crm_loyalty.complaint_category_delivery')

    def _complaint(self, partner=None, **values):
        return self.env['crm.loyalty.complaint'].create({
            'subject': 'The tea arrived damaged', 'partner_id': (partner or self.customer).id,
            'category_id': self.category.id, **values,
        })

    def _resolved(self, **values):
        complaint = self._complaint(**values)
        complaint.write({'resolution': '<p>Sent a new box.</p>'})
        complaint.action_resolve()
        return complaint

    def test_reference_comes_from_the_sequence(self):
        first, second = self._complaint(), self._complaint(kind='suggestion')
        self.assertRegex(first.name, r'^CMP/\d{4}/\d{5}$')
        self.assertRegex(second.name, r'^CMP/\d{4}/\d{5}$')
        self.assertGreater(second.name, first.name)
        self.assertNotEqual(first.copy().name, first.name)

    def test_deadline_follows_the_severity_sla(self):
        expected = {'critical': 4, 'high': 24, 'medium': 72, 'low': 168}
        for severity, hours in expected.items():
            complaint = self._complaint(severity=severity)
            self.assertEqual(complaint.deadline - complaint.create_date, timedelta(hours=hours), severity)

    def test_deadline_uses_the_company_setting_and_follows_a_severity_change(self):
        self.company.loyalty_complaint_sla_critical = 2
        complaint = self._complaint(severity='low')
        complaint.severity = 'critical'
        self.assertEqual(complaint.deadline - complaint.create_date, timedelta(hours=2))

    def test_sla_setting_must_be_positive(self):
        with self.assertRefused("at least one hour"):
            self.company.loyalty_complaint_sla_high = 0

    def test_state_flow_new_to_closed(self):
        complaint = self._complaint()
        self.assertEqual(complaint.state, 'new')
        complaint.action_start()
        self.assertEqual(complaint.state, 'in_progress')
        complaint.resolution = '<p>Refunded the damaged box.</p>'
        complaint.action_resolve()
        self.assertEqual(complaint.state, 'resolved')
        self.assertTrue(complaint.date_resolved)
        complaint.action_reopen()
        self.assertRecordValues(complaint, [{'state': 'in_progress', 'date_resolved': False}])
        complaint.action_resolve()
        complaint.action_close()
        self.assertEqual(complaint.state, 'closed')
        self.assertTrue(complaint.date_closed)

    def test_cancelled_complaint_can_be_reset_to_new(self):
        complaint = self._complaint()
        complaint.action_cancel()
        self.assertEqual(complaint.state, 'cancelled')
        complaint.action_reset()
        self.assertEqual(complaint.state, 'new')

    def test_transitions_off_the_path_are_refused(self):
        complaint = self._complaint(resolution='<p>Done.</p>')
        with self.assertRefused("cannot go from New to Closed", UserError):
            complaint.action_close()
        complaint.action_resolve()
        complaint.action_close()
        for action in (complaint.action_reopen, complaint.action_cancel, complaint.action_reset):
            with self.assertRefused("cannot go from Closed to", UserError):
                action()
        cancelled = self._complaint()
        cancelled.action_cancel()
        with self.assertRefused("cannot go from Cancelled to Resolved", UserError):
            cancelled.write({'state': 'resolved', 'resolution': '<p>Done.</p>'})
        self.assertEqual(complaint.state, 'closed')
        self.assertEqual(cancelled.state, 'cancelled')

    def test_resolving_without_resolution_is_refused_and_nothing_changes(self):
        complaint = self._complaint()
        complaint.action_start()
        with self.assertRefused("Describe the resolution of CMP/"):
            complaint.action_resolve()
        complaint.invalidate_recordset()
        self.assertRecordValues(complaint, [{'state': 'in_progress', 'date_resolved': False}])
        complaint.resolution = '<p><br></p>'
        with self.assertRefused("Describe the resolution"):
            complaint.action_resolve()

    def test_closing_without_resolution_is_refused_and_nothing_changes(self):
        complaint = self._resolved()
        with self.assertRefused("Describe the resolution"):
            complaint.write({'resolution': False, 'state': 'closed'})
        complaint.invalidate_recordset()
        self.assertRecordValues(complaint, [{'state': 'resolved', 'date_closed': False}])
        self.assertFalse(self.env['crm.loyalty.feedback'].search([('complaint_id', '=', complaint.id)]))

    def test_resolution_hours_measure_creation_to_resolution(self):
        complaint = self._complaint(resolution='<p>Done.</p>')
        with freeze_time(complaint.create_date + timedelta(hours=5, minutes=30)):
            complaint.action_resolve()
            self.assertAlmostEqual(complaint.resolution_hours, 5.5, places=2)

    def _sla_at(self, complaint, hours):
        """The complaint's time to deadline as it reads ``hours`` after its creation."""
        with freeze_time(complaint.create_date + timedelta(hours=hours)):
            complaint.invalidate_recordset(['sla_status', 'sla_overdue'])
            return complaint.sla_status, complaint.sla_overdue

    def test_sla_shows_the_hours_left_or_overdue(self):
        complaint = self._complaint(severity='high')    # 24 hours to handle it
        self.assertEqual(self._sla_at(complaint, 19), ("5 h left", False))
        self.assertEqual(self._sla_at(complaint, 23.5), ("30 min left", False))
        self.assertEqual(self._sla_at(complaint, 32), ("8 h overdue", True))
        self.assertEqual(self._sla_at(complaint, 24 + 3 * 24 + 5), ("3 days overdue", True))
        slow = self._complaint(severity='low')          # a week
        self.assertEqual(self._sla_at(slow, 24), ("6 days left", False))

    def test_sla_of_a_resolved_complaint_says_whether_it_was_in_time(self):
        late = self._complaint(severity='critical', resolution='<p>Done.</p>')
        in_time = self._complaint(severity='critical', resolution='<p>Done.</p>')
        with freeze_time(late.create_date + timedelta(hours=6, minutes=20)):
            late.action_resolve()
            late.flush_recordset()
        with freeze_time(in_time.create_date + timedelta(hours=3)):
            in_time.action_resolve()
            in_time.flush_recordset()
        self.assertEqual(self._sla_at(late, 100), ("Resolved 2 h late", False))
        self.assertEqual(self._sla_at(in_time, 100), ("Resolved in time", False))
        in_time.action_reopen()
        self.assertEqual(self._sla_at(in_time, 5), ("1 h overdue", True))
        in_time.action_cancel()
        self.assertEqual(self._sla_at(in_time, 5), (False, False))

    def test_analysis_counts_and_averages_the_resolution_time_of_resolved_complaints(self):
        complaints = self._complaint(resolution='<p>Done.</p>') | self._complaint(resolution='<p>Done.</p>')
        for complaint, hours in zip(complaints, (6, 2), strict=True):
            with freeze_time(complaint.create_date + timedelta(hours=hours)):
                complaint.action_resolve()
                complaint.flush_recordset()
        complaints |= self._complaint() | self._complaint()    # still open: no resolution time yet
        Complaint = self.env['crm.loyalty.complaint']
        [group] = Complaint.read_group([('id', 'in', complaints.ids)], ['resolution_hours:avg'], [])
        self.assertEqual(group['__count'], 4)
        self.assertAlmostEqual(group['resolution_hours'], 4.0, places=2)
        by_state = dict(Complaint._read_group([('id', 'in', complaints.ids)], ['state'], ['resolution_hours:avg']))
        self.assertIs(by_state['new'], False, "no resolved complaint: no mean, not a mean of 0")
        views = Complaint.get_views([(False, 'pivot'), (False, 'graph')])['views']
        pivot = etree.fromstring(views['pivot']['arch'])
        self.assertEqual(pivot.get('display_quantity'), '1', "the pivot shows the count first")
        self.assertFalse(etree.fromstring(views['graph']['arch']).xpath("//field[@type='measure']"),
                         "the graph counts complaints")

    def test_resolved_after_the_deadline_breaches_the_sla(self):
        late = self._complaint(severity='critical', resolution='<p>Done.</p>')
        in_time = self._complaint(severity='critical', resolution='<p>Done.</p>')
        with freeze_time(late.create_date + timedelta(hours=5)):
            late.action_resolve()
            self.assertTrue(late.sla_breached)
        with freeze_time(in_time.create_date + timedelta(hours=3)):
            in_time.action_resolve()
            self.assertFalse(in_time.sla_breached)
        self.assertTrue(late.sla_breached, "the verdict of a resolved complaint is final")
        self.assertFalse(in_time.sla_breached)

    def test_open_complaint_past_its_deadline_is_flagged_by_the_cron(self):
        complaint = self._complaint(severity='critical')
        Complaint = self.env['crm.loyalty.complaint']
        self.assertFalse(complaint.sla_breached)
        with freeze_time(complaint.create_date + timedelta(hours=3)):
            Complaint._cron_flag_sla_breaches()
        self.assertFalse(complaint.sla_breached)
        with freeze_time(complaint.create_date + timedelta(hours=5)):
            Complaint._cron_flag_sla_breaches()
        self.assertTrue(complaint.sla_breached)
        complaint.action_cancel()
        self.assertFalse(complaint.sla_breached)

    def _past_their_deadline(self, count):
        complaints = self.env['crm.loyalty.complaint'].create([
            {'subject': f'Late delivery {n}', 'partner_id': self.customer.id} for n in range(count)])
        # time passes: no write, so nothing recomputed until the job looks
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_loyalty_complaint SET deadline = %s WHERE id = ANY(%s)",
                            [fields.Datetime.now() - timedelta(hours=1), complaints.ids])
        complaints.invalidate_recordset(['deadline'])
        return complaints

    def _sla_calls(self, calls):
        with patch.object(crm_loyalty_complaint, 'BATCH_SIZE', 2), \
                patch.object(crm_loyalty_complaint, 'step_seconds', lambda: 0):
            return self._cron_calls(SLA_CRON, '_cron_flag_sla_breaches', calls)

    def test_the_sla_job_works_in_steps_and_reports_its_progress(self):
        late = self._past_their_deadline(5)
        in_time = self._complaint(severity='low')
        self.assertEqual(self._sla_calls(4), [(2, 3), (2, 1), (1, 0), (0, 0)])
        self.assertEqual(late.mapped('sla_breached'), [True] * 5)
        self.assertFalse(in_time.sla_breached)

    def test_an_interrupted_sla_step_is_done_again(self):
        late = self._past_their_deadline(5)
        self._sla_calls(1)
        with self._interrupted():
            self._sla_calls(1)
        self.assertEqual(self._sla_calls(2), [(2, 1), (1, 0)])
        self.assertEqual(late.mapped('sla_breached'), [True] * 5)

    def test_the_sla_job_waits_for_a_new_window_once_this_one_is_spent(self):
        late = self._past_their_deadline(3)
        self._spend_the_window()
        self.assertEqual(self._sla_calls(1), [(0, 3)])
        self.assertEqual(late.mapped('sla_breached'), [False] * 3)
        self.assertTrue(self._triggers(SLA_CRON), "a new call asked for")

    def test_open_count_follows_create_resolve_cancel_unlink(self):
        first, second = self._complaint(), self._complaint(self.contact)
        self.assertEqual(self.customer.complaint_open_count, 2)
        self.assertEqual(self.contact.complaint_open_count, 2, "a contact shows his company's count")
        first.write({'resolution': '<p>Done.</p>'})
        first.action_resolve()
        self.assertEqual(self.customer.complaint_open_count, 1)
        second.action_cancel()
        self.assertEqual(self.customer.complaint_open_count, 0)
        second.action_reset()
        self.assertEqual(self.customer.complaint_open_count, 1)
        second.unlink()
        self.assertEqual(self.customer.complaint_open_count, 0)
        self.assertEqual(self.contact.complaint_open_count, 0)

    def test_open_count_moves_with_the_customer_and_stays_per_company(self):
        other = self._create_customer('Jade Garden')
        complaint = self._complaint()
        complaint.partner_id = other
        self.assertEqual(self.customer.complaint_open_count, 0)
        self.assertEqual(other.complaint_open_count, 1)
        company_b = self.env['res.company'].create({'name': 'Loyalty B'})
        self.env['crm.loyalty.complaint'].with_company(company_b).create({
            'subject': 'Rude driver', 'partner_id': other.id, 'company_id': company_b.id})
        self.assertEqual(other.with_company(company_b).complaint_open_count, 1)
        self.assertEqual(other.complaint_open_count, 1)
        self.assertEqual(self.env['res.partner'].search_count(
            [('id', '=', other.id), ('complaint_open_count', '=', 1)]), 1)

    def test_open_count_follows_a_contact_who_changes_company(self):
        other = self._create_customer('Jade Garden')
        self._complaint(self.contact)
        self.contact.parent_id = other
        self.assertEqual(self.customer.complaint_open_count, 0)
        self.assertEqual(other.complaint_open_count, 1)
        self.assertEqual(self.contact.complaint_open_count, 1)

    def test_closing_asks_the_customer_for_feedback(self):
        complaint = self._resolved(partner=self.contact)
        quiet = self._resolved(ask_feedback=False)
        (complaint | quiet).action_close()
        feedback = self.env['crm.loyalty.feedback'].search([('complaint_id', '=', complaint.id)])
        self.assertRecordValues(feedback, [{
            'partner_id': self.contact.id, 'company_id': self.company.id, 'state': 'requested'}])
        self.assertFalse(self.env['crm.loyalty.feedback'].search([('complaint_id', '=', quiet.id)]))
        self.assertEqual(complaint.feedback_count, 1)
        self.assertEqual(complaint.action_view_feedback()['domain'], [('complaint_id', '=', complaint.id)])

    def test_no_satisfaction_request_reaches_a_contact_of_an_opted_out_company(self):
        self.customer.care_opt_out = True
        complaint = self._resolved(partner=self.contact)
        complaint.action_close()
        feedback = self.env['crm.loyalty.feedback'].search([('complaint_id', '=', complaint.id)])
        self.assertRecordValues(feedback, [{'partner_id': self.contact.id, 'state': 'requested'}])
        self.assertFalse(self.env['mail.mail'].search([('model', '=', 'crm.loyalty.feedback'),
                                                       ('res_id', '=', feedback.id)]))
        self.assertIn("asked not to be contacted", feedback.message_ids[0].body)
        self.assertFalse(self.contact.care_opt_out)

    def test_user_of_one_company_does_not_see_another_company_complaints(self):
        company_b = self.env['res.company'].create({'name': 'Loyalty B'})
        mine = self._complaint()
        theirs = self.env['crm.loyalty.complaint'].with_company(company_b).create({
            'subject': 'Rude driver', 'partner_id': self.customer.id, 'company_id': company_b.id})
        user = new_test_user(self.env, 'loyalty_user_a', groups='crm_loyalty.group_loyalty_user',
                             company_id=self.company.id, company_ids=[self.company.id])
        Complaint = self.env['crm.loyalty.complaint'].with_user(user)
        self.assertEqual(Complaint.search([('id', 'in', (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(user).read(['subject'])

    def test_portal_user_cannot_read_complaints(self):
        complaint = self._complaint(partner=self.contact)
        portal = new_test_user(self.env, 'loyalty_portal', groups='base.group_portal',
                               partner_id=self.contact.id)
        with self.assertRaises(AccessError):
            complaint.with_user(portal).read(['subject'])
        with self.assertRaises(AccessError):
            self.env['crm.loyalty.complaint'].with_user(portal).search([])

    def test_user_logs_and_resolves_a_complaint(self):
        user = new_test_user(self.env, 'loyalty_user', groups='crm_loyalty.group_loyalty_user')
        complaint = self._complaint().with_user(user)
        complaint.write({'resolution': '<p>Done.</p>'})
        complaint.action_resolve()
        self.assertEqual(complaint.state, 'resolved')
        with self.assertRaises(AccessError):
            complaint.unlink()

    # --- Lost customers ---------------------------------------------------------------

    def _mark_lost(self, partner, reason, note=None, user=None):
        env = self.env(user=user) if user else self.env
        wizard = env['crm.loyalty.mark.lost'].create({
            'partner_id': partner.id, 'reason_id': reason.id, 'note': note})
        return wizard.action_mark_lost()

    def test_mark_lost_records_the_reason_and_logs_it(self):
        reason = self.env.ref('crm_loyalty.lost_reason_competitor')
        self._mark_lost(self.customer, reason, note="Found a cheaper supplier")
        self.assertRecordValues(self.customer, [{
            'loyalty_lost': True, 'loyalty_lost_reason_id': reason.id,
            'loyalty_lost_date': self.customer.loyalty_lost_date, 'loyalty_lost_note': "Found a cheaper supplier"}])
        self.assertTrue(self.customer.loyalty_lost_date)
        self.assertIn("Went to a competitor", self.customer.message_ids[0].body)
        with self.assertRefused("already marked as lost", UserError):
            self._mark_lost(self.customer, reason)

    def test_mark_lost_is_per_company(self):
        company_b = self.env['res.company'].create({'name': 'Loyalty B'})
        self._mark_lost(self.customer, self.env.ref('crm_loyalty.lost_reason_price'))
        self.assertTrue(self.customer.loyalty_lost)
        self.assertFalse(self.customer.with_company(company_b).loyalty_lost)

    def test_restore_clears_the_lost_mark(self):
        self._mark_lost(self.customer, self.env.ref('crm_loyalty.lost_reason_price'))
        self.customer.action_loyalty_restore()
        self.assertRecordValues(self.customer, [{
            'loyalty_lost': False, 'loyalty_lost_reason_id': False, 'loyalty_lost_date': False}])
        self.assertIn("restored", self.customer.message_ids[0].body)

    def test_only_managers_mark_lost_or_restore(self):
        user = new_test_user(self.env, 'loyalty_user', groups='crm_loyalty.group_loyalty_user')
        with self.assertRaises(AccessError):
            self._mark_lost(self.customer, self.env.ref('crm_loyalty.lost_reason_price'), user=user)
        self._mark_lost(self.customer, self.env.ref('crm_loyalty.lost_reason_price'))
        with self.assertRefused("Only loyalty administrators", AccessError):
            self.customer.with_user(user).action_loyalty_restore()
        self.assertTrue(self.customer.loyalty_lost)

    def test_lost_customers_report_by_reason_with_open_complaints(self):
        price = self.env.ref('crm_loyalty.lost_reason_price')
        other = self._create_customer('Jade Garden')
        self._complaint()
        self._mark_lost(self.customer, price)
        self._mark_lost(other, price)
        groups = self.env['res.partner']._read_group(
            [('loyalty_lost', '=', True)], ['loyalty_lost_reason_id'], ['__count', 'complaint_open_count:sum'])
        self.assertEqual(groups, [(price, 2, 1)])
        self.assertEqual(price.lost_count, 2)


@tagged('post_install', '-at_install')
class TestComplaintTour(LoyaltyTourCase):

    def test_manager_logs_a_complaint_and_closes_it(self):
        customer = self.env['res.partner'].create({
            'name': 'Lotus Tea House', 'is_company': True, 'customer_rank': 1, 'email': 'tea@lotus.example.com'})
        shots = self.start_tour_with_screenshots('/odoo', 'crm_loyalty_complaint', login='admin')
        self.assertEqual([path.name for path in shots], ['complaint_form.png'])
        complaint = self.env['crm.loyalty.complaint'].search([('partner_id', '=', customer.id)])
        self.assertRecordValues(complaint, [{
            'subject': 'The tea arrived damaged', 'severity': 'high', 'state': 'closed', 'sla_breached': False}])
        self.assertIn('new box', complaint.resolution)
        self.assertEqual(complaint.deadline - complaint.create_date, timedelta(hours=24))
        self.assertTrue(self.env['crm.loyalty.feedback'].search([('complaint_id', '=', complaint.id)]))
        self.assertEqual(customer.complaint_open_count, 0)
