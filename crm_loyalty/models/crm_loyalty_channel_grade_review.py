"""The periodic grade review.

The monthly grade review computes, in one statement per batch of channel partners, their
figures and the highest grade they meet, and proposes the changes; a manager accepts or
rejects each proposal, which stays as the log of the partner's grades (with the changes
made by hand).
"""
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, formatLang

from ..lib.segments import grade_direction, grade_direction_sql
from .access import LOYALTY_MANAGER, check_group, from_code
from .crm_loyalty_engine import to_sql
from .cron_step import call_deadline, step_seconds
from .local_day import company_today
from .purchases import purchases_sql
from .res_partner import channel_tree_sql

REVIEW_MONTHS = 12
REVIEW_DIRECTIONS = [('up', 'Upgrade'), ('down', 'Downgrade'), ('none', 'Loses the Grade')]
REVIEW_STATES = [('proposed', 'To Decide'), ('accepted', 'Accepted'), ('rejected', 'Rejected')]
# Why a review was decided without the review's buttons, as a code each reader sees in his language.
REVIEW_REASONS = [('manual', 'Set by hand'), ('superseded', 'Superseded: the grade was set by hand')]
REVIEW_CRON = 'crm_loyalty.ir_cron_loyalty_channel_grade_review'
BATCH_SIZE = 500    # channel partners in the cron's first batch; the next ones adapt to its time
# The review's figures and decisions: set by the review and its buttons, never by hand.
SYSTEM_FIELDS = frozenset({
    'partner_id', 'company_id', 'date', 'current_grade_id', 'proposed_grade_id', 'direction', 'revenue',
    'satisfaction', 'satisfaction_measured', 'conflict_count', 'manual', 'state', 'decided_by_id', 'decided_date',
    'reason_code',
})


