from odoo import models


class AccountMove(models.Model):
    _inherit = 'account.move'

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._loyalty_refresh()
        return posted

    def button_draft(self):
        was_posted = self.filtered(lambda move: move.state == 'posted')
        res = super().button_draft()
        was_posted._loyalty_refresh()
        return res

    def button_cancel(self):
        was_posted = self.filtered(lambda move: move.state == 'posted')
        res = super().button_cancel()
        was_posted._loyalty_refresh()
        return res

    def _loyalty_refresh(self):
        """Purchase history and tier of the customers, when their company counts invoices."""
        moves = self.filtered(lambda move: move.move_type in ('out_invoice', 'out_refund')
                              and move.company_id.loyalty_purchase_source == 'invoice')
        engine = self.env['crm.loyalty.engine'].sudo()
        for company, company_moves in moves.grouped('company_id').items():
            engine._refresh_partners(company_moves.commercial_partner_id, company)
