"""Channel conflicts (窜货): sales that cross territories, found when an order is confirmed.

An order is sold through a channel partner (the *seller*) when its customer is a channel
partner, or an end customer served by one (``channel_parent_id``). The order crosses
territories when its delivery address

- lies in an exclusive territory that neither the seller nor anyone upstream of him
  serves (``exclusive``: the expected distributor is that territory's), or
- lies outside every territory of the seller, when he has territories (his own, or else
  those of the nearest partner upstream: a reseller sells within his distributor's)
  (``outside``: the expected distributor is the one whose territory it lies in, if any).

One SQL statement finds the conflicts of any number of orders.
"""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .local_day import company_day

# Found by the detection and decided through the review buttons: never set by hand.
SYSTEM_FIELDS = frozenset({
    'name', 'sale_order_id', 'company_id', 'date', 'kind', 'distributor_id', 'expected_distributor_id',
    'territory_id', 'customer_id', 'delivery_partner_id', 'currency_id', 'amount', 'state',
    'decided_by_id', 'decided_date',
})

CONFLICT_KINDS = [
    ('exclusive', "Delivered into another's exclusive territory"),
    ('outside', "Delivered outside the seller's territories"),
]


class CrmLoyaltyChannelConflict(models.Model):
    _name = 'crm.loyalty.channel.conflict'
    _description = 'Channel Conflict'
    _inherit = ['crm.loyalty.system.fields.mixin', 'mail.thread', 'mail.activity.mixin']
    _loyalty_system_fields = SYSTEM_FIELDS
    _order = 'date desc, id desc'
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    sale_order_id = fields.Many2one('sale.order', 'Order', required=True, readonly=True, index=True,
                                    ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    date = fields.Date(required=True, readonly=True, help="The day the order was confirmed.")
    kind = fields.Selection(
        CONFLICT_KINDS, 'Kind', required=True, readonly=True,
        help="Into another's exclusive territory: the delivery address lies in an exclusive territory "
             "that neither the seller nor his upstream distributors serve. Outside the seller's "
             "territories: it lies in none of the territories the seller (or, without his own, his "
             "upstream distributor) serves.")
    distributor_id = fields.Many2one(
        'res.partner', 'Sold By', required=True, readonly=True, index=True,
        help="The channel partner the order was sold through.")
    expected_distributor_id = fields.Many2one(
        'res.partner', 'Territory Of', readonly=True, index=True,
        help="The channel partner whose territory the goods were delivered into, when there is one.")
    territory_id = fields.Many2one(
        'crm.loyalty.territory', 'Delivered Into', readonly=True,
        help="The territory the delivery address lies in; empty when it lies in no territory.")
    territory_label = fields.Char(
        'Delivered Into (shown)', compute='_compute_labels',
        help="The territory the delivery address lies in, or that it lies in none.")
    expected_distributor_label = fields.Char(
        'Territory Of (shown)', compute='_compute_labels',
        help="The channel partner whose territory the goods were delivered into, or why there is none.")
    customer_id = fields.Many2one('res.partner', 'Customer', readonly=True)
    delivery_partner_id = fields.Many2one('res.partner', 'Delivery Address', readonly=True)
    currency_id = fields.Many2one('res.currency', readonly=True)
    amount = fields.Monetary('Untaxed Amount', readonly=True)
    state = fields.Selection(
        [('new', 'New'), ('confirmed', 'Confirmed'), ('dismissed', 'Dismissed')], 'Status',
        required=True, default='new', tracking=True, index=True)
    resolution = fields.Text(
        tracking=True,
        help="What was found and decided: required to dismiss a conflict.")
    decided_by_id = fields.Many2one('res.users', 'Decided By', readonly=True)
    decided_date = fields.Date('Decided On', readonly=True)

    _sql_constraints = [
        ('order_unique', 'UNIQUE(sale_order_id)', "An order has one channel conflict at most."),
    ]

    @api.depends('territory_id', 'expected_distributor_id')
    def _compute_labels(self):
        """The territory columns say why they are empty rather than stay blank."""
        for conflict in self:
            conflict.territory_label = conflict.territory_id.display_name or _("No territory")
            if conflict.expected_distributor_id:
                conflict.expected_distributor_label = conflict.expected_distributor_id.display_name
            elif conflict.territory_id:
                conflict.expected_distributor_label = _("No other channel partner serves it")
            else:
                conflict.expected_distributor_label = _("Nobody's territory")

    # --- Review -----------------------------------------------------------------------

    def action_confirm(self):
        """The conflict is real. Users who may write conflicts (loyalty users)."""
        self._decide('confirmed')
        return True

    def action_dismiss(self):
        """The conflict is no conflict, for the reason written in its resolution."""
        self._check_new()
        if any(not (conflict.resolution or '').strip() for conflict in self):
            raise UserError(_("Write down why the conflict is dismissed before dismissing it."))
        self._decide('dismissed')
        return True

    def action_reset(self):
        """Back to new, to be decided again."""
        self.check_access('write')
        self.sudo().write({'state': 'new', 'decided_by_id': False, 'decided_date': False})
        return True

    def _check_new(self):
        if self.filtered(lambda conflict: conflict.state != 'new'):
            raise UserError(_("Only new conflicts can be confirmed or dismissed."))

    def _decide(self, state):
        self.check_access('write')
        self._check_new()
        self.sudo().write({'state': state, 'decided_by_id': self.env.uid,
                           'decided_date': fields.Date.context_today(self)})
        self.activity_feedback(['crm_loyalty.mail_activity_channel_conflict'])

    # --- Detection --------------------------------------------------------------------

    @api.model
    def _detect(self, orders):
        """Record the conflicts of ``orders`` (just confirmed) and notify the channel
        managers. A bounded number of queries, whatever the number of orders or territories."""
        if not orders:
            return self
        self.env.flush_all()
        self.env.cr.execute(self._detect_sql(orders.ids))
        rows = self.env.cr.dictfetchall()
        if not rows:
            return self
        Order = self.env['sale.order'].sudo()
        Order.browse(row['order_id'] for row in rows).fetch(['name', 'date_order', 'currency_id', 'amount_untaxed'])
        vals_list = []
        for row in rows:
            order = Order.browse(row['order_id'])
            vals_list.append({
                'name': order.name,
                'sale_order_id': order.id,
                'company_id': row['company_id'],
                'date': company_day(self.env['res.company'].browse(row['company_id']), order.date_order),
                'kind': row['kind'],
                'distributor_id': row['seller_id'],
                'expected_distributor_id': row['expected_id'],
                'territory_id': row['territory_id'],
                'customer_id': row['customer_id'],
                'delivery_partner_id': row['delivery_id'],
                'currency_id': order.currency_id.id,
                'amount': order.amount_untaxed,
            })
        conflicts = self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create(vals_list)
        conflicts._notify_managers()
        return conflicts

    @api.model
    def _detect_sql(self, order_ids):
        company_ids = self.env['sale.order'].sudo().browse(order_ids).company_id.ids
        matches = self.env['crm.loyalty.territory']._match_sql(
            SQL("SELECT order_id, country_id, state_id, zip FROM orders"), company_ids)
        # set-based throughout (no per-order subquery), so that checking many orders at
        # once costs about as much per order as checking one
        return SQL(
            """WITH RECURSIVE orders AS MATERIALIZED (
                    SELECT so.id AS order_id, so.company_id, cp.id AS customer_id, ship.id AS delivery_id,
                           CASE WHEN cp.channel_role IS NOT NULL THEN cp.id ELSE cp.channel_parent_id END AS seller_id,
                           ship.country_id, ship.state_id, ship.zip
                      FROM sale_order so
                      JOIN res_partner buyer ON buyer.id = so.partner_id
                      JOIN res_partner cp ON cp.id = buyer.commercial_partner_id
                      JOIN res_partner ship ON ship.id = so.partner_shipping_id
                     WHERE so.id = ANY(%(order_ids)s)
                       AND (cp.channel_role IS NOT NULL OR cp.channel_parent_id IS NOT NULL)
                       AND NOT EXISTS (SELECT 1 FROM crm_loyalty_channel_conflict c WHERE c.sale_order_id = so.id)),
               chain (order_id, company_id, partner_id, depth) AS (
                    SELECT order_id, company_id, seller_id, 0 FROM orders
                    UNION ALL
                    SELECT chain.order_id, chain.company_id, p.channel_parent_id, chain.depth + 1
                      FROM chain JOIN res_partner p ON p.id = chain.partner_id
                     WHERE p.channel_parent_id IS NOT NULL AND chain.depth < 32),
               served AS MATERIALIZED (
                    SELECT chain.order_id, chain.depth, r.territory_id,
                           min(chain.depth) OVER (PARTITION BY chain.order_id) AS nearest
                      FROM chain
                      JOIN crm_loyalty_territory_partner_rel r ON r.partner_id = chain.partner_id
                      JOIN crm_loyalty_territory t ON t.id = r.territory_id
                     WHERE t.active AND t.company_id = chain.company_id),
               -- the seller's territories: his own, else those of the nearest partner upstream
               own AS (SELECT order_id, territory_id FROM served WHERE depth = nearest),
               m AS MATERIALIZED (
                    SELECT m.* FROM (%(matches)s) m
                      JOIN orders o ON o.order_id = m.key AND o.company_id = m.company_id),
               -- the partners serving each matched territory, but the seller and his upstream
               others AS MATERIALIZED (
                    SELECT m.key, m.territory_id, r.partner_id
                      FROM m JOIN crm_loyalty_territory_partner_rel r ON r.territory_id = m.territory_id
                     WHERE NOT EXISTS (SELECT 1 FROM chain
                                        WHERE chain.order_id = m.key AND chain.partner_id = r.partner_id)),
               foreign_exclusive AS (
                    SELECT DISTINCT ON (m.key) m.key AS order_id, m.territory_id, others.partner_id
                      FROM m JOIN others ON others.key = m.key AND others.territory_id = m.territory_id
                     WHERE m.exclusive
                       AND NOT EXISTS (SELECT 1 FROM crm_loyalty_territory_partner_rel mine
                                         JOIN chain ON chain.partner_id = mine.partner_id
                                        WHERE chain.order_id = m.key AND mine.territory_id = m.territory_id)
                     ORDER BY m.key, m.priority DESC, m.sequence, m.territory_id, others.partner_id),
               located AS (
                    SELECT DISTINCT ON (m.key) m.key AS order_id, m.territory_id, others.partner_id
                      FROM m LEFT JOIN others ON others.key = m.key AND others.territory_id = m.territory_id
                     ORDER BY m.key, m.priority DESC, m.sequence, m.territory_id, others.partner_id NULLS LAST),
               outside AS (
                    SELECT own.order_id FROM own
                      LEFT JOIN m ON m.key = own.order_id AND m.territory_id = own.territory_id
                     GROUP BY own.order_id HAVING bool_and(m.key IS NULL))
               SELECT o.order_id, o.company_id, o.seller_id, o.customer_id, o.delivery_id,
                      CASE WHEN fx.territory_id IS NOT NULL THEN 'exclusive' ELSE 'outside' END AS kind,
                      COALESCE(fx.territory_id, located.territory_id) AS territory_id,
                      COALESCE(fx.partner_id, located.partner_id) AS expected_id
                 FROM orders o
                 LEFT JOIN foreign_exclusive fx ON fx.order_id = o.order_id
                 LEFT JOIN located ON located.order_id = o.order_id
                WHERE o.seller_id IS NOT NULL
                  AND (fx.territory_id IS NOT NULL OR o.order_id IN (SELECT order_id FROM outside))
                ORDER BY o.order_id""",
            order_ids=list(order_ids), matches=matches)

    def _notify_managers(self):
        """A review activity on each conflict for its channel manager: the company's,
        else the salesperson of the distributor whose territory was crossed, else the
        seller's, else the order's. A few queries per manager, not per conflict."""
        def manager(conflict):
            return (conflict.company_id.loyalty_channel_manager_id
                    or conflict.expected_distributor_id.user_id
                    or conflict.distributor_id.user_id
                    or conflict.sale_order_id.user_id)

        for user, conflicts in self.grouped(manager).items():
            if user:
                conflicts.activity_schedule('crm_loyalty.mail_activity_channel_conflict', user_id=user.id)
