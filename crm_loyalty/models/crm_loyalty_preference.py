from odoo import fields, models

PREFERENCE_KINDS = [
    ('product', 'Favourite Product'),
    ('category', 'Favourite Category'),
    ('basket', 'Usual Order'),
]


class CrmLoyaltyPreference(models.Model):
    """What a customer usually buys from a company, from his purchase history: his
    favourite products and product categories (the most days bought, two at least, ties
    kept) and the products of his usual order (the same products bought together on most
    days, two at least). Written by the engine only (``crm.loyalty.engine._build_preferences``),
    in bulk, so without the log columns: their two foreign keys to the users were checked on
    every row of a first build for nothing (the engine is their only author)."""
    _name = 'crm.loyalty.preference'
    _description = "Customer's Usual Purchase"
    _order = 'company_id, partner_id, kind, rank, id'
    _rec_name = 'product_id'
    _log_access = False

    partner_id = fields.Many2one('res.partner', 'Customer', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, index=True, ondelete='cascade')
    kind = fields.Selection(PREFERENCE_KINDS, required=True)
    product_id = fields.Many2one('product.product', 'Product', ondelete='cascade')
    category_id = fields.Many2one('product.category', 'Product Category', ondelete='cascade')
    rank = fields.Integer(help="1 = bought on the most days; equal products share a rank.")
    purchase_count = fields.Integer(
        'Days Bought', help="Days on which the customer bought it (the usual order: bought exactly so).")
