from odoo import models
from odoo.tools import SQL

from .access import from_code

# A care occurrence logged for two merged partners keeps its most conclusive row: done (it
# counts for the cooldown, the contact cap and the uplift), held out (it stays in the
# control group), skipped, pending; a failed one last, since a failed one is tried again.
CARE_STATES_KEPT_FIRST = ['done', 'holdout', 'skipped', 'pending', 'failed']


class MergePartnerAutomatic(models.TransientModel):
    _inherit = 'base.partner.merge.automatic.wizard'

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Odoo moves each table's rows to the survivor, but deletes every row of the merged
        partners in a table where one of them clashes with a unique key: our tables keep one
        row per key first, so that Odoo moves all the others."""
        self._reconcile_loyalty_history(src_partners, dst_partner)
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _reconcile_loyalty_history(self, src_partners, dst_partner):
        """Of the rows of the merged partners that would share a unique key on the survivor,
        delete all but one:

        - a month's snapshot (per company): the survivor's, his standing as his reports showed
          it (the engine rewrites the current month right after the merge), else the oldest;
        - a care occurrence (per rule): the most conclusive row (``CARE_STATES_KEPT_FIRST``),
          the survivor's among equals, so that the occurrence stays handled;
        - the grade proposal to decide (per company): the survivor's, which the next review
          refreshes with the merged figures.

        The merged partners' preference cards go: the survivor's is rebuilt from the merged
        orders right after the merge, and a row of theirs equal to one of his would stay
        beside it. Tier history, answers, complaints and channel conflicts have no such key:
        Odoo moves them all."""
        partner_ids = [dst_partner.id, *src_partners.ids]
        Snapshot = self.env['crm.loyalty.snapshot']
        CareAction = self.env['crm.loyalty.care.action']
        Review = self.env['crm.loyalty.channel.grade.review']
        Snapshot.flush_model(['partner_id', 'company_id', 'date'])
        CareAction.flush_model(['partner_id', 'rule_id', 'occurrence', 'state'])
        Review.flush_model(['partner_id', 'company_id', 'state'])
        self.env['crm.loyalty.preference'].flush_model(['partner_id'])
        self.env.execute_query(SQL("DELETE FROM crm_loyalty_preference WHERE partner_id = ANY(%s)", src_partners.ids))
        self.env.execute_query(SQL(
            "DELETE FROM crm_loyalty_snapshot WHERE id IN (%s)",
            self._surplus_rows_sql(Snapshot, SQL("company_id, date"), partner_ids, dst_partner)))
        self.env.execute_query(SQL(
            "DELETE FROM crm_loyalty_care_action WHERE id IN (%s)",
            self._surplus_rows_sql(CareAction, SQL("rule_id, occurrence"), partner_ids, dst_partner,
                                   first=SQL("array_position(%s::varchar[], state)",
                                             CARE_STATES_KEPT_FIRST))))
        surplus = self.env.execute_query(self._surplus_rows_sql(
            Review, SQL("company_id"), partner_ids, dst_partner, where=SQL("state = 'proposed'")))
        # through the ORM: a proposal carries its reviewer's activity, which moves to another
        proposals = Review.sudo().browse(review_id for review_id, in surplus)
        if proposals:
            companies = proposals.company_id
            proposals.unlink()
            Review.sudo()._sync_reviewer_activities(companies)

    def _surplus_rows_sql(self, model, key, partner_ids, dst_partner, first=None, where=None):
        """SELECT the ids of the rows of ``partner_ids`` in ``model``'s table (those matching
        ``where``) that share ``key`` with a row ranked before them: by ``first``, then the
        survivor's, then the oldest."""
        order = SQL(", ").join([*([first] if first else []), SQL("partner_id = %s DESC", dst_partner.id), SQL("id")])
        return SQL(
            """SELECT ranked.id FROM (
                   SELECT id, ROW_NUMBER() OVER (PARTITION BY %(key)s ORDER BY %(order)s) AS rank
                     FROM %(table)s
                    WHERE partner_id = ANY(%(partners)s) AND %(where)s) ranked
                WHERE ranked.rank > 1""",
            key=key, order=order, table=SQL.identifier(model._table), partners=partner_ids,
            where=where or SQL("TRUE"))

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
