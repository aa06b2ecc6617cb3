from markupsafe import Markup

from odoo import _, fields, models

from .access import LOYALTY_MANAGER, check_group


class ResPartner(models.Model):
    _inherit = 'res.partner'  # pylint: disable=consider-merging-classes-inherited

    complaint_open_count = fields.Integer(
        'Open Complaints', aggregator='sum', company_dependent=True, readonly=True, copy=False,
        help="Complaints and suggestions of the customer (his company, for a contact) that are new or in progress.")
    loyalty_lost = fields.Boolean(
        'Lost Customer', company_dependent=True, readonly=True, copy=False,
        help="A manager marked this customer as lost, with the reason.")
    loyalty_lost_reason_id = fields.Many2one(
        'crm.loyalty.lost.reason', 'Lost Reason', company_dependent=True, readonly=True, copy=False)
    loyalty_lost_date = fields.Date('Lost On', company_dependent=True, readonly=True, copy=False)
    loyalty_lost_note = fields.Text('Lost Note', company_dependent=True, readonly=True, copy=False)

    def write(self, vals):
        moved_from = self.commercial_partner_id if {'parent_id', 'is_company'} & vals.keys() else None
        res = super().write(vals)
        if moved_from is not None:
            # the complaints of a contact who changed company now count for the new one
            partners = moved_from | self.commercial_partner_id
            Complaint = self.env['crm.loyalty.complaint'].sudo()
            [[companies]] = Complaint._read_group(
                [('commercial_partner_id', 'in', partners.ids)], [], ['company_id:recordset'])
            Complaint._update_partner_complaint_counts(
                {(company.id, partner_id) for company in companies for partner_id in partners.ids})
        return res

    def action_view_loyalty_complaints(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_complaints')
        action['domain'] = [('commercial_partner_id', '=', self.commercial_partner_id.id)]
        action['context'] = {'default_partner_id': self.id, 'search_default_open': 1}
        return action

    def action_loyalty_mark_lost(self):
        """The wizard that marks the customer lost. Loyalty administrators."""
        self.ensure_one()
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can mark a customer lost."))
        return {
            'type': 'ir.actions.act_window',
            'name': _("Mark as Lost"),
            'res_model': 'crm.loyalty.mark.lost',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_partner_id': self.commercial_partner_id.id},
        }

    def action_loyalty_restore(self):
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can restore a lost customer."))
        self.check_access('write')
        partners = self.commercial_partner_id.filtered('loyalty_lost')
        partners.sudo().write({
            'loyalty_lost': False, 'loyalty_lost_reason_id': False,
            'loyalty_lost_date': False, 'loyalty_lost_note': False,
        })
        for partner in partners:
            partner.message_post(body=Markup('<p>%s</p>') % _("Customer restored: no longer lost."),
                                 subtype_xmlid='mail.mt_note')
        return True
