from odoo import fields, models

from .selections import ABC_CLASSES, CHURN_RISKS, RFM_SEGMENTS, VALUE_SEGMENTS


class CrmLoyaltySnapshot(models.Model):
    """A customer's standing on one month, kept so that movement can be reported."""
    _name = 'crm.loyalty.snapshot'
    _description = 'Monthly Loyalty Snapshot'
    _order = 'date desc, partner_id'
    _rec_name = 'partner_id'

    partner_id = fields.Many2one('res.partner', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, index=True)
    currency_id = fields.Many2one(related='company_id.currency_id')
    date = fields.Date(required=True, help="The first day of the month.")
    tier_id = fields.Many2one('crm.loyalty.tier', ondelete='set null')
    rfm_segment = fields.Selection(RFM_SEGMENTS)
    abc_class = fields.Selection(ABC_CLASSES)
    value_segment = fields.Selection(VALUE_SEGMENTS)
    churn_risk = fields.Selection(CHURN_RISKS)
    revenue = fields.Monetary(string='Window Revenue')
    purchase_count = fields.Integer(string='Window Purchases')
    clv_predicted = fields.Monetary(string='Predicted Value')

    _sql_constraints = [
        ('partner_month_unique', 'UNIQUE(partner_id, company_id, date)',
         "One snapshot per customer, company and month."),
    ]
