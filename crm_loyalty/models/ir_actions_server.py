from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .access import is_from_code


class IrActionsServer(models.Model):
    _inherit = 'ir.actions.server'

    state = fields.Selection(selection_add=[
        ('loyalty_feedback', 'Send a Satisfaction Request'),
        ('loyalty_winback', 'Create a Win-back Opportunity'),
    ], ondelete={'loyalty_feedback': 'cascade', 'loyalty_winback': 'cascade'})
    loyalty_team_id = fields.Many2one('crm.team', 'Sales Team', help="The team the win-back opportunity goes to.")
    loyalty_care_step_id = fields.Many2one(
        'crm.loyalty.care.step', 'Care Rule Line', ondelete='cascade', index='btree_not_null', readonly=True,
        copy=False, help="The line of a care rule this action does the work of: it is changed and deleted with it.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get('crm_loyalty_care') and 'model_id' in fields_list:
            # actions created from a care rule act on the customer
            values['model_id'] = self.env['ir.model']._get_id('res.partner')
        return values

    def _run_action_next_activity_multi(self, eval_context=None):
        """Odoo's "schedule an activity", on all the records at once for a care rule's batch
        of customers: one creation per assigned user rather than one per record. Any other
        run goes, record by record, through Odoo's own runner as Odoo would call it."""
        if not is_from_code(self.env, 'crm_loyalty_care_batch'):
            return self._loyalty_per_record('_run_action_next_activity', eval_context)
        if not self.activity_type_id or not self._context.get('active_id') or self._is_recompute():
            return False
        records = self.env[self.model_name].browse(self._context.get('active_ids', self._context.get('active_id')))
        vals = {
            'summary': self.activity_summary or '',
            'note': self.activity_note or '',
            'activity_type_id': self.activity_type_id.id,
        }
        if self.activity_date_deadline_range > 0:
            vals['date_deadline'] = fields.Date.context_today(self) + relativedelta(**{
                self.activity_date_deadline_range_type or 'days': self.activity_date_deadline_range})
        by_user = {}
        for record in records:
            user = self.env['res.users']
            if self.activity_user_type == 'specific':
                user = self.activity_user_id
            elif self.activity_user_type == 'generic' and self.activity_user_field_name in record:
                user = record[self.activity_user_field_name]
            by_user.setdefault(user.id, []).append(record.id)
        # each activity computes its record's name on its own (mail.activity._compute_res_name):
        # the batch's names at once, rather than a query per customer
        records.mapped('display_name')
        for user_id, ids in by_user.items():
            records.browse(ids).activity_schedule(**vals, **({'user_id': user_id} if user_id else {}))
        return False

    def _run_action_object_write_multi(self, eval_context=None):
        """Odoo's "update the record", on all the records at once for a care rule's batch of
        customers when it writes a value on the customer himself: one write. Any other run
        goes, record by record, through Odoo's own runner as Odoo would call it."""
        if (not is_from_code(self.env, 'crm_loyalty_care_batch') or self.evaluation_type != 'value'
                or not self.update_path or '.' in self.update_path or self._context.get('onchange_self')):
            return self._loyalty_per_record('_run_action_object_write', eval_context)
        self._loyalty_partners(eval_context).write({self.update_field_id.name: self._eval_value()[self.id]})
        return False

    def _loyalty_per_record(self, runner, eval_context):
        """Odoo's dispatch of a runner that has no ``_multi`` (``ir.actions.server.run``):
        once per active record, with that record's context. ``runner``: the runner's name."""
        res = False
        active_id = self._context.get('active_id')
        if not active_id and self._context.get('onchange_self'):
            active_id = self._context['onchange_self']._origin.id
            if not active_id:  # onchange on a new record
                res = getattr(self, runner)(eval_context=eval_context)
        records = eval_context.get('record') or eval_context['model']
        for record_id in self._context.get('active_ids', [active_id] if active_id else []):
            run_self = self.with_context(active_ids=[record_id], active_id=record_id)
            eval_context['env'].context = run_self._context
            eval_context['records'] = eval_context['record'] = records.browse(record_id)
            res = getattr(run_self, runner)(eval_context=eval_context)
        return res

    def _loyalty_partners(self, eval_context):
        """The customers the action runs on, in the environment of the user who runs it
        (Odoo calls the runners on the action in superuser mode)."""
        return eval_context.get('records') or eval_context['model']

    def _run_action_loyalty_feedback_multi(self, eval_context=None):
        partners = self._loyalty_partners(eval_context)
        requests = partners.env['crm.loyalty.feedback'].create([
            {'partner_id': partner.id, 'channel': 'email'} for partner in partners])
        requests._send_request()
        return False

    def _run_action_loyalty_winback_multi(self, eval_context=None):
        partners = self._loyalty_partners(eval_context)
        team = self.loyalty_team_id
        rule_name = self.sudo().loyalty_care_step_id.rule_id.name    # a rule line's: named after the rule
        partners.env['crm.lead'].create([{
            'name': (partners.env._("%(rule)s: %(customer)s", rule=rule_name,
                                    customer=partner.commercial_partner_id.name) if rule_name
                     else partners.env._("Win back %s", partner.commercial_partner_id.name)),
            'type': 'opportunity',
            'partner_id': partner.commercial_partner_id.id,
            'team_id': (team or partner.user_id.sale_team_id).id or False,
            'user_id': (partner.user_id or team.user_id).id or False,
        } for partner in partners])
        return False
