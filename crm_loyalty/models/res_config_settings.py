from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    loyalty_purchase_source = fields.Selection(
        related='company_id.loyalty_purchase_source', readonly=False)
    loyalty_window_months = fields.Integer(
        related='company_id.loyalty_window_months', readonly=False)
    loyalty_tier_basis = fields.Selection(
        related='company_id.loyalty_tier_basis', readonly=False)
    loyalty_tier_grace_days = fields.Integer(
        related='company_id.loyalty_tier_grace_days', readonly=False)
    loyalty_abc_a_percent = fields.Float(
        related='company_id.loyalty_abc_a_percent', readonly=False)
    loyalty_abc_b_percent = fields.Float(
        related='company_id.loyalty_abc_b_percent', readonly=False)
    loyalty_attitude_threshold = fields.Float(
        related='company_id.loyalty_attitude_threshold', readonly=False)
    loyalty_repeat_threshold = fields.Integer(
        related='company_id.loyalty_repeat_threshold', readonly=False)
    loyalty_long_relationship_months = fields.Integer(
        related='company_id.loyalty_long_relationship_months', readonly=False)
    loyalty_churn_medium_ratio = fields.Float(
        related='company_id.loyalty_churn_medium_ratio', readonly=False)
    loyalty_churn_high_ratio = fields.Float(
        related='company_id.loyalty_churn_high_ratio', readonly=False)
    loyalty_clv_horizon_months = fields.Integer(
        related='company_id.loyalty_clv_horizon_months', readonly=False)
    loyalty_contact_cap = fields.Integer(
        related='company_id.loyalty_contact_cap', readonly=False)
    loyalty_contact_cap_days = fields.Integer(
        related='company_id.loyalty_contact_cap_days', readonly=False)
