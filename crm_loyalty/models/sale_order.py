from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    channel_conflict_ids = fields.One2many('crm.loyalty.channel.conflict', 'sale_order_id', 'Channel Conflicts')

    def action_confirm(self):
        res = super().action_confirm()
        self._loyalty_refresh()
        self._loyalty_detect_conflicts()
        return res

    def _action_cancel(self):
        was_sold = self.filtered(lambda order: order.state == 'sale')
        res = super()._action_cancel()
        was_sold._loyalty_refresh()
        return res

    def _loyalty_refresh(self):
        """Purchase history and tier of the customers, when their company counts orders."""
        orders = self.filtered(lambda order: order.company_id.loyalty_purchase_source == 'sale')
        engine = self.env['crm.loyalty.engine'].sudo()
        for company, company_orders in orders.grouped('company_id').items():
            engine._refresh_partners(company_orders.partner_id, company)

    def _loyalty_detect_conflicts(self):
        """Channel conflicts of the orders just confirmed (a bounded number of queries)."""
        return self.env['crm.loyalty.channel.conflict'].sudo()._detect(self)
