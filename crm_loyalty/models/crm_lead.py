from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = 'crm.lead'

    channel_served_by_ids = fields.Many2many(
        'res.partner', compute='_compute_channel_served_by_ids', string='Territory Distributors',
        help="The channel partners whose territory covers the lead's address: who should serve it.")

    @api.depends('country_id', 'state_id', 'zip', 'company_id')
    def _compute_channel_served_by_ids(self):
        Territory = self.env['crm.loyalty.territory'].sudo()
        for lead in self:
            if not (lead.country_id or lead.state_id or lead.zip):
                lead.channel_served_by_ids = False
                continue
            territories = Territory._lookup(lead.country_id, lead.state_id, lead.zip,
                                            company=lead.company_id or self.env.company)
            lead.channel_served_by_ids = territories.distributor_ids
