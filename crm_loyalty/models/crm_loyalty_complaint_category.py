from odoo import fields, models


class CrmLoyaltyComplaintCategory(models.Model):
    _name = 'crm.loyalty.complaint.category'
    _description = 'Complaint Category'
    _order = 'sequence, name, id'

    name = fields.Char('Name', required=True, translate=True)
    sequence = fields.Integer('Sequence', default=10)
    active = fields.Boolean('Active', default=True)
    company_id = fields.Many2one(
        'res.company', 'Company', index=True,
        help="Leave empty to share the category between all companies.")
    color = fields.Integer('Color')
