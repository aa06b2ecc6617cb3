"""Channel partner grades.

A grade (e.g. Gold distributor) asks for an annual volume through the channel, a
satisfaction and few conflicts, and may give a pricelist. The monthly grade review
(crm_loyalty_channel_grade_review.py) proposes the grade each partner meets.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyChannelGrade(models.Model):
    """A grade of channel partners (e.g. Gold distributor): what qualifies for it and
    what it gives."""
    _name = 'crm.loyalty.channel.grade'
    _inherit = 'crm.loyalty.level.mixin'
    _description = 'Channel Partner Grade'
    _order = 'company_id, level, id'
    _level_rank = 'level'

    level = fields.Integer(
        required=True, default=1,
        help="The rank of the grade: the higher the level, the better the grade. Two grades "
             "of a company cannot share a level.")
    min_revenue = fields.Monetary(
        'Annual Volume From', currency_field='currency_id',
        help="Revenue of the last 12 months through the channel partner (his own confirmed "
             "orders and those of the partners he serves, untaxed) needed for the grade.")
    min_satisfaction = fields.Float(
        'Satisfaction From', digits=(3, 2),
        help="Satisfaction score (1 to 5) needed for the grade; 0 = not required.")
    max_conflicts = fields.Integer(
        'Conflicts at Most', default=-1,
        help="Confirmed channel conflicts caused in the last 12 months that the grade "
             "tolerates; -1 = no limit.")
    conflicts_limit = fields.Char('Conflicts Tolerated', compute='_compute_conflicts_limit')
    pricelist_id = fields.Many2one(
        'product.pricelist', 'Pricelist', check_company=True,
        help="The pricelist that members of the grade buy at. It is set on the partner when "
             "he enters the grade (or when the grade changes its pricelist) and replaced by the "
             "next grade's, or removed, when his grade changes; a pricelist chosen by hand on the "
             "partner that is no grade's is kept.")
    partner_count = fields.Integer(string='Members')

    def _level_error(self, error, twin=None):
        if error == 'blank_name':
            return _("Give the channel grade a name.")
        return _("The grades “%(grade)s” and “%(twin)s” cannot share the level %(level)s.",
                 grade=self.name, twin=twin.name, level=self.level)

    @api.depends('max_conflicts')
    def _compute_conflicts_limit(self):
        for grade in self:
            grade.conflicts_limit = (_("No limit") if grade.max_conflicts == -1
                                     else _("%s at most", grade.max_conflicts))

    @api.constrains('min_revenue', 'min_satisfaction', 'max_conflicts')
    def _check_criteria(self):
        for grade in self:
            if grade.min_revenue < 0:
                raise ValidationError(_("The annual volume of the grade “%(grade)s” cannot be negative.",
                                        grade=grade.name))
            if not 0 <= grade.min_satisfaction <= 5:
                raise ValidationError(_(
                    "The satisfaction of the grade “%(grade)s” must lie between 0 (not required) and 5.",
                    grade=grade.name))
            if grade.max_conflicts < -1:
                raise ValidationError(_(
                    "The conflicts tolerated by the grade “%(grade)s” cannot be below -1 (no limit).",
                    grade=grade.name))

    def write(self, vals):
        if 'pricelist_id' not in vals:
            return super().write(vals)
        before = {grade.id: grade.pricelist_id for grade in self}
        res = super().write(vals)
        for grade in self.filtered(lambda grade: grade.pricelist_id != before[grade.id]):
            members = self.env['res.partner'].with_company(grade.company_id).search(
                [('channel_grade_id', '=', grade.id)])
            members._channel_apply_grade_pricelist(replaced=before[grade.id])
        return res

    def _compute_partner_count(self):
        for company, grades in self.grouped('company_id').items():
            counts = dict(self.env['res.partner'].with_company(company)._read_group(
                [('channel_grade_id', 'in', grades.ids)], ['channel_grade_id'], ['__count']))
            for grade in grades:
                grade.partner_count = counts.get(grade, 0)

    def action_view_partners(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_distributors')
        action['domain'] = [('channel_role', '!=', False), ('channel_grade_id', '=', self.id)]
        action['context'] = {'default_channel_role': 'distributor', 'default_is_company': True}
        return action
