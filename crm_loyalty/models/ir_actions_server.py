from odoo import api, fields, models


class IrActionsServer(models.Model):
    _inherit = 'ir.actions.server'

    state = fields.Selection(selection_add=[
        ('loyalty_feedback', 'Send a Satisfaction Request'),
        ('loyalty_winback', 'Create a Win-back Opportunity'),
    ], ondelete={'loyalty_feedback': 'cascade', 'loyalty_winback': 'cascade'})
    loyalty_team_id = fields.Many2one('crm.team', 'Sales Team', help="The team the win-back opportunity goes to.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get('crm_loyalty_care') and 'model_id' in fields_list:
            # actions created from a care rule act on the customer
            values['model_id'] = self.env['ir.model']._get_id('res.partner')
        return values

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
        partners.env['crm.lead'].create([{
            'name': partners.env._("Win back %s", partner.commercial_partner_id.name),
            'type': 'opportunity',
            'partner_id': partner.commercial_partner_id.id,
            'team_id': (team or partner.user_id.sale_team_id).id or False,
            'user_id': (partner.user_id or team.user_id).id or False,
        } for partner in partners])
        return False
