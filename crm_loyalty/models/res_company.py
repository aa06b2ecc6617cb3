from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_amount, formatLang

MAX_BACKFILL_MONTHS = 120
SLA_HELP = "Hours from the creation of a complaint of this severity to its deadline."


def _percent(env, share):
    """A share (0.123) as the reader reads a percentage: "12.3 %"."""
    return formatLang(env, 100 * share, digits=1) + " %"


class ResCompany(models.Model):
    _inherit = 'res.company'

    loyalty_purchase_source = fields.Selection(
        [('sale', 'Confirmed sale orders'), ('invoice', 'Posted customer invoices')],
        string='Purchases Come From', required=True, default='sale',
        help="What counts as a purchase: a confirmed sale order, or a posted customer "
             "invoice net of its refunds.")
    loyalty_window_months = fields.Integer(
        string='Scoring Window (months)', required=True, default=12,
        help="Purchases of the last N months make the window figures (purchase count, "
             "revenue) that scores, segments and tiers are computed from.")
    loyalty_tier_basis = fields.Selection(
        [('revenue', 'Revenue in the scoring window'),
         ('revenue_total', 'Revenue ever'),
         ('purchase_count', 'Purchases in the scoring window')],
        string='Tiers Qualify On', required=True, default='revenue',
        help="The figure compared with each tier's threshold.")
    loyalty_tier_grace_days = fields.Integer(
        string='Downgrade Grace Period (days)', required=True, default=30,
        help="A customer whose figure falls below his tier keeps it this many days before "
             "being downgraded. Upgrades apply at once.")
    loyalty_abc_a_percent = fields.Float(
        string='Class A Share of Revenue (%)', required=True, default=80.0,
        help="Customers ranked by window revenue: those making up the first N % of "
             "revenue are class A (the customer who crosses N % included).")
    loyalty_abc_b_percent = fields.Float(
        string='Classes A+B Share of Revenue (%)', required=True, default=95.0,
        help="Customers after class A up to this cumulated share of revenue are class B; "
             "the rest are class C.")
    loyalty_attitude_threshold = fields.Float(
        string='High Attitude From Satisfaction', required=True, default=4.0,
        help="A satisfaction score (1 to 5) at or above this value counts as a high "
             "relative attitude in the loyalty matrix (Dick & Basu).")
    loyalty_repeat_threshold = fields.Integer(
        string='High Repeat From Purchases', required=True, default=2,
        help="Purchases in the scoring window at or above this number count as high "
             "repeat patronage in the loyalty matrix (Dick & Basu).")
    loyalty_long_relationship_months = fields.Integer(
        string='Long Relationship From (months)', required=True, default=24,
        help="A relationship at least this old counts as long in the value matrix "
             "(Reinartz & Kumar).")
    loyalty_churn_medium_ratio = fields.Float(
        string='Medium Churn Risk From', required=True, default=1.5,
        help="Days since the last purchase divided by the customer's usual interval "
             "between purchases: from this ratio on, the churn risk is medium.")
    loyalty_churn_high_ratio = fields.Float(
        string='High Churn Risk From', required=True, default=3.0,
        help="From this ratio on, the churn risk is high.")
    loyalty_clv_horizon_months = fields.Integer(
        string='Lifetime Value Horizon (months)', required=True, default=12,
        help="How far ahead the predicted customer lifetime value and purchases look.")
    loyalty_contact_cap = fields.Integer(
        string='Care Contacts at Most', required=True, default=3,
        help="At most this many care contacts to one customer, across all care rules, "
             "within the period below. Activities for staff do not count.")
    loyalty_contact_cap_days = fields.Integer(
        string='Care Contact Period (days)', required=True, default=30,
        help="The period of the care contact cap.")
    loyalty_feedback_expiry_days = fields.Integer(
        string='Feedback Requests Expire After (days)', required=True, default=30,
        help="A satisfaction request can be answered (and the answer changed) for this many days.")
    loyalty_feedback_relationship_questions = fields.Boolean(
        string='Relationship Quality Questions',
        help="Also ask customers how much they trust you and how committed they are to the relationship.")
    loyalty_snapshot_backfill_months = fields.Integer(
        string='Past Months of Snapshots', required=True, default=24,
        help="On install, and with Build Past Snapshots, the monthly snapshots of this many months "
             "before the current one are built from the sales history (for the trend and tier "
             "migration reports); snapshots already there are kept.")
    loyalty_clv_fit = fields.Json(
        string='Lifetime Value Model', copy=False, readonly=True, groups='crm_loyalty.group_loyalty_user',
        help="The last BG/NBD and Gamma-Gamma fit of the company, with the population figures.")
    loyalty_clv_backtest = fields.Json(
        string='Prediction Quality', copy=False, readonly=True, groups='crm_loyalty.group_loyalty_user',
        help="The last backtest: the models fitted on the history up to a calibration day, their predictions "
             "for the days since against what the customers really bought, and the grade.")
    loyalty_clv_backtest_html = fields.Html(
        'Prediction Quality Report', compute='_compute_loyalty_clv_backtest_html', sanitize=False,
        groups='crm_loyalty.group_loyalty_user')

    # --- Complaints ------------------------------------------------------------------
    loyalty_complaint_sla_low = fields.Integer(
        string='Low Severity SLA (hours)', required=True, default=168, help=SLA_HELP)
    loyalty_complaint_sla_medium = fields.Integer(
        string='Medium Severity SLA (hours)', required=True, default=72, help=SLA_HELP)
    loyalty_complaint_sla_high = fields.Integer(
        string='High Severity SLA (hours)', required=True, default=24, help=SLA_HELP)
    loyalty_complaint_sla_critical = fields.Integer(
        string='Critical Severity SLA (hours)', required=True, default=4, help=SLA_HELP)

    # --- Channel ---------------------------------------------------------------------
    loyalty_channel_manager_id = fields.Many2one(
        'res.users', string='Channel Manager',
        help="Reviews channel conflicts and distributor grades, and renews distribution "
             "contracts. Empty: the salesperson of the distributor concerned.")
    loyalty_contract_reminder_days = fields.Integer(
        string='Contract Renewal Notice (days)', required=True, default=60,
        help="A renewal activity is planned this many days before a distribution contract ends.")

    @api.constrains('loyalty_window_months', 'loyalty_tier_grace_days',
                    'loyalty_long_relationship_months', 'loyalty_clv_horizon_months',
                    'loyalty_repeat_threshold', 'loyalty_contact_cap', 'loyalty_contact_cap_days',
                    'loyalty_feedback_expiry_days', 'loyalty_snapshot_backfill_months')
    def _check_loyalty_periods(self):
        for company in self:
            if company.loyalty_window_months <= 0:
                raise ValidationError(_("The scoring window must be at least one month."))
            if company.loyalty_tier_grace_days < 0:
                raise ValidationError(_("The downgrade grace period cannot be negative."))
            if company.loyalty_long_relationship_months <= 0:
                raise ValidationError(_("A long relationship must last at least one month."))
            if company.loyalty_clv_horizon_months <= 0:
                raise ValidationError(_("The lifetime value horizon must be at least one month."))
            if company.loyalty_repeat_threshold < 1:
                raise ValidationError(_("High repeat patronage needs at least one purchase."))
            if company.loyalty_contact_cap < 0:
                raise ValidationError(_("The care contact cap cannot be negative."))
            if company.loyalty_contact_cap_days <= 0:
                raise ValidationError(_("The care contact period must be at least one day."))
            if company.loyalty_feedback_expiry_days <= 0:
                raise ValidationError(_("Feedback requests must stay open at least one day."))
            if not 1 <= company.loyalty_snapshot_backfill_months <= MAX_BACKFILL_MONTHS:
                raise ValidationError(_("The past months of snapshots are between 1 and %s.", MAX_BACKFILL_MONTHS))

    @api.constrains('loyalty_abc_a_percent', 'loyalty_abc_b_percent')
    def _check_loyalty_abc_percents(self):
        for company in self:
            if not 0 < company.loyalty_abc_a_percent < company.loyalty_abc_b_percent <= 100:
                raise ValidationError(_(
                    "The ABC shares must satisfy 0 < class A (%(a)s %%) < classes A+B "
                    "(%(b)s %%) ≤ 100.",
                    a=company.loyalty_abc_a_percent, b=company.loyalty_abc_b_percent))

    @api.constrains('loyalty_attitude_threshold')
    def _check_loyalty_attitude_threshold(self):
        for company in self:
            if not 1 <= company.loyalty_attitude_threshold <= 5:
                raise ValidationError(_("The attitude threshold is a satisfaction score between 1 and 5."))

    @api.constrains('loyalty_churn_medium_ratio', 'loyalty_churn_high_ratio')
    def _check_loyalty_churn_ratios(self):
        for company in self:
            if not 0 < company.loyalty_churn_medium_ratio < company.loyalty_churn_high_ratio:
                raise ValidationError(_(
                    "The churn risk ratios must satisfy 0 < medium (%(medium)s) < high (%(high)s).",
                    medium=company.loyalty_churn_medium_ratio,
                    high=company.loyalty_churn_high_ratio))

    @api.depends('loyalty_clv_backtest')
    def _compute_loyalty_clv_backtest_html(self):
        for company in self:
            company.loyalty_clv_backtest_html = company._loyalty_backtest_html()

    def _loyalty_backtest_html(self):
        """The last backtest in words and a chart of predicted against actual purchases per
        decile of the prediction (the settings and the Prediction Quality report show it)."""
        self.ensure_one()
        test, currency = self.loyalty_clv_backtest, self.currency_id
        if not test:
            return _("Not checked yet: the check runs with each nightly recompute once customers bought "
                     "before the calibration day.")
        rules = {'A': _("the model beats the naive baseline per customer and predicts the total within 15 %."),
                 'B': _("the model beats the naive baseline per customer, or predicts the total within 25 %."),
                 'C': _("the model does neither of these: do not act on its predictions.")}

        lines = [
            Markup("<strong>%s</strong>") % _("Grade %(grade)s: %(rule)s", grade=test['grade'],
                                               rule=rules[test['grade']]),
            _("Fitted on the history up to %(end)s (%(customers)s customers), checked on the %(days)s days since "
              "(to %(date)s).", end=test['calibration_end'], customers=test['customers'],
              days=round(test['holdout']), date=test['date']),
            _("Purchases predicted %(predicted)s, actual %(actual)s (error %(error)s).",
              predicted=formatLang(self.env, test['predicted'], digits=0),
              actual=formatLang(self.env, test['actual'], digits=0), error=_percent(self.env, test['error'])),
            _("Mean absolute error per customer %(model)s purchases; naive baseline (each customer keeps his past "
              "rate) %(naive)s.", model=formatLang(self.env, test['mae'], digits=2),
              naive=formatLang(self.env, test['mae_naive'], digits=2)),
        ]
        if 'predicted_revenue' in test:
            lines.append(_("Revenue predicted %(predicted)s, actual %(actual)s (error %(error)s).",
                           predicted=format_amount(self.env, test['predicted_revenue'], currency),
                           actual=format_amount(self.env, test['actual_revenue'], currency),
                           error=_percent(self.env, test['revenue_error'])))
        peak = max([d['predicted'] for d in test['deciles']] + [d['actual'] for d in test['deciles']] + [1e-9])
        bars = Markup('').join(
            Markup('<tr><td class="pe-2 text-end">%s</td><td style="width: 16em">'
                   '<div class="bg-primary" style="height: 0.5em; width: %s%%" title="%s"></div>'
                   '<div class="bg-success mt-1" style="height: 0.5em; width: %s%%" title="%s"></div></td></tr>')
            % (index, round(100 * d['predicted'] / peak, 1), formatLang(self.env, d['predicted'], digits=2),
               round(100 * d['actual'] / peak, 1), formatLang(self.env, d['actual'], digits=2))
            for index, d in enumerate(test['deciles'], start=1))
        caption = _("Purchases per customer by decile of the prediction: predicted (upper bar), actual "
                    "(lower bar, green).")
        chart = Markup('<table class="o_loyalty_backtest_chart mt-2"><caption class="small">%s</caption>%s</table>'
                       ) % (caption, bars)
        return Markup("<br/>").join(lines) + chart

    def _loyalty_prediction_quality_action(self):
        """The Prediction Quality report of the current company."""
        return {
            'type': 'ir.actions.act_window', 'name': self.env._("Prediction Quality"),
            'res_model': 'res.company', 'res_id': self.env.company.id, 'view_mode': 'form',
            'views': [(self.env.ref('crm_loyalty.view_company_prediction_quality').id, 'form')],
            'target': 'current',
        }

    @api.constrains('loyalty_contract_reminder_days')
    def _check_loyalty_contract_reminder_days(self):
        if any(company.loyalty_contract_reminder_days < 0 for company in self):
            raise ValidationError(_("The contract renewal notice cannot be negative."))

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
