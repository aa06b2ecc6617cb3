"""Distributor scorecards: one row per channel partner and company, always current.

The revenue of a channel partner is what goes through him: his own purchases and those of
every partner downstream of him in the channel (his resellers, their customers…), each
company's purchases as its customers' figures count them (``purchases``).
"""
from odoo import api, fields, models, tools
from odoo.tools import SQL

from .crm_loyalty_complaint import OPEN_STATES
from .local_day import company_tz_sql, local_day_sql
from .purchases import PURCHASE_FIELDS, purchases_sql
from .res_partner import CHANNEL_ROLES, channel_tree_sql, loyalty_customer_sql


class CrmLoyaltyChannelScorecard(models.Model):
    _name = 'crm.loyalty.channel.scorecard'
    _description = 'Channel Partner Scorecard'
    _auto = False
    _order = 'revenue_ytd desc, partner_id'
    _rec_name = 'partner_id'
    _depends = {
        **PURCHASE_FIELDS,
        'res.partner': [
            'active', 'company_id', 'channel_role', 'channel_parent_id', 'channel_grade_id', 'channel_target',
            'satisfaction_score', 'is_company', 'parent_id', 'rfm_r_score', *PURCHASE_FIELDS['res.partner'],
        ],
        'res.company': ['currency_id', 'parent_path', *PURCHASE_FIELDS['res.company']],
        'crm.loyalty.complaint': ['state', 'company_id', 'commercial_partner_id'],
        'crm.loyalty.channel.conflict': ['state', 'date', 'company_id', 'distributor_id', 'expected_distributor_id'],
        'crm.loyalty.channel.grade': ['company_id'],
    }

    partner_id = fields.Many2one('res.partner', 'Channel Partner', readonly=True)
    company_id = fields.Many2one('res.company', 'Company', readonly=True)
    currency_id = fields.Many2one('res.currency', 'Currency', readonly=True)
    channel_role = fields.Selection(CHANNEL_ROLES, 'Channel Role', readonly=True)
    channel_parent_id = fields.Many2one('res.partner', 'Upstream Distributor', readonly=True)
    grade_id = fields.Many2one('crm.loyalty.channel.grade', 'Grade', readonly=True)
    grade_color = fields.Integer(related='grade_id.color', string='Grade Color')
    revenue_ytd = fields.Monetary(
        'Revenue This Year', readonly=True,
        help="Purchases of the channel partner and of every partner downstream of him (confirmed "
             "orders, or posted invoices net of credit notes, as the company counts purchases), from "
             "January 1st to today, untaxed, in the company's currency. A reseller's sales also count "
             "for his distributor.")
    revenue_last_ytd = fields.Monetary(
        'Revenue Last Year', readonly=True,
        help="The same as Revenue This Year, over the same period of last year (January 1st "
             "to this day last year).")
    growth = fields.Float(
        'Growth (%)', aggregator='avg', digits=(16, 2), readonly=True,
        help="Revenue this year against the same period of last year; empty without revenue last year.")
    target = fields.Monetary('Annual Target', readonly=True)
    target_achievement = fields.Float(
        'Target Achieved (%)', aggregator='avg', digits=(16, 2), readonly=True,
        help="Revenue this year as a share of the annual target; empty without target.")
    customers_active = fields.Integer(
        'Active Customers', readonly=True,
        help="Customers of the company downstream of the channel partner with a purchase in the last 365 days.")
    satisfaction = fields.Float(
        'Satisfaction', aggregator='avg', digits=(3, 2), readonly=True,
        help="The channel partner's own satisfaction score (1 to 5); empty without answer.")
    complaints_open = fields.Integer(
        'Open Complaints', readonly=True,
        help="New or in progress complaints and suggestions of the channel partner and of the "
             "partners downstream of him.")
    conflicts_caused = fields.Integer(
        'Conflicts Caused', readonly=True,
        help="Channel conflicts this year (not dismissed) of sales through this partner.")
    conflicts_suffered = fields.Integer(
        'Conflicts Suffered', readonly=True,
        help="Channel conflicts this year (not dismissed) of sales by others into this partner's territory.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            "CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._scorecard_sql()))

    @api.model
    def _scorecard_sql(self, partner_ids=None, company_id=None):
        """The scorecard rows, one per (active commercial channel partner, company that can
        see him): all of them (the view), or those of ``partner_ids`` in ``company_id`` (the
        partner form, which then reads only their channel's purchases, not every one)."""
        only_partners = SQL("AND p.id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL()
        only_company = SQL("AND c.id = %s", company_id) if company_id else SQL()
        only_company_sales = SQL("AND pu.company_id = %s", company_id) if company_id else SQL()
        return SQL(
            """WITH RECURSIVE period AS (
                   -- each company's calendar: its days in its time zone
                   SELECT c.id AS company_id, zone.tz,
                          date_trunc('year', today.day)::date AS year_start,
                          (date_trunc('year', today.day) - interval '1 year')::date AS last_year_start,
                          (today.day - interval '1 year')::date + 1 AS last_year_end,
                          today.day - 364 AS active_from,
                          today.day + 1 AS period_end
                     FROM res_company c
                     CROSS JOIN LATERAL (SELECT %(tz)s AS tz) zone
                     CROSS JOIN LATERAL (SELECT %(today)s AS day) today
               ), channel AS (
                   SELECT p.id AS partner_id, c.id AS company_id
                     FROM res_partner p
                     JOIN res_company c ON p.company_id IS NULL OR p.company_id = c.id
                    WHERE p.channel_role IS NOT NULL AND p.id = p.commercial_partner_id AND p.active
                          %(only_partners)s %(only_company)s
               ), tree (root_id, partner_id, depth) AS (
                   %(tree)s
               ), sales AS (
                   -- purchases per company and commercial partner, untaxed, in company currency
                   SELECT pu.company_id, pu.partner_id,
                          SUM(pu.amount) FILTER (WHERE pu.day >= period.year_start) AS revenue_ytd,
                          SUM(pu.amount) FILTER (WHERE pu.day < period.last_year_end) AS revenue_last_ytd,
                          BOOL_OR(pu.is_purchase AND pu.day >= period.active_from) AS active
                     FROM (%(purchases)s) pu
                     JOIN period ON period.company_id = pu.company_id
                    WHERE pu.day >= period.last_year_start AND pu.day < period.period_end %(only_company_sales)s
                    GROUP BY pu.company_id, pu.partner_id
               ), revenue AS (
                   SELECT tree.root_id AS partner_id, sales.company_id,
                          SUM(sales.revenue_ytd) AS revenue_ytd, SUM(sales.revenue_last_ytd) AS revenue_last_ytd,
                          COUNT(*) FILTER (WHERE sales.active AND tree.depth > 0 AND %(customer)s) AS customers_active
                     FROM tree JOIN sales ON sales.partner_id = tree.partner_id
                     JOIN res_partner cp ON cp.id = tree.partner_id
                     JOIN res_company cc ON cc.id = sales.company_id
                    GROUP BY tree.root_id, sales.company_id
               ), complaints AS (
                   SELECT tree.root_id AS partner_id, complaint.company_id, COUNT(*) AS complaints_open
                     FROM tree
                     JOIN crm_loyalty_complaint complaint ON complaint.commercial_partner_id = tree.partner_id
                    WHERE complaint.state IN %(open_states)s
                    GROUP BY tree.root_id, complaint.company_id
               ), conflicts AS (
                   SELECT side.partner_id, side.company_id,
                          COUNT(*) FILTER (WHERE side.caused) AS conflicts_caused,
                          COUNT(*) FILTER (WHERE NOT side.caused) AS conflicts_suffered
                     FROM (SELECT seller.commercial_partner_id AS partner_id, conflict.company_id,
                                  conflict.date, conflict.state, TRUE AS caused
                             FROM crm_loyalty_channel_conflict conflict
                             JOIN res_partner seller ON seller.id = conflict.distributor_id
                           UNION ALL
                           SELECT expected.commercial_partner_id, conflict.company_id,
                                  conflict.date, conflict.state, FALSE
                             FROM crm_loyalty_channel_conflict conflict
                             JOIN res_partner expected ON expected.id = conflict.expected_distributor_id) side
                     JOIN period ON period.company_id = side.company_id
                    WHERE side.state != 'dismissed' AND side.date >= period.year_start
                    GROUP BY side.partner_id, side.company_id
               )
               -- the id is stable and unique: partner id * 10^6 + company id
               SELECT ch.partner_id::bigint * 1000000 + ch.company_id AS id,
                      ch.partner_id,
                      ch.company_id,
                      c.currency_id,
                      p.channel_role,
                      p.channel_parent_id,
                      g.id AS grade_id,
                      COALESCE(r.revenue_ytd, 0) AS revenue_ytd,
                      COALESCE(r.revenue_last_ytd, 0) AS revenue_last_ytd,
                      100 * (COALESCE(r.revenue_ytd, 0) - r.revenue_last_ytd)
                          / NULLIF(r.revenue_last_ytd, 0) AS growth,
                      COALESCE(t.target, 0) AS target,
                      100 * COALESCE(r.revenue_ytd, 0) / NULLIF(t.target, 0) AS target_achievement,
                      COALESCE(r.customers_active, 0) AS customers_active,
                      NULLIF((p.satisfaction_score ->> c.id::text)::numeric, 0) AS satisfaction,
                      COALESCE(cm.complaints_open, 0) AS complaints_open,
                      COALESCE(cf.conflicts_caused, 0) AS conflicts_caused,
                      COALESCE(cf.conflicts_suffered, 0) AS conflicts_suffered
                 FROM channel ch
                 JOIN res_partner p ON p.id = ch.partner_id
                 JOIN res_company c ON c.id = ch.company_id
                 CROSS JOIN LATERAL (SELECT (p.channel_target ->> c.id::text)::numeric AS target) t
                 LEFT JOIN crm_loyalty_channel_grade g
                        ON g.id = (p.channel_grade_id ->> c.id::text)::int AND g.company_id = c.id
                 LEFT JOIN revenue r ON r.partner_id = ch.partner_id AND r.company_id = ch.company_id
                 LEFT JOIN complaints cm ON cm.partner_id = ch.partner_id AND cm.company_id = ch.company_id
                 LEFT JOIN conflicts cf ON cf.partner_id = ch.partner_id AND cf.company_id = ch.company_id""",
            tz=company_tz_sql(SQL("c.id")),
            today=local_day_sql(SQL("(NOW() AT TIME ZONE 'UTC')"), SQL("zone.tz")),
            # the companies' periods together bound the documents read (an index's range)
            purchases=purchases_sql(
                date_from=SQL("(SELECT MIN(last_year_start) FROM period)"),
                date_to=SQL("(SELECT MAX(period_end) FROM period)"),
                partners=SQL("SELECT partner_id FROM tree") if partner_ids is not None else None),
            open_states=OPEN_STATES, customer=loyalty_customer_sql('cp', 'cc'),
            only_partners=only_partners, only_company=only_company, only_company_sales=only_company_sales,
            tree=channel_tree_sql(SQL("SELECT DISTINCT partner_id FROM channel")),
        )

    @api.model
    def _read_scorecards(self, partner_ids, company):
        """{partner id: scorecard row} of the commercial channel partners ``partner_ids`` in
        ``company``, in one query."""
        for model_name, field_names in self._depends.items():
            self.env[model_name].flush_model(field_names)
        rows = self.env.execute_query_dict(self._scorecard_sql(partner_ids, company.id))
        return {row['partner_id']: row for row in rows}

    def action_open_partner(self):
        self.ensure_one()
        self.check_access('read')
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'res.partner',
            'res_id': self.partner_id.id,
            'view_mode': 'form',
            'views': [(False, 'form')],
        }
