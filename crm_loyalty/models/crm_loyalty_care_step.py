"""The "What to do" lines of a care rule: what a loyalty administrator builds without code.

Each line keeps one server action on the customer underneath (``ir.actions.server``,
marked as the line's by ``loyalty_care_step_id``), created, updated and deleted with it and
listed in the rule's ``action_server_ids``: the rule runs its actions as before, and the
lines are only their friendly face. Odoo's own kinds of server actions wherever they can
say it (schedule an activity, send an email, update a field), the addon's where Odoo has
none (a satisfaction request, a win-back opportunity), and a line of Python calling the
addon for a tier override, which needs three fields at once.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import RELATIONSHIP_LEVELS

KINDS = [
    ('activity', 'Schedule an Activity'),
    ('email', 'Send an Email'),
    ('tag_add', 'Add a Tag'),
    ('tag_remove', 'Remove a Tag'),
    ('tier_override', 'Override the Tier'),
    ('relationship_level', 'Set the Relationship Level'),
    ('care_opt_out', 'Stop Care Contacts'),
    ('feedback', 'Send a Satisfaction Request'),
    ('winback', 'Create a Win-back Opportunity'),
]
ASSIGNEES = [
    ('salesperson', "The Customer's Salesperson"),
    ('user', 'A Chosen User'),
    ('team_leader', 'The Sales Team Leader'),
]
# the partner's field each assignee is read from when the activity is scheduled
ASSIGNEE_FIELDS = {'salesperson': 'user_id', 'team_leader': 'loyalty_team_leader_id'}


class CrmLoyaltyCareStep(models.Model):
    _name = 'crm.loyalty.care.step'
    _description = 'Care Rule Line'
    _order = 'sequence, id'
    _check_company_auto = True

    rule_id = fields.Many2one('crm.loyalty.care.rule', 'Care Rule', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one(related='rule_id.company_id', store=True, index=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(KINDS, 'What to Do', required=True, default='activity')
    summary = fields.Char('Description', compute='_compute_summary')

    activity_type_id = fields.Many2one(
        'mail.activity.type', 'Activity Type', ondelete='restrict',
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'res.partner')]")
    activity_summary = fields.Char('Activity Summary')
    activity_days = fields.Integer(
        'Due In (days)', default=0, help="Days after the rule acts that the activity is due: 0 for the same day.")
    activity_assignee = fields.Selection(
        ASSIGNEES, 'Assigned To', default='salesperson',
        help="The customer's salesperson, or the leader of the salesperson's sales team, when the rule acts; "
             "without one, the activity goes to the user the rule runs as.")
    activity_user_id = fields.Many2one('res.users', 'User', domain="[('share', '=', False)]")
    template_id = fields.Many2one(
        'mail.template', 'Email Template', domain="[('model', '=', 'res.partner')]",
        help="An email template on contacts. The email is queued and leaves with Odoo's outgoing mail.")
    tag_id = fields.Many2one('res.partner.category', 'Tag', ondelete='cascade')
    tier_id = fields.Many2one('crm.loyalty.tier', 'Tier', check_company=True, ondelete='cascade')
    override_reason = fields.Char('Reason', help="Why the customer holds this tier, shown with his tier.")
    override_days = fields.Integer(
        'For (days)', default=0,
        help="The override ends this many days after the rule acts and the computed tier applies again; "
             "0: no end.")
    relationship_level = fields.Selection(RELATIONSHIP_LEVELS, 'Relationship Level')
    team_id = fields.Many2one(
        'crm.team', 'Sales Team', check_company=True,
        help="The team the opportunity goes to; empty: the salesperson's team.")
    action_server_id = fields.Many2one(
        'ir.actions.server', 'Server Action', compute='_compute_action_server_id', compute_sudo=True,
        groups='base.group_system', help="The server action the line keeps underneath; the rule runs it.")

    @api.depends('kind', 'activity_type_id', 'activity_summary', 'activity_days', 'activity_assignee',
                 'activity_user_id', 'template_id', 'tag_id', 'tier_id', 'override_reason', 'override_days',
                 'relationship_level', 'team_id')
    def _compute_summary(self):
        assignees = dict(self._fields['activity_assignee']._description_selection(self.env))
        levels = dict(self._fields['relationship_level']._description_selection(self.env))
        for step in self:
            step.summary = step._describe(assignees, levels)

    def _describe(self, assignees, levels):
        """What the line does, in a sentence of the user's language."""
        if self.kind == 'activity':
            what = self.activity_summary or self.activity_type_id.name or _("An activity")
            whom = (self.activity_user_id.name if self.activity_assignee == 'user'
                    else assignees.get(self.activity_assignee, ''))
            return _("%(what)s, due in %(days)s days, for %(whom)s", what=what, days=self.activity_days, whom=whom)
        if self.kind == 'tier_override':
            days = _("for %s days", self.override_days) if self.override_days else _("with no end")
            return _("Tier %(tier)s %(days)s: %(reason)s", tier=self.tier_id.name or "", days=days,
                     reason=self.override_reason or "")
        return {
            'email': lambda: _("Email “%s”", self.template_id.name or ""),
            'tag_add': lambda: _("Add the tag “%s”", self.tag_id.name or ""),
            'tag_remove': lambda: _("Remove the tag “%s”", self.tag_id.name or ""),
            'relationship_level': lambda: _("Relationship level: %s", levels.get(self.relationship_level, "")),
            'care_opt_out': lambda: _("No more care contacts to the customer"),
            'feedback': lambda: _("Ask the customer for his satisfaction by email"),
            'winback': lambda: (_("Opportunity for the team %s", self.team_id.name) if self.team_id
                                else _("Opportunity for the salesperson's team")),
        }.get(self.kind, lambda: "")()

    def _compute_action_server_id(self):
        actions = self.env['ir.actions.server'].search([('loyalty_care_step_id', 'in', self.ids)])
        by_step = {action.loyalty_care_step_id.id: action.id for action in actions}
        for step in self:
            step.action_server_id = by_step.get(step.id, False)

    @api.constrains('kind', 'activity_type_id', 'activity_assignee', 'activity_user_id', 'activity_days',
                    'template_id', 'tag_id', 'tier_id', 'override_reason', 'override_days', 'relationship_level')
    def _check_kind_values(self):
        for step in self:
            missing = {
                'activity': (not step.activity_type_id
                             or (step.activity_assignee == 'user' and not step.activity_user_id)),
                'email': not step.template_id,
                'tag_add': not step.tag_id,
                'tag_remove': not step.tag_id,
                'tier_override': not step.tier_id or not (step.override_reason or '').strip(),
                'relationship_level': not step.relationship_level,
            }.get(step.kind)
            if missing:
                kinds = dict(self._fields['kind']._description_selection(self.env))
                raise ValidationError(_("The line “%(kind)s” of the care rule “%(rule)s” is not complete.",
                                        kind=kinds[step.kind], rule=step.rule_id.name))
            if step.activity_days < 0 or step.override_days < 0:
                raise ValidationError(_("The days of a line of the care rule “%s” cannot be negative.",
                                        step.rule_id.name))
            if step.template_id and step.template_id.model != 'res.partner':
                raise ValidationError(_("The email template “%s” is not a template for contacts.",
                                        step.template_id.name))

    # --- the server action underneath -------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # before the lines rewrite any server action: a rule that runs code is not changed by its lines
        self.env['crm.loyalty.care.rule'].browse({vals.get('rule_id') for vals in vals_list} - {None})\
            ._check_code_rights()
        steps = super().create(vals_list)
        steps._sync_server_actions()
        steps.rule_id._steps_changed()
        return steps

    def write(self, vals):
        rules = self.rule_id
        rules._check_code_rights()
        res = super().write(vals)
        self._sync_server_actions()
        (rules | self.rule_id)._steps_changed()
        return res

    def unlink(self):
        rules = self.rule_id
        rules._steps_changed()      # the user's rights to change the rule, before anything goes
        self.sudo().action_server_id.unlink()
        return super().unlink()

    def _sync_server_actions(self):
        """Create or update each line's server action (as superuser: loyalty administrators
        do not edit server actions themselves, the line does it for them)."""
        Server = self.env['ir.actions.server'].sudo()
        existing = {action.loyalty_care_step_id.id: action
                    for action in Server.search([('loyalty_care_step_id', 'in', self.ids)])}
        to_create = []
        for step in self:
            vals = step._server_action_vals()
            if step.id in existing:
                existing[step.id].write(vals)
            else:
                to_create.append({**vals, 'loyalty_care_step_id': step.id})
        Server.create(to_create)

    def _server_action_vals(self):
        """The server action that does what the line says, on the customer."""
        self.ensure_one()
        vals = {
            'name': f"{self.rule_id.name}: {self.summary}"[:200],
            'model_id': self.env['ir.model']._get_id('res.partner'),
            'usage': 'ir_actions_server',
            'binding_model_id': False,
            'sequence': self.sequence,
        }
        kind = self.kind
        if kind == 'activity':
            vals.update({
                'state': 'next_activity', 'activity_type_id': self.activity_type_id.id,
                'activity_summary': self.activity_summary or self.activity_type_id.summary or False,
                'activity_date_deadline_range': self.activity_days, 'activity_date_deadline_range_type': 'days',
                'activity_user_type': 'specific' if self.activity_assignee == 'user' else 'generic',
                'activity_user_id': self.activity_user_id.id if self.activity_assignee == 'user' else False,
                'activity_user_field_name': ASSIGNEE_FIELDS.get(self.activity_assignee, 'user_id'),
            })
        elif kind == 'email':
            vals.update({'state': 'mail_post', 'mail_post_method': 'email', 'template_id': self.template_id.id})
        elif kind in ('tag_add', 'tag_remove'):
            vals.update(self._object_write_vals('category_id', {
                'update_m2m_operation': 'add' if kind == 'tag_add' else 'remove',
                'value': str(self.tag_id.id), 'resource_ref': f'res.partner.category,{self.tag_id.id}'}))
        elif kind == 'relationship_level':
            vals.update(self._object_write_vals('relationship_level', {'value': self.relationship_level}))
        elif kind == 'care_opt_out':
            vals.update(self._object_write_vals('care_opt_out', {'update_boolean_value': 'true'}))
        elif kind == 'tier_override':
            vals.update({'state': 'code', 'code': self._server_action_code()})
        elif kind == 'feedback':
            vals.update({'state': 'loyalty_feedback'})
        elif kind == 'winback':
            vals.update({'state': 'loyalty_winback', 'loyalty_team_id': self.team_id.id})
        return vals

    @staticmethod
    def _object_write_vals(field_name, values):
        return {'state': 'object_write', 'update_path': field_name, 'evaluation_type': 'value', **values}

    def _server_action_code(self):
        """The Python of the lines that Odoo's kinds of actions cannot say: a call of the
        addon with the line's values as literals. The rule lets loyalty administrators run
        an action of code only while it is exactly this."""
        self.ensure_one()
        if self.kind != 'tier_override':
            return False
        return (f"model._loyalty_care_override_tier(records, tier_id={self.tier_id.id}, "
                f"reason={(self.override_reason or '')!r}, days={self.override_days})\n")
