import random
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..models.access import LOYALTY_MANAGER, check_group


class CrmLoyaltySurveySample(models.TransientModel):
    _name = 'crm.loyalty.survey.sample'
    _description = 'Survey a Sample of Customers'

    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    partner_domain = fields.Char(
        'Customers', required=True, default="[('loyalty_purchase_count_total', '>', 0)]",
        help="Which customers the sample is drawn from, e.g. tier Gold and above, or class A.")
    sample_size = fields.Integer('Sample Size', required=True, default=50)
    exclude_days = fields.Integer(
        'Not Surveyed Since (days)', required=True, default=90,
        help="Customers asked for their satisfaction in the last days are left out.")
    population_count = fields.Integer('Customers Eligible', compute='_compute_population_count')

    def _eligible_domain(self):
        self.ensure_one()
        try:
            domain = self.env['res.partner']._loyalty_parse_domain(self.partner_domain)
        except Exception as error:  # any parse error is the user's invalid domain
            raise UserError(_("The customers' filter is not a valid domain: %s", error)) from error
        since = fields.Datetime.now() - timedelta(days=self.exclude_days)
        self.env['crm.loyalty.feedback'].flush_model(['commercial_partner_id', 'company_id'])
        recent = [partner_id for partner_id, in self.env.execute_query(SQL(
            """SELECT DISTINCT commercial_partner_id FROM crm_loyalty_feedback
                WHERE company_id = %s AND create_date >= %s""", self.company_id.id, since))]
        return expression.AND([domain, self.env['res.partner']._loyalty_contactable_domain(), [
            ('parent_id', '=', False), ('email', '!=', False), ('commercial_partner_id', 'not in', recent)]])

    @api.depends('partner_domain', 'exclude_days', 'company_id')
    def _compute_population_count(self):
        for wizard in self:
            try:
                wizard.population_count = self.env['res.partner'].search_count(wizard._eligible_domain())
            except UserError:
                wizard.population_count = 0

    @api.constrains('sample_size', 'exclude_days')
    def _check_sizes(self):
        for wizard in self:
            if wizard.sample_size <= 0:
                raise UserError(_("The sample needs at least one customer."))
            if wizard.exclude_days < 0:
                raise UserError(_("The number of days cannot be negative."))

    def action_send(self):
        """Send satisfaction requests to a random sample. Loyalty administrators."""
        self.ensure_one()
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can survey a sample of customers."))
        ids = self.env['res.partner'].search(self._eligible_domain()).ids
        if not ids:
            raise UserError(_("No customer matches the filter, or all were surveyed recently."))
        chosen = random.SystemRandom().sample(ids, min(self.sample_size, len(ids)))
        feedbacks = self.env['crm.loyalty.feedback'].create([
            {'partner_id': partner_id, 'company_id': self.company_id.id, 'channel': 'email'}
            for partner_id in chosen])
        sent = feedbacks._send_request()
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {
                'type': 'success', 'sticky': False,
                'message': _("%(sent)s satisfaction requests sent to a random sample of %(eligible)s customers.",
                             sent=len(sent), eligible=len(ids)),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }
