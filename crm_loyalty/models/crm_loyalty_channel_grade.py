from odoo import api, fields, models


class CrmLoyaltyChannelGrade(models.Model):
    """A grade of channel partners (e.g. Gold distributor): what qualifies for it and
    what it gives."""
    _name = 'crm.loyalty.channel.grade'
    _description = 'Channel Partner Grade'
    _order = 'company_id, level, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    level = fields.Integer(
        required=True, default=1,
        help="The rank of the grade: the higher the level, the better the grade.")
    color = fields.Integer()
    min_revenue = fields.Monetary(
        'Annual Volume From', currency_field='currency_id',
        help="Revenue of the last 12 months through the channel partner (his own purchases "
             "and those of the partners he serves) needed for the grade.")
    min_satisfaction = fields.Float(
        'Satisfaction From', digits=(3, 2),
        help="Satisfaction score (1 to 5) needed for the grade; 0 = not required.")
    max_conflicts = fields.Integer(
        'Conflicts at Most', default=-1,
        help="Confirmed channel conflicts caused in the last 12 months that the grade "
             "tolerates; -1 = no limit.")
    pricelist_id = fields.Many2one(
        'product.pricelist', 'Pricelist', check_company=True,
        help="The pricelist that members of the grade buy at.")
    benefits = fields.Html(translate=True)
    partner_count = fields.Integer(compute='_compute_partner_count', string='Members')

    def _compute_partner_count(self):
        counts = dict(self.env['res.partner']._read_group(
            [('channel_grade_id', 'in', self.ids)], ['channel_grade_id'], ['__count']))
        for grade in self:
            grade.partner_count = counts.get(grade, 0)


class ResPartner(models.Model):
    _inherit = 'res.partner'

    channel_grade_id = fields.Many2one(
        'crm.loyalty.channel.grade', 'Channel Grade', company_dependent=True, copy=False, tracking=True,
        help="The grade of the channel partner, proposed by the grade review and accepted by a manager.")
