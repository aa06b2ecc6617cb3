from odoo import fields, models


class CrmLoyaltyFeedback(models.Model):
    _name = 'crm.loyalty.feedback'
    _description = 'Satisfaction Feedback'

    partner_id = fields.Many2one('res.partner', required=True)
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
