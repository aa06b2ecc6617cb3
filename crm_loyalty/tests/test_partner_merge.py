from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
BIRTHDAY_RUN = date(2026, 11, 28)   # three days before the birthdays of 1 December


@tagged('post_install', '-at_install')
class TestPartnerMerge(LoyaltyCase):
    """Merging the duplicate B into A keeps B's loyalty history on A.

    Odoo's merge moves each table's rows to the survivor, but where one row would clash with
    a unique key it deletes every row of the duplicate in that table. B has a September
    snapshot, A and B October ones; both were wished a happy birthday in 2025 and B in 2026.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.customer
        cls.b = cls._create_customer('Lotus Tea House (duplicate)')
        cls.bystander = cls._create_customer('Jade Garden')
        (cls.a | cls.b | cls.bystander).write({'email': 'lotus@example.com', 'birthday': date(1990, 12, 1)})
        cls.gold, = cls._tiers(Gold=800)
        partner_model = cls.env['ir.model']._get_id('res.partner')
        call = cls.env['ir.actions.server'].create({
            'name': 'Call', 'model_id': partner_model, 'state': 'next_activity',
            'activity_type_id': cls.env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Birthday call', 'activity_user_type': 'specific',
            'activity_user_id': cls.env.user.id})
        Rule = cls.env['crm.loyalty.care.rule']
        cls.birthday = Rule.create({'name': 'Birthday wishes', 'trigger': 'birthday', 'days': 3,
                                    'action_server_ids': [(6, 0, call.ids)]})
        cls.thanks = Rule.create({'name': 'Thanks', 'trigger': 'after_purchase', 'days': 2,
                                  'action_server_ids': [(6, 0, call.ids)]})
        cls._snapshot(cls.a, OCTOBER, 500)
        cls._snapshot(cls.b, SEPTEMBER, 900)
        cls._snapshot(cls.b, OCTOBER, 950)
        cls._snapshot(cls.bystander, OCTOBER, 100)
        cls._care(cls.a, cls.birthday, '2025')
        cls._care(cls.b, cls.birthday, '2025')
        cls._care(cls.b, cls.birthday, '2026')
        cls._care(cls.b, cls.thanks, '2026-10-02')
        cls._care(cls.bystander, cls.birthday, '2026')

    @classmethod
    def _snapshot(cls, partner, month, revenue, company=None):
        return cls.env['crm.loyalty.snapshot'].create({
            'partner_id': partner.id, 'company_id': (company or cls.company).id, 'date': month,
            'revenue': revenue, 'purchase_count': int(revenue // 100)})

    @classmethod
    def _care(cls, partner, rule, occurrence, state='done', note=False):
        return cls.env['crm.loyalty.care.action'].create({
            'rule_id': rule.id, 'partner_id': partner.id, 'company_id': cls.company.id,
            'occurrence': occurrence, 'state': state, 'attempts': 1, 'note': note})

    def _merge(self, *duplicates, into=None, user=None):
        into = into or self.a
        wizard = self.env['base.partner.merge.automatic.wizard']
        if user:
            wizard = wizard.with_user(user)
        wizard.create({})._merge([into.id, *(duplicate.id for duplicate in duplicates)], dst_partner=into)
        self.env.invalidate_all()

    def _snapshots(self, partner):
        return [(s.date, s.revenue, s.purchase_count) for s in self.env['crm.loyalty.snapshot'].search(
            [('partner_id', '=', partner.id)], order='date')]

    def _care_log(self, partner):
        return sorted((log.rule_id.name, log.occurrence, log.state, log.note or '')
                      for log in self.env['crm.loyalty.care.action'].search([('partner_id', '=', partner.id)]))

    def _calls(self, partner):
        return self.env['mail.activity'].search([('res_model', '=', 'res.partner'), ('res_id', '=', partner.id)])

    # --- Snapshots --------------------------------------------------------------------

    def test_the_duplicates_snapshot_of_a_month_the_survivor_lacks_is_kept(self):
        self._merge(self.b)
        self.assertFalse(self.b.exists())
        self.assertEqual(self._snapshots(self.a), [(SEPTEMBER, 900, 9), (OCTOBER, 500, 5)])

    def test_the_survivors_snapshot_of_a_month_both_have_is_kept(self):
        """His own standing of that month, as his reports showed it (the current month is
        rewritten by the engine right after the merge anyway)."""
        survivors_october = self.env['crm.loyalty.snapshot'].search(
            [('partner_id', '=', self.a.id), ('date', '=', OCTOBER)])
        self._merge(self.b)
        self.assertEqual(self.env['crm.loyalty.snapshot'].search(
            [('partner_id', '=', self.a.id), ('date', '=', OCTOBER)]), survivors_october)
        self.assertEqual(survivors_october.revenue, 500)

    def test_snapshots_of_the_same_month_in_two_companies_are_both_kept(self):
        other = self.env['res.company'].create({'name': 'Lotus Trading Shanghai'})
        self._snapshot(self.b, OCTOBER, 300, company=other)
        self._merge(self.b)
        self.assertEqual(self.env['crm.loyalty.snapshot'].search(
            [('partner_id', '=', self.a.id), ('date', '=', OCTOBER)], order='id').mapped(
                lambda snapshot: (snapshot.company_id, snapshot.revenue)),
            [(self.company, 500), (other, 300)])

    def test_two_duplicates_with_the_same_month_leave_one_snapshot(self):
        """Neither is the survivor's: the older row is kept."""
        c = self._create_customer('Lotus Tea (second duplicate)', email='lotus@example.com')
        self._snapshot(c, SEPTEMBER, 700)
        self._merge(self.b, c)
        self.assertEqual(self._snapshots(self.a), [(SEPTEMBER, 900, 9), (OCTOBER, 500, 5)])

    # --- Care log ---------------------------------------------------------------------

    def test_every_care_action_of_the_duplicate_is_kept(self):
        self._merge(self.b)
        self.assertEqual(self._care_log(self.a), [
            ('Birthday wishes', '2025', 'done', ''), ('Birthday wishes', '2026', 'done', ''),
            ('Thanks', '2026-10-02', 'done', '')])

    def test_an_occurrence_handled_for_the_duplicate_is_not_acted_on_again(self):
        self._merge(self.b)
        self.assertFalse(self.birthday._run(BIRTHDAY_RUN))
        self.assertFalse(self._calls(self.a))
        self.assertEqual(len(self.env['crm.loyalty.care.action'].search([('partner_id', '=', self.a.id)])), 3)

    def test_an_occurrence_done_for_the_duplicate_is_not_retried_for_the_survivor(self):
        """The survivor's attempt failed, the duplicate's was done: the done one is kept, and
        the failed one is not tried again."""
        self._care(self.a, self.birthday, '2026', state='failed', note="The mail server was down")
        self._merge(self.b)
        self.assertFalse(self.birthday._run(BIRTHDAY_RUN))
        self.assertFalse(self._calls(self.a))
        self.assertIn(('Birthday wishes', '2026', 'done', ''), self._care_log(self.a))
        self.assertEqual(len(self._care_log(self.a)), 3)

    def test_an_occurrence_logged_for_both_keeps_the_survivors_row_when_equally_handled(self):
        self._care(self.a, self.birthday, '2026', note="Called by Wang Fang")
        self._merge(self.b)
        self.assertEqual(self._care_log(self.a), [
            ('Birthday wishes', '2025', 'done', ''), ('Birthday wishes', '2026', 'done', 'Called by Wang Fang'),
            ('Thanks', '2026-10-02', 'done', '')])

    def test_a_holdout_of_the_duplicate_stays_out_of_the_care(self):
        """Left out to measure the care, the occurrence counts as handled: no call now."""
        self.env['crm.loyalty.care.action'].search([('partner_id', '=', self.b.id), ('occurrence', '=', '2026')]
                                                   ).state = 'holdout'
        self._care(self.a, self.birthday, '2026', state='failed')
        self._merge(self.b)
        self.assertFalse(self.birthday._run(BIRTHDAY_RUN))
        self.assertFalse(self._calls(self.a))
        self.assertIn(('Birthday wishes', '2026', 'holdout', ''), self._care_log(self.a))

    # --- Tier history, satisfaction, complaints ---------------------------------------

    def test_tier_history_answers_and_complaints_of_the_duplicate_are_kept(self):
        History = self.env['crm.loyalty.tier.history']
        change = History.create({'partner_id': self.b.id, 'company_id': self.company.id,
                                 'to_tier_id': self.gold.id, 'date': OCTOBER, 'reason': "Big order"})
        own_change = History.create({'partner_id': self.a.id, 'company_id': self.company.id,
                                     'to_tier_id': self.gold.id, 'date': SEPTEMBER})
        answer = self.env['crm.loyalty.feedback'].create({'partner_id': self.b.id, 'score': '4'})
        complaint = self.env['crm.loyalty.complaint'].create({'partner_id': self.b.id, 'subject': "Late delivery"})
        self._merge(self.b)
        self.assertEqual(History.search([('partner_id', '=', self.a.id)]), change | own_change)
        self.assertEqual((change.to_tier_id, change.date, change.reason), (self.gold, OCTOBER, "Big order"))
        self.assertEqual((answer.partner_id, answer.score), (self.a, '4'))
        self.assertEqual((complaint.partner_id, complaint.subject), (self.a, "Late delivery"))

    # --- Channel ----------------------------------------------------------------------

    def _proposal(self, partner, state='proposed'):
        return self.env['crm.loyalty.channel.grade.review'].create({
            'partner_id': partner.id, 'company_id': self.company.id, 'direction': 'up', 'state': state})

    def test_pending_grade_proposals_of_both_keep_the_survivors_and_every_decided_review(self):
        """One proposal to decide per partner: the survivor's, refreshed by the next review."""
        (self.a | self.b).channel_role = 'distributor'
        own, duplicates = self._proposal(self.a), self._proposal(self.b)
        accepted = self._proposal(self.b, state='accepted')
        self._merge(self.b)
        reviews = self.env['crm.loyalty.channel.grade.review'].search([('partner_id', '=', self.a.id)])
        self.assertEqual(reviews, own | accepted)
        self.assertFalse(duplicates.exists())
        self.assertEqual(accepted.state, 'accepted')

    def test_the_reviewers_reminder_moves_to_the_kept_proposal(self):
        reviewer = new_test_user(self.env, 'grade.reviewer',
                                 groups='sales_team.group_sale_salesman,crm_loyalty.group_loyalty_manager')
        self.company.loyalty_channel_manager_id = reviewer
        (self.a | self.b).channel_role = 'distributor'
        duplicates = self._proposal(self.b)
        own = self._proposal(self.a)
        Review = self.env['crm.loyalty.channel.grade.review']
        Review._sync_reviewer_activities(self.company)
        self.assertEqual(duplicates.activity_ids.user_id, reviewer)
        self._merge(self.b)
        self.assertEqual(own.activity_ids.user_id, reviewer)
        self.assertEqual(self.env['mail.activity'].search([('res_model', '=', Review._name)]), own.activity_ids)

    def test_a_pending_grade_proposal_of_the_duplicate_alone_is_kept(self):
        (self.a | self.b).channel_role = 'distributor'
        proposal = self._proposal(self.b)
        self._merge(self.b)
        self.assertEqual((proposal.partner_id, proposal.state), (self.a, 'proposed'))

    def test_channel_conflicts_of_the_duplicate_are_kept(self):
        (self.a | self.b).channel_role = 'distributor'
        Conflict = self.env['crm.loyalty.channel.conflict']
        conflicts = Conflict
        for partner in (self.a, self.b):
            order = self._order(partner, 100, 10)
            conflicts |= Conflict.create({
                'name': order.name, 'sale_order_id': order.id, 'company_id': self.company.id, 'date': OCTOBER,
                'kind': 'outside', 'distributor_id': partner.id, 'customer_id': partner.id})
        self._merge(self.b)
        self.assertEqual(Conflict.search([('distributor_id', '=', self.a.id)]), conflicts)
        self.assertEqual(conflicts.customer_id, self.a)

    # --- Preference card --------------------------------------------------------------

    def test_the_survivor_has_one_preference_card_of_the_merged_orders(self):
        """The same order entered for both, twice: their cards are equal, the survivor's
        lists the tea once (a moved row equal to his own would have stayed beside it)."""
        for partner in (self.a, self.b):
            for days_ago in (10, 20):
                self._order(partner, 100, days_ago)
        self._recompute()
        self.assertEqual(len(self.b.loyalty_preference_ids), 3)
        self._merge(self.b)
        card = self.a.loyalty_preference_ids
        self.assertEqual(sorted((row.kind, row.product_id.name or row.category_id.name, row.purchase_count)
                                for row in card),
                         sorted([('basket', self.product.name, 2), ('category', self.product.categ_id.name, 2),
                                 ('product', self.product.name, 2)]))

    # --- Everything else --------------------------------------------------------------

    def test_the_merge_leaves_other_customers_alone(self):
        self._merge(self.b)
        self.assertEqual(self._snapshots(self.bystander), [(OCTOBER, 100, 1)])
        self.assertEqual(self._care_log(self.bystander), [('Birthday wishes', '2026', 'done', '')])

    def test_an_administrator_without_loyalty_rights_merges_with_the_history_kept(self):
        """The merge stays open to whom Odoo opens it (its copy of the partners' fields
        needs the settings administrator), whatever he may read of the loyalty history."""
        admin = self.env.ref('base.user_admin')
        admin.groups_id -= self.env.ref('crm_loyalty.group_loyalty_user') | self.env.ref(
            'crm_loyalty.group_loyalty_manager')
        (self.a | self.b).channel_role = 'distributor'
        own = self._proposal(self.a)
        self._proposal(self.b)
        self._merge(self.b, user=admin)
        self.assertFalse(self.b.exists())
        self.assertEqual(self._snapshots(self.a), [(SEPTEMBER, 900, 9), (OCTOBER, 500, 5)])
        self.assertEqual(len(self._care_log(self.a)), 3)
        self.assertEqual(self.env['crm.loyalty.channel.grade.review'].search([('partner_id', '=', self.a.id)]), own)

    def test_a_user_who_may_not_merge_contacts_still_cannot(self):
        clerk = new_test_user(self.env, 'plain.clerk', groups='base.group_user')
        with self.assertRaises(AccessError):
            self._merge(self.b, user=clerk)
        self.assertTrue(self.b.exists())
        self.assertEqual(self._snapshots(self.b), [(SEPTEMBER, 900, 9), (OCTOBER, 950, 9)])
