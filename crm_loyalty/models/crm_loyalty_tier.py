from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .local_day import company_today
from .selections import (
    ABC_CLASSES,
    CHURN_RISKS,
    RELATIONSHIP_LEVELS,
    RFM_SEGMENTS,
    TIER_CHANGE_REASONS,
    VALUE_SEGMENTS,
)


class CrmLoyaltyTier(models.Model):
    _name = 'crm.loyalty.tier'
    _description = 'Loyalty Tier'
    _order = 'company_id, min_value, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    tier_basis = fields.Selection(related='company_id.loyalty_tier_basis')
    min_value = fields.Float(
        string='Qualifies From', required=True, default=0.0,
        help="A customer holds the highest tier whose threshold his figure reaches: window "
             "revenue, revenue ever or window purchases, as chosen in the settings.")
    relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS, required=True, default='reactive',
        help="The relationship level (Kotler) that customers of this tier get by default.")
    color = fields.Integer()
    benefits = fields.Html(translate=True, help="What customers of this tier are offered.")
    partner_count = fields.Integer(compute='_compute_partner_count', string='Customers')

    def init(self):
        # The database's guard against concurrent duplicates, checked at commit so that
        # the constraint below gives the user its clearer message first.
        self.env.cr.execute("""
            ALTER TABLE crm_loyalty_tier DROP CONSTRAINT IF EXISTS crm_loyalty_tier_min_value_unique;
            ALTER TABLE crm_loyalty_tier ADD CONSTRAINT crm_loyalty_tier_min_value_unique
                UNIQUE (company_id, min_value) DEFERRABLE INITIALLY DEFERRED;
        """)

    @api.constrains('min_value', 'company_id')
    def _check_min_value(self):
        for tier in self:
            if tier.min_value < 0:
                raise ValidationError(_("The threshold of the tier “%(tier)s” cannot be negative.",
                                        tier=tier.name))
            twin = self.with_context(active_test=False).search([
                ('company_id', '=', tier.company_id.id), ('min_value', '=', tier.min_value),
                ('id', '!=', tier.id)], limit=1)
            if twin:
                raise ValidationError(_(
                    "The tiers “%(tier)s” and “%(twin)s” cannot share the threshold %(value)s.",
                    tier=tier.name, twin=twin.name, value=tier.min_value))

    def _compute_partner_count(self):
        counts = dict(self.env['res.partner']._read_group(
            [('loyalty_tier_id', 'in', self.ids)], ['loyalty_tier_id'], ['__count']))
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    def action_view_partners(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        action['domain'] = [('loyalty_tier_id', '=', self.id)]
        action['context'] = {}
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
            before = change.from_tier_id.min_value if change.from_tier_id else -1.0
            after = change.to_tier_id.min_value if change.to_tier_id else -1.0
            change.direction = 'up' if after > before else 'down' if after < before else 'same'

    @api.depends('reason_code', 'reason')
    @api.depends_context('lang')
    def _compute_reason_label(self):
        labels = dict(self._fields['reason_code']._description_selection(self.env))
        for change in self:
            label, note = labels.get(change.reason_code), (change.reason or '').strip()
            change.reason_label = (self.env._("%(reason)s: %(note)s", reason=label, note=note) if label and note
                                   else label or note or False)


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
