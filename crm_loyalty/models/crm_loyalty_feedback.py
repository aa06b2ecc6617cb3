import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_date, plaintext2html

from .access import LOYALTY_USER, check_group, check_system_fields, from_code, is_from_code
from .crm_loyalty_engine import loyalty_segment_sql
from .cron_step import call_deadline, step_seconds, write_in_steps
from .local_day import company_day, company_today, company_tz, local_day_sql
from .selections import RFM_SEGMENTS, VALUE_SEGMENTS

SCORES = [
    ('1', 'Very dissatisfied'),
    ('2', 'Dissatisfied'),
    ('3', 'Neither satisfied nor dissatisfied'),
    ('4', 'Satisfied'),
    ('5', 'Very satisfied'),
]
NPS = [(str(i), str(i)) for i in range(11)]
CHANNELS = [('email', 'Email'), ('phone', 'Phone'), ('visit', 'Visit'), ('web', 'Web Page'), ('other', 'Other')]
SATISFACTION_MONTHS = 12
EXPIRY_CRON = 'crm_loyalty.ir_cron_loyalty_feedback_expire'
BATCH_SIZE = 1000   # requests closed per committed batch
ANSWER_FIELDS = frozenset({'score', 'nps', 'comment', 'trust', 'commitment'})
# Set by the request itself, never by hand: its author, link, dates, and the customer's
# standing when he answered.
SYSTEM_FIELDS = frozenset({'user_id', 'access_token', 'request_date', 'expiry_date', 'tier_id', 'rfm_segment',
                           'value_segment'})