class CrmLoyaltyChannelGradeReview(models.Model):
    """One proposal of the grade review (or one change made by hand), kept once decided
    as the log of the partner's grades."""
    _name = 'crm.loyalty.channel.grade.review'
    _description = 'Channel Grade Review'
    _inherit = ['crm.loyalty.system.fields.mixin', 'mail.thread', 'mail.activity.mixin']
    _loyalty_system_fields = SYSTEM_FIELDS
    _order = 'date desc, id desc'
    _rec_name = 'partner_id'
    _check_company_auto = True

    partner_id = fields.Many2one('res.partner', 'Channel Partner', required=True, readonly=True, index=True,
                                 ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related='company_id.currency_id')
    date = fields.Date('Review Date', required=True, readonly=True, default=fields.Date.context_today)
    current_grade_id = fields.Many2one('crm.loyalty.channel.grade', 'Current Grade', readonly=True,
                                       ondelete='set null')
    proposed_grade_id = fields.Many2one(
        'crm.loyalty.channel.grade', 'Proposed Grade', readonly=True, ondelete='set null',
        help="The highest grade whose criteria the figures meet; empty: the partner meets no grade's.")
    direction = fields.Selection(REVIEW_DIRECTIONS, required=True, readonly=True)
    revenue = fields.Monetary(
        'Revenue (12 months)', readonly=True,
        help="Purchases of the last 12 months of the partner and of every partner downstream of "
             "him (confirmed orders, or posted invoices net of credit notes, as the company counts "
             "purchases), untaxed, in the company's currency.")
    satisfaction = fields.Float(readonly=True, digits=(3, 2), help="The partner's satisfaction score (1 to 5).")
    satisfaction_measured = fields.Boolean(
        readonly=True,
        help="Whether the partner ever answered a satisfaction request. An unmeasured satisfaction never "
             "causes a downgrade, nor allows an upgrade to a grade that asks for one.")
    basis = fields.Text('Why', compute='_compute_basis',
                        help="The figures that make the proposal, against the grades' criteria.")
    conflict_count = fields.Integer(
        'Conflicts (12 months)', readonly=True,
        help="Confirmed channel conflicts the partner caused in the last 12 months.")
    manual = fields.Boolean('Set by Hand', readonly=True,
                            help="A grade changed by hand on the partner, rather than proposed by the review.")
    state = fields.Selection(REVIEW_STATES, required=True, default='proposed', readonly=True, index=True,
                             tracking=True)
    decided_by_id = fields.Many2one('res.users', 'Decided By', readonly=True)
    decided_date = fields.Date('Decided On', readonly=True)
    reason = fields.Text(help="Why the proposal is rejected (required to reject it), or a remark on the decision.")
    reason_code = fields.Selection(
        REVIEW_REASONS, 'Decided Because', readonly=True,
        help="Why the proposal was decided without the review's buttons: the grade was set by hand.")
    reason_label = fields.Text(
        'Reason (shown)', compute='_compute_reason_label',
        help="Why the grade changed or the proposal was rejected, in your language.")

    def init(self):
        # one proposal to decide per partner and company, even with two reviews at once
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS crm_loyalty_channel_grade_review_pending_unique
                ON crm_loyalty_channel_grade_review (partner_id, company_id) WHERE state = 'proposed'
        """)

    # --- Review -----------------------------------------------------------------------

    @api.model
    def _cron_run_review(self):
        """One call of the review of every company, in committed batches of channel partners
        (by ranges of ids), going on where the last call stopped. A call that finds no review
        under way starts one, as of each company's day."""
        Position = self.env['crm.loyalty.cron.position']
        if not Position._positions(REVIEW_CRON):
            Position._start(REVIEW_CRON, self.env['res.company'].search([]), as_of=company_today)
        Position._walk(REVIEW_CRON, self._members_sql, self._review_range, BATCH_SIZE,
                       deadline=call_deadline(self.env, step_seconds()),
                       finish=lambda company, _as_of: self._sync_reviewer_activities(company))

    @api.model
    def _review_range(self, company, as_of, after_id, up_to_id):
        """The review of the channel partners of ``company`` whose id is in (after_id, up_to_id]."""
        self._review_partners(company, as_of, SQL("SELECT id FROM (%s) AS member (id) WHERE id > %s AND id <= %s",
                                                  self._members_sql(company), after_id, up_to_id))

    @api.model
    def action_run_review(self):
        """Run the grade review of the user's companies now. Loyalty administrators."""
        self._check_reviewer()
        proposals = self.browse()
        for company in self.env.companies:
            proposals |= self._run_review(company)
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': _("%(count)s grade proposals to decide.", count=len(proposals)),
                'next': self.env['ir.actions.act_window']._for_xml_id(
                    'crm_loyalty.action_loyalty_channel_grade_reviews'),
            },
        }

    @api.model
    def _run_review(self, company, as_of=None):
        """Propose the grade changes of every channel partner of ``company``; a pending
        proposal is refreshed with the new figures, or removed when the partner meets his
        current grade again. Returns the proposals to decide that this run made or refreshed."""
        as_of = fields.Date.to_date(as_of) if as_of else company_today(company)
        proposals = self._review_partners(company, as_of, self._members_sql(company))
        self._sync_reviewer_activities(company)
        return proposals

    @api.model
    def _review_partners(self, company, as_of, members):
        """Propose the grade changes of the channel partners ``members`` (an SQL query of
        ids) of ``company``; run again on the same partners, it refreshes the same proposals.
        Returns the proposals to decide that it made or refreshed."""
        self.env.flush_all()
        self.env.cr.execute(self._review_sql(company, as_of, members))
        rows = self.env.cr.fetchall()
        self.invalidate_model()
        self.sudo().browse(row[0] for row in rows if row[1] == 'obsolete').unlink()
        return self.browse(row[0] for row in rows if row[1] == 'proposal')

    @api.model
    def _members_sql(self, company):
        """The ids of the channel partners the review of ``company`` looks at."""
        return SQL("""SELECT p.id FROM res_partner p
                       WHERE p.channel_role IS NOT NULL AND p.id = p.commercial_partner_id AND p.active
                         AND (p.company_id IS NULL OR p.company_id = %s)""", company.id)

    @api.model
    def _review_sql(self, company, as_of, members):
        window_start = as_of - relativedelta(months=REVIEW_MONTHS)
        key = str(company.id)
        return SQL(
            """WITH RECURSIVE members AS (%(members)s),
               -- each channel partner with himself and every partner downstream of him
               tree (root_id, partner_id, depth) AS (%(tree)s),
               sales AS (
                    SELECT partner_id, SUM(amount) AS amount FROM (%(purchases)s) purchases GROUP BY partner_id),
               revenue AS (
                    SELECT tree.root_id AS partner_id, COALESCE(SUM(sales.amount), 0) AS revenue
                      FROM tree LEFT JOIN sales ON sales.partner_id = tree.partner_id
                     GROUP BY tree.root_id),
               conflicts AS (
                    SELECT distributor_id AS partner_id, COUNT(*) AS conflict_count
                      FROM crm_loyalty_channel_conflict
                     WHERE company_id = %(company)s AND state = 'confirmed'
                       AND date > %(window_start)s AND date <= %(as_of)s
                     GROUP BY distributor_id),
               qualified AS MATERIALIZED (
                    SELECT r.partner_id, r.revenue, f.satisfaction, f.satisfaction IS NOT NULL AS satisfaction_measured,
                           COALESCE(c.conflict_count, 0) AS conflict_count,
                           cur.id AS current_id, q.id AS proposed_id,
                           %(direction)s AS direction
                      FROM revenue r
                      JOIN res_partner p ON p.id = r.partner_id
                      CROSS JOIN LATERAL (
                           -- NULL: never surveyed (no answer, hence no date of answer)
                           SELECT CASE WHEN p.satisfaction_date ->> %(key)s IS NOT NULL
                                       THEN (p.satisfaction_score ->> %(key)s)::float8 END AS satisfaction,
                                  (p.channel_grade_id ->> %(key)s)::int AS grade_id) f
                      LEFT JOIN conflicts c ON c.partner_id = r.partner_id
                      LEFT JOIN crm_loyalty_channel_grade cur ON cur.id = f.grade_id
                      LEFT JOIN LATERAL (
                           SELECT g.id, g.level FROM crm_loyalty_channel_grade g
                            WHERE g.company_id = %(company)s AND g.active
                              AND r.revenue >= COALESCE(g.min_revenue, 0)
                              AND (COALESCE(g.min_satisfaction, 0) <= 0 OR f.satisfaction >= g.min_satisfaction
                                   -- unmeasured: no reason to leave the grade held, none to rise
                                   OR (f.satisfaction IS NULL AND g.level <= cur.level))
                              AND (g.max_conflicts = -1 OR COALESCE(c.conflict_count, 0) <= g.max_conflicts)
                            ORDER BY g.level DESC LIMIT 1) q ON TRUE),
               proposals AS (
                    INSERT INTO crm_loyalty_channel_grade_review
                           (partner_id, company_id, date, current_grade_id, proposed_grade_id, direction,
                            revenue, satisfaction, satisfaction_measured, conflict_count, manual, state,
                            create_uid, create_date, write_uid, write_date)
                    SELECT partner_id, %(company)s, %(as_of)s, current_id, proposed_id, direction,
                           revenue, satisfaction, satisfaction_measured, conflict_count, FALSE, 'proposed',
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM qualified
                     WHERE proposed_id IS DISTINCT FROM current_id
                        ON CONFLICT (partner_id, company_id) WHERE state = 'proposed' DO UPDATE
                       SET date = EXCLUDED.date, current_grade_id = EXCLUDED.current_grade_id,
                           proposed_grade_id = EXCLUDED.proposed_grade_id, direction = EXCLUDED.direction,
                           revenue = EXCLUDED.revenue, satisfaction = EXCLUDED.satisfaction,
                           satisfaction_measured = EXCLUDED.satisfaction_measured,
                           conflict_count = EXCLUDED.conflict_count,
                           write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                    RETURNING id)
               SELECT id, 'proposal' FROM proposals
                UNION ALL
               SELECT review.id, 'obsolete'
                 FROM crm_loyalty_channel_grade_review review
                 JOIN qualified ON qualified.partner_id = review.partner_id
                WHERE review.company_id = %(company)s AND review.state = 'proposed'
                  AND qualified.proposed_id IS NOT DISTINCT FROM qualified.current_id""",
            members=members, company=company.id, key=key, as_of=as_of, window_start=window_start,
            direction=to_sql(grade_direction_sql(SQL("cur.level"), SQL("q.level"))),
            tree=channel_tree_sql(SQL("SELECT id FROM members")),
            purchases=purchases_sql(company, window_start + timedelta(days=1), as_of + timedelta(days=1),
                                    partners=SQL("SELECT partner_id FROM tree")),
            uid=self.env.uid)

    # --- Reviewers' reminder ----------------------------------------------------------

    def _reviewer(self):
        return self.company_id.loyalty_channel_manager_id or self.partner_id.user_id

    @api.model
    def _sync_reviewer_activities(self, companies):
        """One open "grade proposals to decide" activity per reviewer and company, on one of
        his proposals to decide, while he has any: moved when that proposal is decided,
        marked done when none is left."""
        Review = self.sudo()
        activity_type = self.env.ref('crm_loyalty.mail_activity_channel_grade_review')
        activities = self.env['mail.activity'].sudo().search([
            ('res_model', '=', self._name), ('activity_type_id', '=', activity_type.id)])
        activities_by_company = activities.grouped(lambda activity: Review.browse(activity.res_id).company_id)
        for company in companies:
            pending = Review.search([('company_id', '=', company.id), ('state', '=', 'proposed')], order='id')
            by_reviewer = pending.grouped(lambda review: review._reviewer())
            for activity in activities_by_company.get(company, []):
                lines = by_reviewer.pop(activity.user_id, None)
                if not lines:
                    activity.action_feedback(feedback=_("All grade proposals are decided."))
                    continue
                summary = _("Grade proposals to decide: %(count)s", count=len(lines))
                if activity.res_id not in lines.ids:
                    activity.write({'res_id': lines[0].id, 'summary': summary})
                elif activity.summary != summary:
                    activity.summary = summary
            for user, lines in by_reviewer.items():
                if user:
                    lines[0].activity_schedule(
                        'crm_loyalty.mail_activity_channel_grade_review', user_id=user.id,
                        summary=_("Grade proposals to decide: %(count)s", count=len(lines)))

    # --- Decisions --------------------------------------------------------------------

    def _check_reviewer(self):
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can review channel grades."))
        self.check_access('write')

    def _check_pending(self):
        if self.filtered(lambda review: review.state != 'proposed'):
            raise UserError(_("Only grade proposals still to decide can be accepted or rejected."))

    def action_accept(self):
        """Give each partner his proposed grade (and its pricelist) and log it on him."""
        self._check_reviewer()
        self._check_pending()
        for company, reviews in self.grouped('company_id').items():
            for grade, graded in reviews.grouped('proposed_grade_id').items():
                # the grade comes from the review: not logged again as set by hand
                from_code(graded.partner_id.with_company(company).with_context(mail_notrack=True),
                          'crm_loyalty_grade_review').write({'channel_grade_id': grade.id})
        self.sudo().write({'state': 'accepted', 'decided_by_id': self.env.uid,
                           'decided_date': fields.Date.context_today(self)})
        self._log_on_partners()
        self._sync_reviewer_activities(self.company_id)
        return True

    def action_reject(self):
        self._check_reviewer()
        self._check_pending()
        for review in self:
            if not (review.reason or '').strip():
                raise UserError(_("Write down why the grade proposal for %(partner)s is rejected before rejecting it.",
                                  partner=review.partner_id.display_name))
        self.sudo().write({'state': 'rejected', 'decided_by_id': self.env.uid,
                           'decided_date': fields.Date.context_today(self)})
        self._sync_reviewer_activities(self.company_id)
        return True

    def _log_on_partners(self):
        for company, reviews in self.grouped('company_id').items():
            reviews.partner_id._message_log_batch(bodies={
                review.partner_id.id: self.env._(
                    "Grade review accepted: %(old)s → %(new)s (revenue of 12 months %(revenue)s, "
                    "satisfaction %(satisfaction)s, confirmed conflicts %(conflicts)s).",
                    old=review.current_grade_id.name or self.env._("no grade"),
                    new=review.proposed_grade_id.name or self.env._("no grade"),
                    revenue=format_amount(self.env, review.revenue, company.currency_id),
                    satisfaction=review._satisfaction_text(),
                    conflicts=review.conflict_count)
                for review in reviews})

    def _satisfaction_text(self):
        self.ensure_one()
        if not self.satisfaction_measured:
            return self.env._("not measured")
        return formatLang(self.env, self.satisfaction, digits=2)

    @api.depends('manual', 'direction', 'current_grade_id', 'proposed_grade_id', 'revenue', 'satisfaction',
                 'satisfaction_measured', 'conflict_count')
    def _compute_basis(self):
        for review in self:
            review.basis = '\n'.join(review._basis_lines())

    @api.depends('reason_code', 'reason')
    @api.depends_context('lang')
    def _compute_reason_label(self):
        labels = dict(self._fields['reason_code']._description_selection(self.env))
        for review in self:
            lines = [labels.get(review.reason_code), (review.reason or '').strip()]
            review.reason_label = '\n'.join(line for line in lines if line) or False

    def _basis_lines(self):
        """Each criterion that makes the proposal: for a downgrade or a lost grade, those of
        the current grade the figures miss; for an upgrade, those of the proposed grade."""
        if self.manual:
            return [self.env._("Grade changed by hand on the partner.")]
        currency = self.company_id.currency_id
        revenue = format_amount(self.env, self.revenue, currency)
        if self.direction == 'up':
            grade = self.proposed_grade_id
            return [self.env._("Meets every criterion of %(grade)s: revenue of 12 months %(revenue)s, "
                               "satisfaction %(satisfaction)s, confirmed conflicts %(conflicts)s.",
                               grade=grade.name, revenue=revenue, satisfaction=self._satisfaction_text(),
                               conflicts=self.conflict_count)]
        grade = self.current_grade_id
        if not grade.active:
            return [self.env._("The grade %s is archived.", grade.name)]
        lines = []
        if self.revenue < grade.min_revenue:
            lines.append(self.env._("Revenue of 12 months %(revenue)s is below the %(minimum)s %(grade)s asks for.",
                                    revenue=revenue, minimum=format_amount(self.env, grade.min_revenue, currency),
                                    grade=grade.name))
        if grade.min_satisfaction > 0 and self.satisfaction_measured and self.satisfaction < grade.min_satisfaction:
            lines.append(self.env._("Satisfaction %(satisfaction)s is below the %(minimum)s %(grade)s asks for.",
                                    satisfaction=self._satisfaction_text(),
                                    minimum=formatLang(self.env, grade.min_satisfaction, digits=2), grade=grade.name))
        if grade.max_conflicts != -1 and self.conflict_count > grade.max_conflicts:
            lines.append(self.env._("%(count)s confirmed conflicts exceed the %(maximum)s %(grade)s tolerates.",
                                    count=self.conflict_count, maximum=grade.max_conflicts, grade=grade.name))
        return lines

    @api.model
    def _direction(self, old_grade, new_grade):
        return grade_direction(old_grade.level if old_grade else None, new_grade.level if new_grade else None)
