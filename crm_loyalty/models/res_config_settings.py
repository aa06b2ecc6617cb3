from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools.misc import format_amount

from .access import LOYALTY_MANAGER, check_group
from .local_day import company_today


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
    loyalty_feedback_expiry_days = fields.Integer(
        related='company_id.loyalty_feedback_expiry_days', readonly=False)
    loyalty_feedback_relationship_questions = fields.Boolean(
        related='company_id.loyalty_feedback_relationship_questions', readonly=False)
    loyalty_snapshot_backfill_months = fields.Integer(
        related='company_id.loyalty_snapshot_backfill_months', readonly=False)
    loyalty_channel_manager_id = fields.Many2one(
        related='company_id.loyalty_channel_manager_id', readonly=False)
    loyalty_contract_reminder_days = fields.Integer(
        related='company_id.loyalty_contract_reminder_days', readonly=False)
    loyalty_complaint_sla_low = fields.Integer(related='company_id.loyalty_complaint_sla_low', readonly=False)
    loyalty_complaint_sla_medium = fields.Integer(related='company_id.loyalty_complaint_sla_medium', readonly=False)
    loyalty_complaint_sla_high = fields.Integer(related='company_id.loyalty_complaint_sla_high', readonly=False)
    loyalty_complaint_sla_critical = fields.Integer(
        related='company_id.loyalty_complaint_sla_critical', readonly=False)
    loyalty_clv_fit_summary = fields.Html(compute='_compute_loyalty_clv_fit_summary', sanitize=False)
    loyalty_clv_backtest_summary = fields.Html(compute='_compute_loyalty_clv_backtest_summary', sanitize=False)

    @api.depends('company_id')
    def _compute_loyalty_clv_fit_summary(self):
        for settings in self:
            fit = settings.company_id.sudo().loyalty_clv_fit or {}
            if not fit:
                settings.loyalty_clv_fit_summary = _("Not computed yet.")
                continue
            lines = [_("Last computed for %(date)s: %(customers)s customers, %(repeat)s of them repeat buyers.",
                       date=fit.get('date'), customers=fit.get('customers'), repeat=fit.get('repeat_customers'))]
            if fit.get('median_revenue') is not None:
                lines.append(_("Median window revenue %(revenue)s; median interval between purchases %(days)s days.",
                               revenue=format_amount(self.env, fit['median_revenue'], settings.company_id.currency_id),
                               days=round(fit.get('median_interval') or 0)))
            models = (('bgnbd', _("Purchases model (BG/NBD)")), ('gamma_gamma', _("Spend model (Gamma-Gamma)")))
            for key, label in models:
                params = ", ".join(f"{name} = {value:.4g}" for name, value in (fit.get(key) or {}).items())
                state = _("fitted") if fit.get(f'{key}_fitted') else _("baseline: %s", fit.get(f'{key}_reason'))
                lines.append(f"{label}: {params} ({state})")
            settings.loyalty_clv_fit_summary = Markup("<br/>").join(lines)

    @api.depends('company_id')
    def _compute_loyalty_clv_backtest_summary(self):
        for settings in self:
            settings.loyalty_clv_backtest_summary = settings.company_id.sudo().loyalty_clv_backtest_html

    def action_loyalty_backtest(self):
        """Check the predictions now: backtest of the lifetime value models on the company's
        own history. Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can check the predictions."))
        company = self.env.company     # the settings' company
        self.env['crm.loyalty.engine'].sudo()._backtest(company, company_today(company))
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_loyalty_recompute(self):
        """Run the nightly recompute now, in the background. Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can recompute the loyalty figures."))
        # a new run of the day for every company, even one whose nightly run is done
        for company in self.env['res.company'].sudo().search([]):
            self.env['crm.loyalty.engine.run'].sudo()._restart(company, company_today(company))
        self.env.ref('crm_loyalty.ir_cron_loyalty_recompute').sudo()._trigger()
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'info', 'sticky': False,
                       'message': _("The loyalty figures are being recomputed in the background.")},
        }

    def action_loyalty_backfill(self):
        """Build the monthly snapshots of the company's past months now, in the background.
        Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can build past snapshots."))
        company = self.env.company     # the settings' company
        self.env['crm.loyalty.engine'].sudo()._start_backfill(company)
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'info', 'sticky': False,
                       'message': _("The snapshots of the past %s months are being built in the background.",
                                    company.loyalty_snapshot_backfill_months)},
        }
