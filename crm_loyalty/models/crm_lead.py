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

    # --- Referrals (the relationship value of res.partner) ---------------------------------

    loyalty_referred_by_id = fields.Many2one(
        'res.partner', 'Referred By Customer', index='btree_not_null',
        help="The customer who recommended you: the customer of this opportunity is recorded as referred by "
             "him, unless already referred by someone.")

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._loyalty_pass_referrer()
        return leads

    def write(self, vals):
        res = super().write(vals)
        if {'loyalty_referred_by_id', 'partner_id'} & vals.keys():
            self._loyalty_pass_referrer()
        return res

    def _loyalty_pass_referrer(self):
        """The lead's referrer becomes its customer's (his company's), when he has none yet
        and the user may change him."""
        for lead in self.filtered(lambda lead: lead.loyalty_referred_by_id and lead.partner_id):
            customer = lead.partner_id.commercial_partner_id
            referrer = lead.loyalty_referred_by_id
            if (not customer.loyalty_referred_by_id and referrer.commercial_partner_id != customer
                    and customer._filtered_access('write')):
                customer.loyalty_referred_by_id = referrer
