from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, is_html_empty

from .cron_step import call_deadline, step_seconds, write_in_steps

OPEN_STATES = ('new', 'in_progress')
SLA_CRON = 'crm_loyalty.ir_cron_complaint_sla'
BATCH_SIZE = 1000   # complaints flagged per committed batch
# The SLA's deadline and the handling times: computed, never set by hand (the SLA check
# flags breaches in superuser mode).
SYSTEM_FIELDS = frozenset({'deadline', 'date_resolved', 'date_closed', 'resolution_hours', 'sla_breached'})
# The moves a complaint may make; anything else is refused, from the buttons as from the kanban.
STATE_TRANSITIONS = {
    'new': {'in_progress', 'resolved', 'cancelled'},
    'in_progress': {'resolved', 'cancelled'},
    'resolved': {'closed', 'in_progress'},
    'closed': set(),
    'cancelled': {'new'},
}


class CrmLoyaltyComplaint(models.Model):
    _name = 'crm.loyalty.complaint'
    _description = 'Complaint or Suggestion'
    _inherit = ['crm.loyalty.system.fields.mixin', 'mail.thread', 'mail.activity.mixin']
    _loyalty_system_fields = SYSTEM_FIELDS
    _order = 'id desc'
    _check_company_auto = True
    _rec_names_search = ['name', 'subject', 'partner_id']

    name = fields.Char(
        'Reference', required=True, readonly=True, copy=False, index='trigram',
        default=lambda self: _('New'))
    subject = fields.Char('Subject', required=True, tracking=True)
    kind = fields.Selection(
        [('complaint', 'Complaint'), ('suggestion', 'Suggestion')], string='Kind',
        required=True, default='complaint', tracking=True)
    partner_id = fields.Many2one(
        'res.partner', 'Customer', required=True, index=True, tracking=True, check_company=True,
        help="The customer, or the contact of the customer, who made the complaint or suggestion.")
    commercial_partner_id = fields.Many2one(
        related='partner_id.commercial_partner_id', string='Customer Company', store=True, index=True,
        help="The customer the complaint counts for: the company of the contact who made it.")
    category_id = fields.Many2one(
        'crm.loyalty.complaint.category', 'Category', check_company=True, tracking=True)
    severity = fields.Selection(
        [('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')],
        string='Severity', required=True, default='medium', tracking=True,
        help="Sets the deadline: each severity has its own time to handle (SLA) in the settings.")
    user_id = fields.Many2one(
        'res.users', 'Owner', tracking=True, default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]")
    company_id = fields.Many2one(
        'res.company', 'Company', required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [('new', 'New'), ('in_progress', 'In Progress'), ('resolved', 'Resolved'),
         ('closed', 'Closed'), ('cancelled', 'Cancelled')],
        string='Status', required=True, default='new', copy=False, tracking=True, index=True,
        group_expand='_read_group_expand_states')
    description = fields.Html('Description')
    resolution = fields.Html('Resolution', copy=False, help="What was done for the customer. Required to resolve.")
    root_cause = fields.Selection(
        [('product', 'Product quality'), ('service', 'Service'), ('delivery', 'Delivery'),
         ('price', 'Price or billing'), ('communication', 'Communication'), ('staff', 'Staff behaviour'),
         ('process', 'Internal process'), ('customer', 'Customer side'), ('other', 'Other')],
        string='Root Cause', tracking=True,
        help="Where the problem came from, once analysed: the basis of the root cause reports.")
    sale_order_id = fields.Many2one(
        'sale.order', 'Related Order', check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id), ('company_id', '=', company_id)]")
    deadline = fields.Datetime(
        'Deadline', compute='_compute_deadline', store=True, index=True,
        help="Creation time plus the time to handle (SLA) of the severity, set in the settings.")
    date_resolved = fields.Datetime('Resolved On', compute='_compute_date_resolved', store=True, copy=False)
    date_closed = fields.Datetime('Closed On', compute='_compute_date_closed', store=True, copy=False)
    resolution_hours = fields.Float(
        'Resolution Time (hours)', compute='_compute_resolution_hours', store=True, aggregator='avg',
        digits=(16, 1), help="Hours from the creation of the complaint to its resolution. In the reports, its "
                                "mean counts the resolved complaints only.")
    sla_overdue = fields.Boolean(
        'Overdue', compute='_compute_sla_status',
        help="Still open past its deadline, at this very moment.")
    sla_status = fields.Char(
        'Time to Deadline', compute='_compute_sla_status',
        help="While the complaint is open: the time left before its deadline, or how long it is overdue. "
             "Once resolved: whether it was resolved in time, or how late.")
    sla_breached = fields.Boolean(
        'SLA Breached', compute='_compute_sla_breached', store=True, copy=False,
        help="Resolved after its deadline, or still open past it. Open complaints are checked every hour.")
    ask_feedback = fields.Boolean(
        'Ask for Feedback', default=True,
        help="When the complaint is closed, ask the customer by email whether he is satisfied "
             "with how it was handled.")
    source_feedback_id = fields.Many2one(
        'crm.loyalty.feedback', 'From Satisfaction Answer', readonly=True, copy=False, index='btree_not_null',
        help="The unhappy satisfaction answer this complaint was opened from.")
    feedback_ids = fields.One2many('crm.loyalty.feedback', 'complaint_id', 'Satisfaction Requests')
    feedback_count = fields.Integer('Satisfaction Request Count', compute='_compute_feedback_count')
    color = fields.Integer('Color')

    @api.model
    def _read_group_expand_states(self, states, domain):
        return [state for state in self._fields['state'].get_values(self.env) if state != 'cancelled']

    @api.depends('create_date', 'severity', 'company_id')
    def _compute_deadline(self):
        for complaint in self:
            if not (complaint.severity and complaint.company_id):
                complaint.deadline = False
                continue
            hours = complaint.company_id._loyalty_complaint_sla_hours()[complaint.severity]
            complaint.deadline = (complaint.create_date or fields.Datetime.now()) + timedelta(hours=hours)

    @api.depends('state')
    def _compute_date_resolved(self):
        for complaint in self:
            if complaint.state in OPEN_STATES:
                complaint.date_resolved = False
            elif complaint.state in ('resolved', 'closed') and not complaint.date_resolved:
                complaint.date_resolved = fields.Datetime.now()

    @api.depends('state')
    def _compute_date_closed(self):
        for complaint in self:
            if complaint.state != 'closed':
                complaint.date_closed = False
            elif not complaint.date_closed:
                complaint.date_closed = fields.Datetime.now()

    @api.depends('create_date', 'date_resolved')
    def _compute_resolution_hours(self):
        for complaint in self:
            if complaint.create_date and complaint.date_resolved:
                elapsed = complaint.date_resolved - complaint.create_date
                complaint.resolution_hours = max(elapsed.total_seconds(), 0) / 3600
            else:
                complaint.resolution_hours = 0

    @api.depends('state', 'deadline', 'date_resolved')
    def _compute_sla_breached(self):
        """The verdict is final once resolved; open complaints past their deadline are also
        flagged by the hourly cron, between two changes of the complaint."""
        now = fields.Datetime.now()
        for complaint in self:
            end = complaint.date_resolved or now
            complaint.sla_breached = (
                complaint.state != 'cancelled' and bool(complaint.deadline) and end > complaint.deadline)

    @api.depends('state', 'deadline', 'date_resolved')
    def _compute_sla_status(self):
        """Hours left or overdue, as of now: never stored, so it is always current."""
        now = fields.Datetime.now()
        for complaint in self:
            complaint.sla_overdue = False
            complaint.sla_status = False
            if not complaint.deadline or complaint.state == 'cancelled':
                continue
            if complaint.state in OPEN_STATES:
                hours_left = (complaint.deadline - now).total_seconds() / 3600
                complaint.sla_overdue = hours_left < 0
                complaint.sla_status = (complaint._sla_phrase(-hours_left, 'overdue') if hours_left < 0
                                        else complaint._sla_phrase(hours_left, 'left'))
            elif complaint.date_resolved:
                hours_late = (complaint.date_resolved - complaint.deadline).total_seconds() / 3600
                complaint.sla_status = (complaint._sla_phrase(hours_late, 'late') if hours_late > 0
                                        else _("Resolved in time"))

    def _sla_phrase(self, hours, kind):
        """“45 min left”, “5 h overdue”, “3 days late”: minutes under an hour, hours under two
        days, days beyond (rounded)."""
        minutes = round(hours * 60)
        if minutes < 60:
            minutes = max(minutes, 1)
            return {'left': _("%(minutes)s min left", minutes=minutes),
                    'overdue': _("%(minutes)s min overdue", minutes=minutes),
                    'late': _("Resolved %(minutes)s min late", minutes=minutes)}[kind]
        if minutes < 48 * 60:
            hours = round(minutes / 60)
            return {'left': _("%(hours)s h left", hours=hours),
                    'overdue': _("%(hours)s h overdue", hours=hours),
                    'late': _("Resolved %(hours)s h late", hours=hours)}[kind]
        days = round(minutes / (24 * 60))
        return {'left': _("%(days)s days left", days=days),
                'overdue': _("%(days)s days overdue", days=days),
                'late': _("Resolved %(days)s days late", days=days)}[kind]

    @api.depends('feedback_ids')
    def _compute_feedback_count(self):
        counts = dict(self.env['crm.loyalty.feedback']._read_group(
            [('complaint_id', 'in', self.ids)], ['complaint_id'], ['__count']))
        for complaint in self:
            complaint.feedback_count = counts.get(complaint, 0)

    @api.onchange('partner_id')
    def _onchange_partner_id(self):
        if self.sale_order_id and self.sale_order_id.partner_id.commercial_partner_id != self.commercial_partner_id:
            self.sale_order_id = False

    @api.constrains('state', 'resolution')
    def _check_resolution(self):
        for complaint in self:
            if complaint.state in ('resolved', 'closed') and is_html_empty(complaint.resolution):
                raise ValidationError(_(
                    "Describe the resolution of %(complaint)s before resolving or closing it.",
                    complaint=complaint.name))

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        # the mean resolution time is over the resolved complaints: the open ones have none yet
        if aggregate_spec == 'resolution_hours:avg':
            return SQL("AVG(%s) FILTER (WHERE %s IS NOT NULL)",
                       self._field_to_sql(self._table, 'resolution_hours', query),
                       self._field_to_sql(self._table, 'date_resolved', query))
        return super()._read_group_select(aggregate_spec, query)

    # --- CRUD -------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('name', _('New')) == _('New'):
                company = self.env['res.company'].browse(vals.get('company_id')) or self.env.company
                vals['name'] = self.env['ir.sequence'].with_company(company).next_by_code(
                    'crm.loyalty.complaint') or _('New')
        complaints = super().create(vals_list)
        complaints._update_partner_complaint_counts(complaints._complaint_count_keys())
        return complaints

    def write(self, vals):
        closing = self.browse()
        if 'state' in vals:
            self._check_state_transition(vals['state'])
            if vals['state'] == 'closed':
                closing = self.filtered(lambda c: c.state != 'closed')
        counted = {'state', 'partner_id', 'company_id'} & vals.keys()
        keys_before = self._complaint_count_keys() if counted else set()
        res = super().write(vals)
        if counted:
            self._update_partner_complaint_counts(keys_before | self._complaint_count_keys())
        closing._send_feedback_requests()
        return res

    def unlink(self):
        keys = self._complaint_count_keys()
        res = super().unlink()
        self._update_partner_complaint_counts(keys)
        return res

    def _check_state_transition(self, new_state):
        labels = dict(self._fields['state']._description_selection(self.env))
        for complaint in self:
            if complaint.state != new_state and new_state not in STATE_TRANSITIONS[complaint.state]:
                raise UserError(_(
                    "%(complaint)s cannot go from %(from_state)s to %(to_state)s.",
                    complaint=complaint.name, from_state=labels[complaint.state], to_state=labels[new_state]))

    # --- Open complaints on the customer ----------------------------------------------

    def _complaint_count_keys(self):
        return {(complaint.company_id.id, complaint.commercial_partner_id.id) for complaint in self}

    @api.model
    def _update_partner_complaint_counts(self, keys):
        """Store the number of open complaints of each (company, commercial partner) of
        ``keys`` on the commercial partner and its contacts: one UPDATE per company."""
        partners_by_company = defaultdict(set)
        for company_id, partner_id in keys:
            if company_id and partner_id:
                partners_by_company[company_id].add(partner_id)
        if not partners_by_company:
            return
        self.flush_model(['state', 'company_id', 'commercial_partner_id'])
        self.env['res.partner'].flush_model(['commercial_partner_id', 'complaint_open_count'])
        for company_id, partner_ids in partners_by_company.items():
            # open complaints per commercial partner, 0 for those that have none left
            self.env.execute_query(SQL(
                """UPDATE res_partner p
                      SET complaint_open_count = COALESCE(p.complaint_open_count, '{}'::jsonb)
                                                 || jsonb_build_object(%(key)s, COALESCE(c.open_count, 0))
                     FROM unnest(%(partner_ids)s::int[]) AS t(partner_id)
                     LEFT JOIN (SELECT commercial_partner_id, COUNT(*) AS open_count
                                  FROM crm_loyalty_complaint
                                 WHERE company_id = %(company_id)s
                                   AND state IN %(states)s
                                   AND commercial_partner_id = ANY(%(partner_ids)s)
                                 GROUP BY commercial_partner_id) c ON c.commercial_partner_id = t.partner_id
                    WHERE p.commercial_partner_id = t.partner_id""",
                key=str(company_id), company_id=company_id, states=OPEN_STATES, partner_ids=sorted(partner_ids)))
        self.env['res.partner'].invalidate_model(['complaint_open_count'])

    # --- Feedback after closing -------------------------------------------------------

    def _send_feedback_requests(self):
        """Ask the customers whether they are satisfied with how their complaint was handled."""
        for complaint in self.filtered('ask_feedback'):
            self.env['crm.loyalty.feedback'].create({
                'partner_id': complaint.partner_id.id,
                'company_id': complaint.company_id.id,
                'complaint_id': complaint.id,
                'channel': 'email',
            })._send_request()

    # --- Actions ----------------------------------------------------------------------

    def action_start(self):
        self.write({'state': 'in_progress'})
        return True

    def action_resolve(self):
        self.write({'state': 'resolved'})
        return True

    def action_close(self):
        self.write({'state': 'closed'})
        return True

    def action_reopen(self):
        self.write({'state': 'in_progress'})
        return True

    def action_cancel(self):
        self.write({'state': 'cancelled'})
        return True

    def action_reset(self):
        self.write({'state': 'new'})
        return True

    def action_view_feedback(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_feedback')
        action['domain'] = [('complaint_id', '=', self.id)]
        action['context'] = {'create': False}
        return action

    @api.model
    def _cron_flag_sla_breaches(self):
        """Flag the open complaints that went past their deadline since their last change,
        in committed batches; Odoo calls again while some are left."""
        write_in_steps(self, [('state', 'in', OPEN_STATES), ('deadline', '<', fields.Datetime.now()),
                              ('sla_breached', '=', False)],
                       {'sla_breached': True}, SLA_CRON, BATCH_SIZE, deadline=call_deadline(self.env, step_seconds()))

    def _track_subtype(self, init_values):
        self.ensure_one()
        if 'state' in init_values and self.state == 'resolved':
            return self.env.ref('crm_loyalty.mt_complaint_resolved')
        return super()._track_subtype(init_values)
