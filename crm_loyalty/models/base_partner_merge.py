from odoo import models

from .access import from_code


class MergePartnerAutomatic(models.TransientModel):
    _inherit = 'base.partner.merge.automatic.wizard'

    def _update_values(self, src_partners, dst_partner):
        """Odoo copies the merged partners' stored fields onto the survivor; the loyalty
        figures among them are the engine's, recomputed for the survivor after the merge."""
        return super()._update_values(src_partners, from_code(dst_partner, 'crm_loyalty_merge'))

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """The orders of merged partners now belong to the destination: his figures are
        recomputed at once (the merge moves them with SQL, unseen by the order hooks)."""
        partners = self.env['res.partner'].browse(partner_ids).exists()
        res = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        survivor = (dst_partner or partners).exists()
        if survivor:
            self.env['crm.loyalty.engine'].sudo()._recompute(partners=survivor)
            # the merged partners' complaints and answers are the survivor's now
            Complaint = self.env['crm.loyalty.complaint'].sudo()
            companies = Complaint.search([('commercial_partner_id', '=', survivor.commercial_partner_id.id)]).company_id
            Complaint._update_partner_complaint_counts({(c.id, survivor.commercial_partner_id.id) for c in companies})
            for company in self.env['crm.loyalty.feedback'].sudo().search(
                    [('commercial_partner_id', '=', survivor.commercial_partner_id.id)]).company_id:
                self.env['crm.loyalty.feedback']._update_satisfaction_figures(
                    company, survivor.commercial_partner_id.ids)
        return res
