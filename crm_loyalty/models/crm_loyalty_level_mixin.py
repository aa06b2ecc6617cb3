from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class CrmLoyaltyLevelMixin(models.AbstractModel):
    """What loyalty tiers and channel grades share: the ordered levels of a company, each
    ranked by a field (``_level_rank``: a tier's threshold, a grade's level) that no other
    level of the company has, archived or not."""
    _name = 'crm.loyalty.level.mixin'
    _description = 'Loyalty Level'
    _check_company_auto = True
    _level_rank = None      # the field that ranks the levels of a company

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    color = fields.Integer()
    benefits = fields.Html(translate=True)
    partner_count = fields.Integer(compute='_compute_partner_count', string='Members')

    def init(self):
        if self._abstract:
            return
        # The database's guard against concurrent duplicates, checked at commit so that
        # the constraint below gives the user its clearer message first.
        self.env.cr.execute(SQL(
            """ALTER TABLE %(table)s DROP CONSTRAINT IF EXISTS %(constraint)s;
               ALTER TABLE %(table)s ADD CONSTRAINT %(constraint)s
                   UNIQUE (company_id, %(rank)s) DEFERRABLE INITIALLY DEFERRED""",
            table=SQL.identifier(self._table), rank=SQL.identifier(self._level_rank),
            constraint=SQL.identifier(f'{self._table}_{self._level_rank}_unique')))

    @api.constrains('name')
    def _check_level_name(self):
        for level in self:
            if not (level.name or '').strip():
                raise ValidationError(level._level_error('blank_name'))

    @api.constrains(lambda self: [name for name in ('company_id', self._level_rank) if name])
    def _check_level_rank(self):
        for level in self:
            twin = self.with_context(active_test=False).search([
                ('company_id', '=', level.company_id.id), (self._level_rank, '=', level[self._level_rank]),
                ('id', '!=', level.id)], limit=1)
            if twin:
                raise ValidationError(level._level_error('shared_rank', twin=twin))

    def _level_error(self, error, twin=None):
        """The message of ``error`` (``blank_name``, ``shared_rank`` with ``twin``) in the
        words of the model (a tier's threshold, a grade's level)."""
        raise NotImplementedError

    def _compute_partner_count(self):
        raise NotImplementedError
