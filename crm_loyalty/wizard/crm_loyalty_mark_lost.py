from odoo import fields, models


class CrmLoyaltyMarkLost(models.TransientModel):
    _name = 'crm.loyalty.mark.lost'
    _description = 'Mark a Customer Lost'

    partner_id = fields.Many2one('res.partner', required=True)
