from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SLA_HELP = "Hours from the creation of a complaint of this severity to its deadline."


class ResCompany(models.Model):
    _inherit = 'res.company'  # pylint: disable=consider-merging-classes-inherited

    loyalty_complaint_sla_low = fields.Integer(
        string='Low Severity SLA (hours)', required=True, default=168, help=SLA_HELP)
    loyalty_complaint_sla_medium = fields.Integer(
        string='Medium Severity SLA (hours)', required=True, default=72, help=SLA_HELP)
    loyalty_complaint_sla_high = fields.Integer(
        string='High Severity SLA (hours)', required=True, default=24, help=SLA_HELP)
    loyalty_complaint_sla_critical = fields.Integer(
        string='Critical Severity SLA (hours)', required=True, default=4, help=SLA_HELP)

    @api.constrains('loyalty_complaint_sla_low', 'loyalty_complaint_sla_medium',
                    'loyalty_complaint_sla_high', 'loyalty_complaint_sla_critical')
    def _check_loyalty_complaint_sla(self):
        for company in self:
            if min(company._loyalty_complaint_sla_hours().values()) <= 0:
                raise ValidationError(_("A complaint deadline must be at least one hour after its creation."))

    def _loyalty_complaint_sla_hours(self):
        """Hours allowed to handle a complaint, by severity."""
        self.ensure_one()
        return {
            'low': self.loyalty_complaint_sla_low,
            'medium': self.loyalty_complaint_sla_medium,
            'high': self.loyalty_complaint_sla_high,
            'critical': self.loyalty_complaint_sla_critical,
        }


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'  # pylint: disable=consider-merging-classes-inherited

    loyalty_complaint_sla_low = fields.Integer(related='company_id.loyalty_complaint_sla_low', readonly=False)
    loyalty_complaint_sla_medium = fields.Integer(related='company_id.loyalty_complaint_sla_medium', readonly=False)
    loyalty_complaint_sla_high = fields.Integer(related='company_id.loyalty_complaint_sla_high', readonly=False)
    loyalty_complaint_sla_critical = fields.Integer(
        related='company_id.loyalty_complaint_sla_critical', readonly=False)
