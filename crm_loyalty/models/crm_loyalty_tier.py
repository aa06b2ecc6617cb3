from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.segments import level_direction
from .local_day import company_today
from .selections import RELATIONSHIP_LEVELS, TIER_CHANGE_REASONS


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


class CrmLoyaltyTierHistory(models.Model):
    _name = 'crm.loyalty.tier.history'
    _description = 'Loyalty Tier Change'
    _order = 'date desc, id desc'
    _check_company_auto = True

    partner_id = fields.Many2one('res.partner', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, index=True)
    from_tier_id = fields.Many2one('crm.loyalty.tier', string='From Tier', ondelete='set null')
    to_tier_id = fields.Many2one('crm.loyalty.tier', string='To Tier', ondelete='set null')
    date = fields.Date(required=True, default=lambda self: company_today(self.env.company))
    manual = fields.Boolean(help="Set by hand (an override) rather than by the engine.")
    direction = fields.Selection(
        [('up', 'Upgrade'), ('down', 'Downgrade'), ('same', 'Same level')],
        compute='_compute_direction', store=True)
    reason_code = fields.Selection(
        TIER_CHANGE_REASONS, 'Reason Code',
        help="Why the tier changed, kept as a code so that each user reads it in his own language.")
    reason = fields.Char(
        'Reason Given', help="The reason typed by whoever set the tier by hand (a tier override).")
    reason_label = fields.Char(
        'Reason', compute='_compute_reason_label',
        help="Why the tier changed, in your language, with the reason given for an override.")
    user_id = fields.Many2one('res.users', string='Changed By', default=lambda self: self.env.user)

    @api.depends('from_tier_id.min_value', 'to_tier_id.min_value')
    def _compute_direction(self):
        for change in self:
            change.direction = level_direction(
                change.from_tier_id.min_value if change.from_tier_id else None,
                change.to_tier_id.min_value if change.to_tier_id else None)

    @api.depends('reason_code', 'reason')
    @api.depends_context('lang')
    def _compute_reason_label(self):
        labels = dict(self._fields['reason_code']._description_selection(self.env))
        for change in self:
            label, note = labels.get(change.reason_code), (change.reason or '').strip()
            change.reason_label = (self.env._("%(reason)s: %(note)s", reason=label, note=note) if label and note
                                   else label or note or False)
