from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models import crm_loyalty_channel_grade_review
from .common import LoyaltyCase

REVIEW_CRON = 'crm_loyalty.ir_cron_loyalty_channel_grade_review'


@tagged('post_install', '-at_install')
class TestChannelGrade(LoyaltyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Pricelist = cls.env['product.pricelist']
        cls.silver_prices = Pricelist.create({'name': 'Silver Prices', 'company_id': cls.company.id})
        cls.gold_prices = Pricelist.create({'name': 'Gold Prices', 'company_id': cls.company.id})
        cls.silver = cls._grade('Silver', 1, min_revenue=1000, pricelist_id=cls.silver_prices.id)
        cls.gold = cls._grade('Gold', 2, min_revenue=5000, min_satisfaction=4.0, max_conflicts=0,
                              pricelist_id=cls.gold_prices.id)
        cls.west = cls._create_customer('West Distribution', channel_role='distributor')
        cls.manager = new_test_user(cls.env, 'grade.manager',
                                    groups='sales_team.group_sale_salesman,crm_loyalty.group_loyalty_manager')
        cls.user = new_test_user(cls.env, 'grade.user',
                                 groups='sales_team.group_sale_salesman,crm_loyalty.group_loyalty_user')
        cls.company.loyalty_channel_manager_id = cls.manager
        cls.Review = cls.env['crm.loyalty.channel.grade.review']
        cls.renewal = cls.env.ref('crm_loyalty.mail_activity_contract_renewal')

    @classmethod
    def _grade(cls, name, level, company=None, **values):
        return cls.env['crm.loyalty.channel.grade'].create({
            'name': name, 'level': level, 'company_id': (company or cls.env.company).id, **values})

    def _distributor(self, name, revenue=0.0, satisfaction=0.0, **values):
        partner = self._create_customer(name, channel_role='distributor', **values)
        if revenue:
            self._order(partner, revenue, 30)
        if satisfaction:
            self._satisfied(partner, satisfaction)
        return partner

    def _satisfied(self, partner, score):
        """The partner's satisfaction as the answers leave it: a score and the day of the last answer."""
        partner.write({'satisfaction_score': score, 'satisfaction_date': self.AS_OF - timedelta(days=5)})

    def _conflict(self, distributor, days, state='confirmed'):
        order = self._order(distributor, 0.0, days)
        return self.env['crm.loyalty.channel.conflict'].create({
            'name': order.name, 'sale_order_id': order.id, 'company_id': self.company.id,
            'date': self.AS_OF - timedelta(days=days), 'kind': 'outside', 'distributor_id': distributor.id,
            'state': state})

    def _review(self, company=None):
        return self.Review._run_review(company or self.company, as_of=self.AS_OF)

    def _proposals(self, partners=None, company=None):
        domain = [('state', '=', 'proposed'), ('company_id', '=', (company or self.company).id)]
        if partners is not None:
            domain.append(('partner_id', 'in', partners.ids))
        return self.Review.search(domain)

    def _set_grade(self, partner, grade):
        partner.with_user(self.manager).channel_grade_id = grade

    def _renewals(self, partner, active_test=True):
        return self.env['mail.activity'].with_context(active_test=active_test).search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', partner.id),
            ('activity_type_id', '=', self.renewal.id)])

    # --- Proposals --------------------------------------------------------------------

    def test_upgrade_is_proposed_with_the_figures_it_rests_on(self):
        self._set_grade(self.west, self.silver)
        self._order(self.west, 3000, 100)
        self._order(self.west, 3000, 200)
        self._satisfied(self.west, 4.5)
        self._review()
        self.assertRecordValues(self._proposals(self.west), [{
            'current_grade_id': self.silver.id, 'proposed_grade_id': self.gold.id, 'direction': 'up',
            'revenue': 6000.0, 'satisfaction': 4.5, 'conflict_count': 0, 'manual': False,
            'date': self.AS_OF}])
        self.assertEqual(self.west.channel_grade_id, self.silver, "nothing changes before a manager accepts")

    def test_downgrade_is_proposed(self):
        self._set_grade(self.west, self.gold)
        self._order(self.west, 2000, 10)
        self._review()
        self.assertRecordValues(self._proposals(self.west), [{
            'current_grade_id': self.gold.id, 'proposed_grade_id': self.silver.id, 'direction': 'down',
            'revenue': 2000.0}])

    def test_partner_meeting_no_grade_is_proposed_to_lose_his(self):
        self._set_grade(self.west, self.silver)
        self._order(self.west, 500, 10)
        self._review()
        self.assertRecordValues(self._proposals(self.west), [{
            'current_grade_id': self.silver.id, 'proposed_grade_id': False, 'direction': 'none', 'revenue': 500.0}])

    def test_new_channel_partner_is_proposed_his_first_grade_and_end_customers_none(self):
        self._order(self.west, 1500, 10)
        self._order(self.customer, 9000, 10)
        self._review()
        self.assertRecordValues(self._proposals(), [{
            'partner_id': self.west.id, 'current_grade_id': False, 'proposed_grade_id': self.silver.id,
            'direction': 'up'}])

    def test_no_proposal_when_the_partner_meets_his_grade(self):
        self._set_grade(self.west, self.silver)
        self._order(self.west, 1500, 10)
        self.assertFalse(self._review())
        self.assertFalse(self._proposals())

    def test_second_run_refreshes_the_proposal_instead_of_duplicating_it(self):
        self._set_grade(self.west, self.silver)
        self._order(self.west, 6000, 10)
        self._satisfied(self.west, 4.5)
        first = self._review()
        self.assertEqual(self._review(), first)
        self._order(self.west, 1000, 20)
        self._review()
        self.assertEqual(self._proposals(self.west), first)
        self.assertEqual(first.revenue, 7000.0)
        self._satisfied(self.west, 3.0)
        self._review()
        self.assertFalse(first.exists(), "meeting the current grade again removes the proposal")
        self.assertFalse(self._proposals())

    # --- The monthly job --------------------------------------------------------------

    def _five_channel_partners(self):
        """Five channel partners of the company, each for another proposal (or none), and
        an end customer of the second whose orders count for him."""
        self.west.company_id = self.company
        self._set_grade(self.west, self.silver)
        self._order(self.west, 500, 10)                                  # loses Silver
        east = self._distributor('East', revenue=1500, company_id=self.company.id)
        self._distributor('North', revenue=6000, satisfaction=4.5, company_id=self.company.id)     # Gold
        self._distributor('Quiet', company_id=self.company.id)           # no grade, meets none
        south = self._distributor('South', revenue=2000, company_id=self.company.id)
        self._set_grade(south, self.gold)                                # down to Silver
        shop = self._create_customer('Corner Shop', channel_parent_id=east.id)
        self._order(shop, 4000, 20)

    def _proposed(self):
        """The proposals to decide, as a manager reads them."""
        return sorted((p.partner_id.name, p.current_grade_id.name, p.proposed_grade_id.name, p.direction, p.revenue)
                      for p in self._proposals())

    def _proposed_by_one_run(self):
        with self._interrupted():
            self._review()
            proposed = self._proposed()
        return proposed

    def _start_the_job(self):
        """The job's review as of AS_OF, as its first call of the month starts it."""
        self.env['crm.loyalty.cron.position']._start(REVIEW_CRON, self.company, as_of=lambda company: self.AS_OF)

    def _review_calls(self, calls):
        with patch.object(crm_loyalty_channel_grade_review, 'BATCH_SIZE', 2), \
                patch.object(crm_loyalty_channel_grade_review, 'step_seconds', lambda: 0):
            return self._cron_calls(REVIEW_CRON, '_cron_run_review', calls)

    def test_the_review_job_works_in_steps_and_proposes_what_one_run_proposes(self):
        self._five_channel_partners()
        expected = self._proposed_by_one_run()
        self.assertEqual(len(expected), 4)
        self._start_the_job()
        self.assertEqual(self._review_calls(3), [(2, 3), (2, 1), (1, 0)])
        self.assertEqual(self._proposed(), expected)

    def test_a_call_without_a_review_under_way_starts_one(self):
        self._order(self.west, 1500, 10)
        self.assertEqual(self._cron_calls(REVIEW_CRON, '_cron_run_review', 1), [(1, 0)])
        self.assertEqual(self._proposals().partner_id, self.west)

    def test_an_interrupted_review_step_is_done_again_without_duplicates(self):
        self._five_channel_partners()
        expected = self._proposed_by_one_run()
        self._start_the_job()
        self._review_calls(1)
        with self._interrupted():
            self.assertEqual(self._review_calls(1), [(2, 1)])
        self.assertEqual(self._review_calls(2), [(2, 1), (1, 0)])
        self.assertEqual(self._proposed(), expected)
        self.assertEqual(len(self._proposals()), len(self._proposals().partner_id), "one proposal a partner")

    def test_the_review_job_waits_for_a_new_window_once_this_one_is_spent(self):
        self._five_channel_partners()
        self._start_the_job()
        self._spend_the_window()
        self.assertEqual(self._review_calls(1), [(0, 5)])
        self.assertFalse(self._proposals())
        self.assertTrue(self._triggers(REVIEW_CRON), "a new call asked for")

    # --- Criteria ---------------------------------------------------------------------

    def test_revenue_decides(self):
        short = self._distributor('Short', revenue=4999.99, satisfaction=4.5)
        enough = self._distributor('Enough', revenue=5000, satisfaction=4.5)
        self._review()
        self.assertEqual(self._proposals(short).proposed_grade_id, self.silver)
        self.assertEqual(self._proposals(enough).proposed_grade_id, self.gold)

    def test_satisfaction_decides(self):
        unhappy = self._distributor('Unhappy', revenue=6000, satisfaction=3.99)
        happy = self._distributor('Happy', revenue=6000, satisfaction=4.0)
        unknown = self._distributor('Never Asked', revenue=6000)
        self._review()
        self.assertEqual(self._proposals(unhappy).proposed_grade_id, self.silver)
        self.assertEqual(self._proposals(happy).proposed_grade_id, self.gold)
        self.assertEqual(self._proposals(unknown).proposed_grade_id, self.silver)
        self.assertRecordValues(self._proposals(unknown), [{'satisfaction_measured': False, 'satisfaction': 0.0}])
        self.assertIn("satisfaction not measured", self._proposals(unknown).basis)

    def test_an_unmeasured_satisfaction_never_causes_a_downgrade(self):
        never_asked = self._distributor('Never Asked', revenue=6000)
        self._set_grade(never_asked, self.gold)
        unhappy = self._distributor('Unhappy', revenue=6000, satisfaction=3.0)
        self._set_grade(unhappy, self.gold)
        self._review()
        self.assertFalse(self._proposals(never_asked), "Gold is kept: nothing says the partner is unhappy")
        self.assertRecordValues(self._proposals(unhappy), [{
            'proposed_grade_id': self.silver.id, 'direction': 'down', 'satisfaction_measured': True}])
        self.assertEqual(self._proposals(unhappy).basis, "Satisfaction 3.00 is below the 4.00 Gold asks for.")

    def test_a_downgrade_says_which_criteria_are_missed(self):
        self._set_grade(self.west, self.gold)
        self._order(self.west, 2000, 10)
        self._conflict(self.west, 40)
        self._review()
        basis = self._proposals(self.west).basis.split('\n')
        self.assertEqual(len(basis), 2, basis)
        self.assertIn("2,000.00", basis[0])
        self.assertIn("5,000.00", basis[0])
        self.assertIn("1 confirmed conflicts exceed the 0 Gold tolerates.", basis[1])

    def test_confirmed_conflicts_of_the_last_12_months_decide(self):
        culprit = self._distributor('Culprit', revenue=6000, satisfaction=4.5)
        self._conflict(culprit, 100)
        innocent = self._distributor('Innocent', revenue=6000, satisfaction=4.5)
        self._conflict(innocent, 100, state='new')
        self._conflict(innocent, 100, state='dismissed')
        self._conflict(innocent, 400)
        self._review()
        self.assertRecordValues(self._proposals(culprit), [{'proposed_grade_id': self.silver.id, 'conflict_count': 1}])
        self.assertRecordValues(self._proposals(innocent), [{'proposed_grade_id': self.gold.id, 'conflict_count': 0}])

    def test_highest_level_met_wins_and_archived_grades_do_not_count(self):
        platinum = self._grade('Platinum', 3, min_revenue=5000)
        self._order(self.west, 6000, 10)
        self._satisfied(self.west, 4.5)
        self._review()
        self.assertEqual(self._proposals(self.west).proposed_grade_id, platinum)
        platinum.active = False
        self._review()
        self.assertEqual(self._proposals(self.west).proposed_grade_id, self.gold)

    # --- Figures ----------------------------------------------------------------------

    def test_orders_of_partners_downstream_count(self):
        reseller = self._create_customer('Bay Resellers', channel_role='reseller', channel_parent_id=self.west.id)
        shop = self._create_customer('Corner Shop', channel_parent_id=reseller.id)
        buyer = self.env['res.partner'].create({'name': 'Ann Buyer', 'parent_id': shop.id})
        self._order(self.west, 1000, 10)
        self._order(reseller, 2000, 20)
        self._order(shop, 1500, 30)
        self._order(buyer, 500, 40)
        self._review()
        self.assertEqual(self._proposals(self.west).revenue, 5000.0)
        self.assertEqual(self._proposals(reseller).revenue, 4000.0)
        self.assertFalse(self._proposals(shop | buyer), "end customers get no grade")

    def test_old_cancelled_unconfirmed_future_and_other_company_orders_do_not_count(self):
        other = self.env['res.company'].create({'name': 'Grades B'})
        self._order(self.west, 1000, 0)
        self._order(self.west, 1000, 364)
        self._order(self.west, 1000, 365)
        self._order(self.west, 1000, -1)
        self._order(self.west, 1000, 10, state='cancel')
        self._order(self.west, 1000, 10, state='draft')
        self._order(self.west, 1000, 10, company=other)
        self._review()
        self.assertEqual(self._proposals(self.west).revenue, 2000.0)

    def test_companies_are_reviewed_apart(self):
        other = self.env['res.company'].create({'name': 'Grades B'})
        b_silver = self._grade('B Silver', 1, company=other, min_revenue=100)
        theirs = self._create_customer('Their Own Distributor', channel_role='distributor', company_id=other.id)
        self._order(self.west, 500, 10, company=other)
        self._order(theirs, 500, 10, company=other)
        self._order(self.west, 500, 10)
        self.assertFalse(self._review(), "500 is below Silver in the first company")
        proposals = self._review(other)
        self.assertEqual(proposals.partner_id, self.west | theirs)
        self.assertTrue(all(proposal.company_id == other and proposal.proposed_grade_id == b_silver
                            and proposal.revenue == 500.0 for proposal in proposals))
        proposals.action_accept()
        self.assertEqual(self.west.with_company(other).channel_grade_id, b_silver)
        self.assertFalse(self.west.channel_grade_id)
        self.assertFalse(self._review(), "a partner of the other company is not reviewed here")
        mine_only = self.Review.with_user(self.user).search([('partner_id', '=', self.west.id)])
        self.assertFalse(mine_only, "a user of the first company does not see the other's reviews")

    def test_review_costs_the_same_queries_for_3_or_30_partners(self):
        self.company.loyalty_channel_manager_id = False

        def cost(count, prefix):
            for i in range(count):
                self._distributor(f'{prefix} {i}', revenue=1500)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._review()
            return self.env.cr.sql_log_count - before

        self._review()
        few = cost(3, 'Few')
        self.assertEqual(cost(30, 'Many'), few)
        self.assertEqual(len(self._proposals()), 33)

    # --- Decisions --------------------------------------------------------------------

    def test_accept_gives_the_grade_its_pricelist_and_logs_it(self):
        self._set_grade(self.west, self.silver)
        self.assertEqual(self.west.property_product_pricelist, self.silver_prices)
        self._order(self.west, 6000, 10)
        self._satisfied(self.west, 4.5)
        proposal = self._review()
        proposal.with_user(self.manager).action_accept()
        self.assertEqual(self.west.channel_grade_id, self.gold)
        self.assertEqual(self.west.property_product_pricelist, self.gold_prices)
        self.assertRecordValues(proposal, [{'state': 'accepted', 'decided_by_id': self.manager.id,
                                            'decided_date': fields.Date.context_today(proposal)}])
        message = self.west.message_ids[0]
        self.assertIn("Grade review accepted: Silver → Gold", message.body)
        self.assertEqual(message.author_id, self.manager.partner_id)
        self.assertIn(proposal, self.west.channel_grade_review_ids)

    def test_accept_several_proposals_at_once(self):
        north = self._distributor('North', revenue=1500)
        south = self._distributor('South', revenue=6000, satisfaction=4.5)
        self._review().action_accept()
        self.assertEqual(north.channel_grade_id, self.silver)
        self.assertEqual(south.channel_grade_id, self.gold)
        self.assertEqual(south.property_product_pricelist, self.gold_prices)
        self.assertFalse(self._proposals())

    def test_accepting_a_loss_of_grade_removes_the_grade_pricelist(self):
        self._set_grade(self.west, self.silver)
        self._review().action_accept()
        self.assertFalse(self.west.channel_grade_id)
        self.assertFalse(self.west.specific_property_product_pricelist)

    def test_decided_proposals_cannot_be_decided_again(self):
        self._order(self.west, 1500, 10)
        proposal = self._review()
        proposal.action_accept()
        with self.assertRefused("Only grade proposals still to decide", UserError):
            proposal.action_accept()

    def test_run_button_reviews_the_allowed_companies_for_managers_only(self):
        self._order(self.west, 1500, 10)
        with self.assertRefused("Only loyalty administrators can review", AccessError):
            self.Review.with_user(self.user).action_run_review()
        self.assertFalse(self._proposals())
        action = self.Review.with_user(self.manager).action_run_review()
        self.assertEqual(action['params']['message'], "1 grade proposals to decide.")
        self.assertEqual(self._proposals().partner_id, self.west)
        self.assertEqual(self.Review.with_user(self.user).search([]), self._proposals(), "users read the proposals")

    def test_loyalty_user_cannot_decide(self):
        self._order(self.west, 1500, 10)
        proposal = self._review()
        with self.assertRefused("Only loyalty administrators", AccessError):
            proposal.with_user(self.user).action_accept()
        self.assertEqual(proposal.state, 'proposed')
        self.assertFalse(self.west.channel_grade_id)

    def test_reject_needs_a_reason_and_keeps_the_grade(self):
        self._set_grade(self.west, self.silver)
        self._order(self.west, 6000, 10)
        self._satisfied(self.west, 4.5)
        proposal = self._review()
        with self.assertRefused("Write down why the grade proposal for West Distribution is rejected", UserError):
            proposal.action_reject()
        self.assertEqual(proposal.state, 'proposed')
        proposal.reason = "Wait for the next quarter: one big order only."
        proposal.with_user(self.manager).action_reject()
        self.assertRecordValues(proposal, [{'state': 'rejected', 'decided_by_id': self.manager.id}])
        self.assertEqual(self.west.channel_grade_id, self.silver)

    # --- Changes by hand --------------------------------------------------------------

    def test_grade_set_by_hand_is_logged_and_gives_its_pricelist(self):
        self._set_grade(self.west, self.silver)
        self._set_grade(self.west, self.gold)
        self._set_grade(self.west, False)
        self.assertRecordValues(self.west.channel_grade_review_ids, [
            {'current_grade_id': self.gold.id, 'proposed_grade_id': False, 'direction': 'none'},
            {'current_grade_id': self.silver.id, 'proposed_grade_id': self.gold.id, 'direction': 'up'},
            {'current_grade_id': False, 'proposed_grade_id': self.silver.id, 'direction': 'up'},
        ])
        self.assertTrue(all(review.manual and review.state == 'accepted' and review.decided_by_id == self.manager
                            for review in self.west.channel_grade_review_ids))
        self.assertFalse(self.west.specific_property_product_pricelist)

    def test_grade_set_by_hand_settles_the_proposal_to_decide(self):
        self._order(self.west, 6000, 10)
        self._satisfied(self.west, 4.5)
        proposal = self._review()
        self._set_grade(self.west, self.gold)
        self.assertRecordValues(proposal, [{'state': 'accepted', 'manual': True, 'decided_by_id': self.manager.id}])
        self.assertEqual(self.west.channel_grade_review_ids, proposal, "no second line for the same change")
        self._satisfied(self.west, 3.0)
        proposal = self._review()
        self._set_grade(self.west, False)
        self.assertRecordValues(proposal, [{'state': 'rejected', 'reason_code': 'superseded', 'reason': False}])
        self.assertEqual(len(self.west.channel_grade_review_ids), 3)

    def test_review_reasons_read_in_the_readers_language(self):
        """A grade set by a manager working in Chinese reads "Set by hand" to an English user."""
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'], overwrite=True)
        self._set_grade(self.west.with_context(lang='zh_CN'), self.gold)
        review = self.west.channel_grade_review_ids
        self.assertEqual(review.reason_code, 'manual')
        self.assertEqual(review.with_context(lang='en_US').reason_label, "Set by hand")
        self.assertEqual(review.with_context(lang='zh_CN').reason_label, "手动设置")
        review.reason = "Agreed at the yearly meeting"
        self.assertEqual(review.with_context(lang='en_US').reason_label, "Set by hand\nAgreed at the yearly meeting")

    def test_pricelist_chosen_by_hand_is_kept(self):
        special = self.env['product.pricelist'].create({'name': 'Negotiated', 'company_id': self.company.id})
        self.west.property_product_pricelist = special
        self._set_grade(self.west, self.gold)
        self.assertEqual(self.west.property_product_pricelist, special)

    def test_new_pricelist_of_a_grade_reaches_its_members(self):
        special = self.env['product.pricelist'].create({'name': 'Negotiated', 'company_id': self.company.id})
        gold_2027 = self.env['product.pricelist'].create({'name': 'Gold 2027', 'company_id': self.company.id})
        negotiator = self._create_customer('Negotiator', channel_role='distributor',
                                           property_product_pricelist=special.id)
        self._set_grade(self.west, self.gold)
        self._set_grade(negotiator, self.gold)
        self.gold.pricelist_id = gold_2027
        self.assertEqual(self.west.property_product_pricelist, gold_2027)
        self.assertEqual(negotiator.property_product_pricelist, special)

    def test_loyalty_user_cannot_change_a_grade_by_hand(self):
        with self.assertRefused("Only loyalty administrators can change the grade", AccessError):
            self.west.with_user(self.user).channel_grade_id = self.silver
        self.assertFalse(self.west.channel_grade_id)
        self.assertFalse(self.west.channel_grade_review_ids)

    def test_grade_of_another_company_is_refused(self):
        other = self.env['res.company'].create({'name': 'Grades B'})
        theirs = self._grade('B Silver', 1, company=other)
        with self.assertRefused("The grade B Silver belongs to another company"):
            self._set_grade(self.west, theirs)
        self.assertFalse(self.west.channel_grade_id)

    # --- Reviewers' reminder ----------------------------------------------------------

    def test_one_reminder_per_reviewer_follows_the_proposals_to_decide(self):
        activity_type = self.env.ref('crm_loyalty.mail_activity_channel_grade_review')

        def reminders():
            return self.env['mail.activity'].search([
                ('res_model', '=', self.Review._name), ('activity_type_id', '=', activity_type.id)])

        self._distributor('North', revenue=1500)
        self._distributor('South', revenue=1500)
        proposals = self._review()
        self._review()
        self.assertRecordValues(reminders(), [{
            'user_id': self.manager.id, 'summary': "Grade proposals to decide: 2", 'res_id': proposals[0].id}])
        proposals[0].action_accept()
        self.assertRecordValues(reminders(), [{
            'user_id': self.manager.id, 'summary': "Grade proposals to decide: 1", 'res_id': proposals[1].id}])
        proposals[1].action_accept()
        self.assertFalse(reminders())

    def test_without_channel_manager_each_salesperson_is_reminded(self):
        self.company.loyalty_channel_manager_id = False
        seller = new_test_user(self.env, 'grade.seller', groups='base.group_user,crm_loyalty.group_loyalty_user')
        self._distributor('North', revenue=1500, user_id=seller.id)
        self._distributor('South', revenue=1500, user_id=seller.id)
        self._distributor('Nobody', revenue=1500)
        self._review()
        activities = self.env['mail.activity'].search([('res_model', '=', self.Review._name)])
        self.assertRecordValues(activities, [{'user_id': seller.id, 'summary': "Grade proposals to decide: 2"}])

    # --- Grades -----------------------------------------------------------------------

    def test_members_are_counted_and_listed(self):
        self._set_grade(self.west, self.silver)
        self.assertEqual(self.silver.partner_count, 1)
        action = self.silver.action_view_partners()
        self.assertEqual(self.env['res.partner'].search(action['domain']), self.west)

    def test_the_conflicts_a_grade_tolerates_read_in_words(self):
        self.assertEqual(self.silver.max_conflicts, -1)
        self.assertEqual(self.silver.conflicts_limit, "No limit")
        self.assertEqual(self.gold.conflicts_limit, "0 at most")

    def test_blank_name_is_refused_and_nothing_is_saved(self):
        Grade = self.env['crm.loyalty.channel.grade']
        count = Grade.search_count([])
        with self.assertRefused("Give the channel grade a name"):
            Grade.create({'name': '   ', 'level': 5})
        with self.assertRefused("Give the channel grade a name"):
            self.silver.name = ' '
        self.assertEqual(Grade.search_count([]), count)
        self.assertEqual(self.silver.name, 'Silver')

    def test_duplicate_level_is_refused_and_nothing_is_saved(self):
        Grade = self.env['crm.loyalty.channel.grade']
        count = Grade.search_count([])
        with self.assertRefused("“Bronze” and “Silver” cannot share the level 1"):
            Grade.create({'name': 'Bronze', 'level': 1})
        self.silver.active = False
        with self.assertRefused("cannot share the level 1"):
            Grade.create({'name': 'Bronze', 'level': 1})
        with self.assertRefused("cannot share the level 2"):
            self.silver.level = 2
        self.assertEqual(Grade.with_context(active_test=False).search_count([]), count)
        self.assertEqual(self.silver.level, 1)

    def test_negative_volume_is_refused_and_nothing_is_saved(self):
        with self.assertRefused("The annual volume of the grade “Silver” cannot be negative"):
            self.silver.min_revenue = -1
        self.assertEqual(self.silver.min_revenue, 1000)

    def test_satisfaction_outside_0_to_5_is_refused_and_nothing_is_saved(self):
        Grade = self.env['crm.loyalty.channel.grade']
        count = Grade.search_count([])
        for value in (5.5, -0.5):
            with self.assertRefused("The satisfaction of the grade “Diamond” must lie between 0"):
                Grade.create({'name': 'Diamond', 'level': 9, 'min_satisfaction': value})
        self.assertEqual(Grade.search_count([]), count)

    def test_conflicts_below_minus_one_are_refused_and_nothing_is_saved(self):
        with self.assertRefused("cannot be below -1"):
            self.gold.max_conflicts = -2
        self.assertEqual(self.gold.max_conflicts, 0)

    # --- Contract renewal -------------------------------------------------------------

    def test_contract_renewal_is_planned_once_within_the_notice(self):
        today = self.AS_OF
        due = self._distributor('Due', channel_contract_end=today + timedelta(days=30))
        soon = self._distributor('Soon', channel_contract_end=today + timedelta(days=3))
        later = self._distributor('Later', channel_contract_end=today + timedelta(days=61))
        ended = self._distributor('Ended', channel_contract_end=today - timedelta(days=1))
        customer = self._create_customer('End Customer', channel_contract_end=today + timedelta(days=30))
        Partner = self.env['res.partner']
        Partner._cron_channel_contract_reminders(today=today)
        self.assertRecordValues(self._renewals(due), [{
            'user_id': self.manager.id, 'date_deadline': today + timedelta(days=23)}])
        self.assertRecordValues(self._renewals(soon), [{'user_id': self.manager.id, 'date_deadline': today}])
        self.assertFalse(self._renewals(later) | self._renewals(ended) | self._renewals(customer))
        Partner._cron_channel_contract_reminders(today=today + timedelta(days=1))
        self.assertEqual(len(self._renewals(due)), 1)
        self._renewals(due).action_feedback(feedback="Renewal signed for next year.")
        Partner._cron_channel_contract_reminders(today=today + timedelta(days=2))
        self.assertFalse(self._renewals(due), "a reminder done for this contract is not planned again")
        self.assertEqual(len(self._renewals(due, active_test=False)), 1)

    def test_contract_renewal_goes_to_the_salesperson_without_channel_manager(self):
        self.company.loyalty_channel_manager_id = False
        seller = new_test_user(self.env, 'contract.seller', groups='base.group_user')
        end = self.AS_OF + timedelta(days=30)
        followed = self._distributor('Followed', channel_contract_end=end, user_id=seller.id)
        orphan = self._distributor('Orphan', channel_contract_end=end)
        self.env['res.partner']._cron_channel_contract_reminders(today=self.AS_OF)
        self.assertRecordValues(self._renewals(followed), [{'user_id': seller.id}])
        self.assertFalse(self._renewals(orphan))

    def test_contract_renewal_of_a_partner_follows_his_company_notice(self):
        other = self.env['res.company'].create({'name': 'Grades B', 'loyalty_contract_reminder_days': 10})
        other_manager = new_test_user(self.env, 'contract.b', groups='base.group_user',
                                      company_id=other.id, company_ids=[other.id])
        other.loyalty_channel_manager_id = other_manager
        far = self._distributor('Far', company_id=other.id, channel_contract_end=self.AS_OF + timedelta(days=30))
        near = self._distributor('Near', company_id=other.id, channel_contract_end=self.AS_OF + timedelta(days=5))
        self.env['res.partner']._cron_channel_contract_reminders(today=self.AS_OF)
        self.assertFalse(self._renewals(far))
        self.assertRecordValues(self._renewals(near), [{'user_id': other_manager.id}])

    def test_contract_renewal_of_a_shared_partner_goes_to_the_first_company_whose_notice_began(self):
        self.company.sequence = 1
        other = self.env['res.company'].create({
            'name': 'Grades B', 'loyalty_contract_reminder_days': 90, 'sequence': 2})
        other_manager = new_test_user(self.env, 'contract.b', groups='base.group_user',
                                      company_id=other.id, company_ids=[other.id])
        other.loyalty_channel_manager_id = other_manager
        in_80_days = self._distributor('In 80 Days', channel_contract_end=self.AS_OF + timedelta(days=80))
        in_30_days = self._distributor('In 30 Days', channel_contract_end=self.AS_OF + timedelta(days=30))
        self.env['res.partner']._cron_channel_contract_reminders(today=self.AS_OF)
        self.assertRecordValues(self._renewals(in_80_days), [{'user_id': other_manager.id}])
        self.assertRecordValues(self._renewals(in_30_days), [{'user_id': self.manager.id}])
