from odoo import api, fields, models

from ..lib.segments import level_direction
from .local_day import company_today
from .selections import TIER_CHANGE_REASONS


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
