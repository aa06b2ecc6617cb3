from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import RELATIONSHIP_LEVELS


class CrmLoyaltyTier(models.Model):
    _name = 'crm.loyalty.tier'
    _inherit = 'crm.loyalty.level.mixin'
    _description = 'Loyalty Tier'
    _order = 'company_id, min_value, id'
    _level_rank = 'min_value'

    tier_basis = fields.Selection(related='company_id.loyalty_tier_basis')
    min_value = fields.Float(
        string='Qualifies From', required=True, default=0.0,
        help="A customer holds the highest tier whose threshold his figure reaches: window "
             "revenue, revenue ever or window purchases, as chosen in the settings.")
    relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS, required=True, default='reactive',
        help="The relationship level (Kotler) that customers of this tier get by default.")
    benefits = fields.Html(help="What customers of this tier are offered.")
    partner_count = fields.Integer(string='Customers')

    @api.constrains('min_value')
    def _check_min_value(self):
        for tier in self:
            if tier.min_value < 0:
                raise ValidationError(_("The threshold of the tier “%(tier)s” cannot be negative.",
                                        tier=tier.name))

    def _level_error(self, error, twin=None):
        if error == 'blank_name':
            return _("Give the tier a name.")
        return _("The tiers “%(tier)s” and “%(twin)s” cannot share the threshold %(value)s.",
                 tier=self.name, twin=twin.name, value=self.min_value)

    def _compute_partner_count(self):
        """The customers of the tier's company who hold it (as the dashboard counts them)."""
        counts = {}
        for company, tiers in self.grouped('company_id').items():
            Partner = self.env['res.partner'].with_company(company)
            counts.update(Partner._read_group(
                [*Partner._loyalty_customer_domain(), ('loyalty_tier_id', 'in', tiers.ids)],
                ['loyalty_tier_id'], ['__count']))
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    def action_view_partners(self):
        """The tier's customers, its filters shown in the search bar."""
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        action['context'] = {'res_partner_search_mode': 'customer', 'search_default_loyalty_customer': 1,
                             'search_default_loyalty_tier_id': self.id}
        return action
