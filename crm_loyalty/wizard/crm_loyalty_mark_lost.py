from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..models.access import LOYALTY_MANAGER, check_group


class CrmLoyaltyMarkLost(models.TransientModel):
    _name = 'crm.loyalty.mark.lost'
    _description = 'Mark a Customer Lost'

    partner_id = fields.Many2one('res.partner', 'Customer', required=True, readonly=True)
    reason_id = fields.Many2one('crm.loyalty.lost.reason', 'Reason', required=True)
    note = fields.Text('Note', help="What the customer said, what was tried to keep him.")
    date = fields.Date('Lost On', required=True, default=fields.Date.context_today)

    def action_mark_lost(self):
        """Mark the customer lost, with the reason. Loyalty administrators."""
        self.ensure_one()
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can mark a customer lost."))
        partner = self.partner_id.commercial_partner_id
        partner.check_access('write')
        if partner.loyalty_lost:
            raise UserError(_("%(customer)s is already marked as lost.", customer=partner.display_name))
        partner.sudo().write({
            'loyalty_lost': True,
            'loyalty_lost_reason_id': self.reason_id.id,
            'loyalty_lost_date': self.date,
            'loyalty_lost_note': self.note,
        })
        body = Markup('<p>%s</p>') % _("Customer lost: %(reason)s", reason=self.reason_id.name)
        if self.note:
            body += Markup('<p>%s</p>') % self.note
        partner.message_post(body=body, subtype_xmlid='mail.mt_note')
        return {'type': 'ir.actions.act_window_close'}
