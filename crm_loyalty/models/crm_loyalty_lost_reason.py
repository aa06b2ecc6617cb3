from odoo import api, fields, models


class CrmLoyaltyLostReason(models.Model):
    _name = 'crm.loyalty.lost.reason'
    _description = 'Lost Customer Reason'
    _order = 'sequence, name, id'

    name = fields.Char('Reason', required=True, translate=True)
    sequence = fields.Integer('Sequence', default=10)
    active = fields.Boolean('Active', default=True)
    lost_count = fields.Integer('Lost Customers', compute='_compute_lost_count')

    @api.depends_context('company')
    def _compute_lost_count(self):
        counts = dict(self.env['res.partner']._read_group(
            [('loyalty_lost', '=', True), ('loyalty_lost_reason_id', 'in', self.ids)],
            ['loyalty_lost_reason_id'], ['__count']))
        for reason in self:
            reason.lost_count = counts.get(reason, 0)

    def action_view_lost_customers(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_lost_customers')
        action['domain'] = [('loyalty_lost', '=', True), ('loyalty_lost_reason_id', '=', self.id)]
        return action
