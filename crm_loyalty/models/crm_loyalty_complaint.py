from odoo import fields, models


class CrmLoyaltyComplaint(models.Model):
    _name = 'crm.loyalty.complaint'
    _description = 'Complaint or Suggestion'

    name = fields.Char()
    partner_id = fields.Many2one('res.partner')
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)


class CrmLoyaltyComplaintCategory(models.Model):
    _name = 'crm.loyalty.complaint.category'
    _description = 'Complaint Category'

    name = fields.Char(required=True, translate=True)


class CrmLoyaltyLostReason(models.Model):
    _name = 'crm.loyalty.lost.reason'
    _description = 'Lost Customer Reason'

    name = fields.Char(required=True, translate=True)
