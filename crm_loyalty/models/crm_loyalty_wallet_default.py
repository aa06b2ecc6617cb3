from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class CrmLoyaltyWalletDefault(models.Model):
    """A company's default share-of-wallet estimate for the customers of a category: what
    such a customer spends a year on what the company sells, with it and its competitors.
    The engine uses it for a customer whose salesperson entered no estimate of his own."""
    _name = 'crm.loyalty.wallet.default'
    _description = 'Default Wallet Estimate per Customer Category'
    _order = 'company_id, category_id'
    _check_company_auto = True

    company_id = fields.Many2one('res.company', required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    category_id = fields.Many2one(
        'res.partner.category', 'Customer Tag', required=True, ondelete='cascade',
        help="The customers tagged so get this estimate, unless their salesperson entered one. A customer "
             "with several such tags gets the largest.")
    amount = fields.Monetary(
        'Annual Wallet', required=True,
        help="What a customer of this tag spends a year on what you sell, with you and your competitors.")

    _sql_constraints = [
        ('company_category_unique', 'UNIQUE(company_id, category_id)',
         "One default wallet estimate per customer tag and company."),
    ]

    @api.constrains('amount')
    def _check_amount(self):
        for default in self:
            if default.amount <= 0:
                raise ValidationError(_("The annual wallet of the tag “%(tag)s” must be positive.",
                                        tag=default.category_id.name))