class CrmLoyaltyFeedback(models.Model):
    _name = 'crm.loyalty.feedback'
    _description = 'Satisfaction Feedback'
    _inherit = ['mail.thread']
    _order = 'id desc'
    _check_company_auto = True

    partner_id = fields.Many2one('res.partner', 'Customer', required=True, index=True, ondelete='cascade',
                                 tracking=True)
    commercial_partner_id = fields.Many2one(related='partner_id.commercial_partner_id', store=True, index=True)
    company_id = fields.Many2one('res.company', required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one('res.users', 'Requested By', default=lambda self: self.env.user, readonly=True,
                              copy=False)
    state = fields.Selection(
        [('requested', 'Requested'), ('answered', 'Answered'), ('expired', 'Expired')],
        required=True, default='requested', tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default='email')
    score = fields.Selection(SCORES, 'Satisfaction', tracking=True,
                             help="Five levels, from very dissatisfied (1) to very satisfied (5).")
    score_value = fields.Float('Satisfaction (1-5)', compute='_compute_score_value', store=True, aggregator='avg')
    nps = fields.Selection(NPS, 'Would Recommend (0-10)',
                           help="How likely the customer is to recommend you, from 0 (not at all) to 10.")
    nps_category = fields.Selection(
        [('promoter', 'Promoter'), ('passive', 'Passive'), ('detractor', 'Detractor')],
        'Recommendation', compute='_compute_nps', store=True,
        help="Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6.")
    nps_points = fields.Integer(
        'NPS', compute='_compute_nps', store=True, aggregator='avg',
        help="+100 for a promoter, 0 for a passive, -100 for a detractor: their mean over the answers "
             "is the Net Promoter Score.")
    response_rate = fields.Integer(
        'Response Rate (%)', compute='_compute_response_rate', store=True, aggregator='avg',
        help="100 for an answered request, 0 for one still waiting or expired: their mean over the "
             "requests is the share that was answered.")
    trust = fields.Selection(SCORES, 'Trust', help="Relationship quality: how much the customer trusts you.")
    commitment = fields.Selection(SCORES, 'Commitment',
                                  help="Relationship quality: how committed the customer is to the relationship.")
    comment = fields.Text()
    date = fields.Datetime('Answered On')
    request_date = fields.Datetime('Requested On', readonly=True, copy=False)
    expiry_date = fields.Date('Expires On', readonly=True, copy=False)
    access_token = fields.Char(copy=False, readonly=True, index='btree_not_null')
    complaint_id = fields.Many2one('crm.loyalty.complaint', 'After Complaint', index='btree_not_null',
                                   help="The complaint whose handling this answer judges.")
    relationship_questions = fields.Boolean(related='company_id.loyalty_feedback_relationship_questions')
    # the customer's standing when he answered, to report satisfaction and NPS per tier and segment
    tier_id = fields.Many2one('crm.loyalty.tier', 'Tier When Answering', readonly=True, ondelete='set null',
                              copy=False)
    rfm_segment = fields.Selection(RFM_SEGMENTS, 'RFM Segment When Answering', readonly=True, copy=False)
    value_segment = fields.Selection(VALUE_SEGMENTS, 'Value Matrix When Answering', readonly=True, copy=False)

    @api.depends('score')
    def _compute_score_value(self):
        for feedback in self:
            feedback.score_value = int(feedback.score) if feedback.score else 0.0

    @api.depends('nps')
    def _compute_nps(self):
        for feedback in self:
            if not feedback.nps:
                feedback.nps_category = feedback.nps_points = False
                continue
            value = int(feedback.nps)
            feedback.nps_category = 'promoter' if value >= 9 else 'passive' if value >= 7 else 'detractor'
            feedback.nps_points = {'promoter': 100, 'passive': 0, 'detractor': -100}[feedback.nps_category]

    @api.depends('state')
    def _compute_response_rate(self):
        for feedback in self:
            feedback.response_rate = 100 if feedback.state == 'answered' else 0

    @api.depends('partner_id', 'state')
    def _compute_display_name(self):
        states = dict(self._fields['state']._description_selection(self.env))
        for feedback in self:
            feedback.display_name = f"{feedback.partner_id.display_name} ({states.get(feedback.state, '')})"

    @api.model_create_multi
    def create(self, vals_list):
        # before this method fills the token and dates itself (not crm.loyalty.system.fields.mixin)
        check_system_fields(self, vals_list, SYSTEM_FIELDS)
        self._check_channel(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            company = self.env['res.company'].browse(vals.get('company_id')) if vals.get('company_id') \
                else self.env.company
            if vals.get('score'):
                vals.setdefault('state', 'answered')
                vals.setdefault('date', now)
                vals.setdefault('channel', 'phone')
            else:
                vals['state'] = 'requested'
                vals['access_token'] = secrets.token_urlsafe(32)   # 256 bits
                vals['request_date'] = now
                vals['expiry_date'] = company_today(company) + timedelta(
                    days=company.loyalty_feedback_expiry_days)
        feedbacks = super().create(vals_list)
        answered = feedbacks.filtered('score')
        answered._stamp_customer_standing()
        answered._update_partner_satisfaction()
        return feedbacks

    def write(self, vals):
        check_system_fields(self, [vals], SYSTEM_FIELDS)
        self._check_channel([vals])
        if ANSWER_FIELDS & vals.keys() and 'channel' not in vals and not is_from_code(self.env, 'crm_loyalty_page'):
            # an answer recorded by staff closes the customer's page: it was not given there
            super(CrmLoyaltyFeedback, self.filtered(lambda f: f.channel in ('email', 'web'))).write(
                {'channel': 'phone'})
        if vals.get('score') and 'state' not in vals:
            vals = dict(vals, state='answered', date=vals.get('date') or fields.Datetime.now())
        res = super().write(vals)
        if vals.get('score'):
            self._stamp_customer_standing()
        if {'score', 'state', 'partner_id', 'date', 'company_id'} & vals.keys():
            self._update_partner_satisfaction()
        return res

    def _stamp_customer_standing(self):
        for feedback in self:
            customer = feedback.commercial_partner_id.with_company(feedback.company_id)
            feedback.sudo().write({
                'tier_id': customer.loyalty_tier_id.id, 'rfm_segment': customer.rfm_segment,
                'value_segment': customer.value_segment})

    def unlink(self):
        partners = [(f.commercial_partner_id, f.company_id) for f in self if f.score]
        res = super().unlink()
        for partner, company in partners:
            self.browse()._update_partner_satisfaction(partner, company)
        return res

    def _check_channel(self, vals_list):
        """Only the customer's own page records an answer as given on the web page (which
        keeps the page open for him to change it)."""
        if not is_from_code(self.env, 'crm_loyalty_page') and any(
                vals.get('channel') == 'web' for vals in vals_list):
            raise UserError(_("Only the customer answers on the web page: choose how he gave you his answer."))

    @api.constrains('state', 'score')
    def _check_answer(self):
        for feedback in self:
            if feedback.state == 'answered' and not feedback.score:
                raise ValidationError(_("An answered request needs a satisfaction score."))
            if feedback.state == 'requested' and feedback.score:
                raise ValidationError(_("A request still waiting for its answer cannot have a satisfaction score."))

    # --- requests -------------------------------------------------------------------

    @property
    def access_url(self):
        return f'/loyalty/feedback/{self.access_token}'

    def _is_open(self):
        """Whether the customer may still answer (or change his own answer) on the page:
        not once it expired, nor once staff recorded the answer."""
        self.ensure_one()
        return bool(self.access_token
                    and (self.state == 'requested' or (self.state == 'answered' and self.channel == 'web'))
                    and (not self.expiry_date or self.expiry_date >= company_today(self.company_id)))

    def _send_request(self):
        """Email each requested feedback to its customer through the mail queue; customers
        who (or whose company) opted out of care contacts or are blacklisted, or have no
        email, are skipped and the reason is logged on the request."""
        template = self.env.ref('crm_loyalty.mail_template_feedback_request')
        sent = self.browse()
        for feedback in self.filtered(lambda f: f.state == 'requested'):
            partner = feedback.partner_id
            refusal = partner._loyalty_contact_refusal()
            reason = (_("the customer asked not to be contacted") if refusal == 'opt_out'
                      else _("the email address is blacklisted") if refusal == 'blacklisted'
                      else _("the customer has no email address") if not partner.email
                      else None)
            if reason:
                feedback.message_post(body=_("Satisfaction request not sent: %s.", reason))
                continue
            template.send_mail(feedback.id, force_send=False, email_layout_xmlid='mail.mail_notification_light')
            partner._message_log(body=_("Satisfaction request sent (%(link)s).", link=feedback._get_html_link()))
            sent |= feedback
        return sent

    def action_send_request(self):
        """Email the requests to their customers. Loyalty users."""
        check_group(self.env, LOYALTY_USER)
        self.check_access('write')
        if not self._send_request():
            raise UserError(_("No request could be sent: see the reason in the request's history."))
        return True

    def action_expire(self):
        """Close the requests still waiting for an answer."""
        self.filtered(lambda f: f.state == 'requested').write({'state': 'expired'})
        return True

    # --- follow-up of an unhappy answer --------------------------------------------------

    def action_open_complaint(self):
        """Open a complaint for the customer, filled from his answer (or the one already
        opened from it). Loyalty users."""
        self.ensure_one()
        check_group(self.env, LOYALTY_USER)
        self.check_access('read')
        Complaint = self.env['crm.loyalty.complaint']
        complaint = Complaint.search([('source_feedback_id', '=', self.id)], limit=1)
        if not complaint:
            complaint = Complaint.create(self._complaint_values())
            self._message_log(body=_("Complaint %(link)s opened from this answer.", link=complaint._get_html_link()))
        return {
            'type': 'ir.actions.act_window', 'res_model': 'crm.loyalty.complaint', 'res_id': complaint.id,
            'view_mode': 'form', 'views': [(False, 'form')], 'target': 'current',
        }

    def _complaint_values(self):
        comment = (self.comment or '').strip()
        first_line = comment.splitlines()[0] if comment else ''
        return {
            'partner_id': self.partner_id.id,
            'company_id': self.company_id.id,
            'kind': 'complaint',
            'subject': (first_line[:79] + '…' if len(first_line) > 80 else first_line)
            or _("Unhappy satisfaction answer"),
            'description': Markup('<p>%s</p>%s') % (self._answer_summary(),
                                                     plaintext2html(comment) if comment else ''),
            'source_feedback_id': self.id,
        }

    def _answer_summary(self):
        """“Answer of 12/03/2026: Dissatisfied, would recommend 3/10.”, in the user's language."""
        scores = dict(self._fields['score']._description_selection(self.env))
        when = format_date(self.env, company_day(self.company_id, self.date)) if self.date else ''
        if self.nps:
            return _("Answer of %(date)s: %(score)s, would recommend %(nps)s/10.",
                     date=when, score=scores.get(self.score, '—'), nps=self.nps)
        return _("Answer of %(date)s: %(score)s.", date=when, score=scores.get(self.score, '—'))

    def action_schedule_call(self):
        """Schedule a call to the customer about his answer, for his salesperson (else the
        current user). Loyalty users allowed to plan activities on the customer."""
        self.ensure_one()
        check_group(self.env, LOYALTY_USER)
        self.check_access('read')
        try:
            self.partner_id.check_access('write')   # Odoo plans activities for who may edit the record
        except AccessError:
            raise AccessError(_("You may not plan a call on %s: only users who may edit the customer can.",
                                self.partner_id.display_name)) from None
        salesperson = self.commercial_partner_id.user_id
        assignee = salesperson if salesperson.active and not salesperson.share else self.env.user
        summary = _("Call back about the satisfaction answer")
        # the summary of the call planned by anyone, in whatever language he worked in
        summaries = {self.with_context(lang=code).env._("Call back about the satisfaction answer")
                     for code, _name in self.env['res.lang'].get_installed()}
        call = self.env.ref('mail.mail_activity_data_call')
        planned = self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', self.partner_id.id),
            ('activity_type_id', '=', call.id), ('summary', 'in', list(summaries))], limit=1)
        if planned:
            message = _("A call is already planned for %(user)s on %(date)s.",
                        user=planned.user_id.name, date=format_date(self.env, planned.date_deadline))
        else:
            planned = self.partner_id.activity_schedule(
                'mail.mail_activity_data_call', summary=summary, user_id=assignee.id,
                note=Markup('<p>%s</p>%s') % (self._answer_summary(),
                                              plaintext2html(self.comment) if self.comment else ''))
            message = _("Call scheduled for %(user)s on %(date)s.",
                        user=assignee.name, date=format_date(self.env, planned.date_deadline))
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'success', 'message': message, 'sticky': False},
        }

    @api.model
    def _cron_expire_requests(self):
        """Close the requests past their last day, in committed batches; Odoo calls again
        while some are left."""
        write_in_steps(self, self._expired_requests_domain(), {'state': 'expired'}, EXPIRY_CRON, BATCH_SIZE,
                       deadline=call_deadline(self.env, step_seconds()))

    @api.model
    def _expired_requests_domain(self):
        # a request expires at the end of its last day in the company's calendar
        return expression.AND([[('state', '=', 'requested')], expression.OR([
            [('company_id', '=', company.id), ('expiry_date', '<', company_today(company))]
            for company in self.env['res.company'].search([])])])

    def _submit_answer(self, score, nps=None, comment=None, trust=None, commitment=None):
        """The customer's answer from the public page (already validated by the caller)."""
        self.ensure_one()
        from_code(self, 'crm_loyalty_page').write({
            'score': score, 'nps': nps or False, 'comment': comment or False, 'channel': 'web',
            'trust': trust or False, 'commitment': commitment or False,
            'state': 'answered', 'date': fields.Datetime.now(),
        })

    # --- partner figures ------------------------------------------------------------

    def _update_partner_satisfaction(self, partners=None, company=None):
        """Refresh the satisfaction figures of these answers' customers (or of
        ``partners`` in ``company``)."""
        pairs = {}
        if partners is not None:
            pairs.setdefault(company or self.env.company, set()).update(partners.commercial_partner_id.ids)
        for feedback in self:
            pairs.setdefault(feedback.company_id, set()).add(feedback.commercial_partner_id.id)
        self.env.flush_all()
        for pair_company, partner_ids in pairs.items():
            self._update_satisfaction_figures(pair_company, list(partner_ids))
        self.env['res.partner'].invalidate_model(['satisfaction_score', 'satisfaction_date', 'loyalty_segment'])

    @api.model
    def _update_satisfaction_figures(self, company, partner_ids=None):
        """satisfaction_score and satisfaction_date of commercial partners (and their
        contacts) in one statement: mean score of the answers of the last 12 months, or the
        last answer if older; 0 without answer. The loyalty matrix (Dick & Basu) follows.
        Without ``partner_ids``: every customer who ever answered."""
        key = str(company.id)
        since = fields.Datetime.now() - relativedelta(months=SATISFACTION_MONTHS)
        partners = SQL("SELECT unnest(%s::int[])", partner_ids) if partner_ids is not None else SQL(
            "SELECT DISTINCT commercial_partner_id FROM crm_loyalty_feedback WHERE company_id = %s", company.id)
        self.env.cr.execute(SQL(
            """WITH answers AS (
                   SELECT f.commercial_partner_id AS partner_id, f.score::int AS score, f.date
                     FROM crm_loyalty_feedback f
                    WHERE f.company_id = %(company)s AND f.state = 'answered' AND f.score IS NOT NULL
                      AND f.commercial_partner_id IN (%(partners)s)
               ), figures AS (
                   SELECT p.id AS partner_id,
                          COALESCE(
                              (SELECT AVG(a.score) FROM answers a WHERE a.partner_id = p.id AND a.date >= %(since)s),
                              (SELECT a.score FROM answers a WHERE a.partner_id = p.id ORDER BY a.date DESC LIMIT 1),
                              0)::float8 AS score,
                          (SELECT %(day)s FROM answers a WHERE a.partner_id = p.id) AS day
                     FROM (%(partners)s) AS p(id)
               )
               UPDATE res_partner rp SET
                      satisfaction_score = COALESCE(rp.satisfaction_score, '{}'::jsonb)
                                           || jsonb_build_object(%(key)s, ROUND(f.score::numeric, 2)),
                      satisfaction_date = COALESCE(rp.satisfaction_date, '{}'::jsonb)
                                          || jsonb_build_object(%(key)s, f.day),
                      loyalty_segment = COALESCE(rp.loyalty_segment, '{}'::jsonb)
                                        || jsonb_build_object(%(key)s, %(segment)s)
                 FROM figures f
                WHERE rp.commercial_partner_id = f.partner_id""",
            company=company.id, partners=partners, since=since, key=key,
            day=local_day_sql(SQL("MAX(a.date)"), company_tz(company)),
            segment=loyalty_segment_sql(
                company, SQL("f.score"),
                SQL("COALESCE((rp.loyalty_purchase_count ->> %s)::int, 0)", key),
                SQL("COALESCE((rp.loyalty_purchase_count_total ->> %s)::int, 0) > 0", key))))
