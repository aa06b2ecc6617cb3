from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = 'res.company'  # pylint: disable=consider-merging-classes-inherited

    loyalty_channel_manager_id = fields.Many2one(
        'res.users', string='Channel Manager',
        help="Reviews channel conflicts and distributor grades, and renews distribution "
             "contracts. Empty: the salesperson of the distributor concerned.")
    loyalty_contract_reminder_days = fields.Integer(
        string='Contract Renewal Notice (days)', required=True, default=60,
        help="A renewal activity is planned this many days before a distribution contract ends.")

    @api.constrains('loyalty_contract_reminder_days')
    def _check_loyalty_contract_reminder_days(self):
        if any(company.loyalty_contract_reminder_days < 0 for company in self):
            raise ValidationError(_("The contract renewal notice cannot be negative."))


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'  # pylint: disable=consider-merging-classes-inherited

    loyalty_channel_manager_id = fields.Many2one(
        related='company_id.loyalty_channel_manager_id', readonly=False)
    loyalty_contract_reminder_days = fields.Integer(
        related='company_id.loyalty_contract_reminder_days', readonly=False)
