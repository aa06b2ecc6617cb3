"""Tier migration: each monthly snapshot against the customer's previous one."""
from odoo import fields, models, tools
from odoo.tools import SQL

from ..lib.segments import level_direction_sql
from ..models.crm_loyalty_engine import to_sql


class CrmLoyaltyReportTierMigration(models.Model):
    _name = 'crm.loyalty.report.tier.migration'
    _description = 'Loyalty Tier Migration'
    _auto = False
    _order = 'date desc, partner_id'
    _rec_name = 'partner_id'
    _depends = {
        'crm.loyalty.snapshot': ['partner_id', 'company_id', 'date', 'tier_id', 'revenue'],
        'crm.loyalty.tier': ['min_value'],
        'res.company': ['currency_id'],
    }

    partner_id = fields.Many2one('res.partner', 'Customer', readonly=True)
    company_id = fields.Many2one('res.company', 'Company', readonly=True)
    currency_id = fields.Many2one('res.currency', 'Currency', readonly=True)
    date = fields.Date('Month', readonly=True, help="The first day of the month of the snapshot.")
    previous_date = fields.Date(
        'Previous Snapshot', readonly=True,
        help="The month of the customer's previous snapshot: the figures are only written in the "
             "months the engine ran, so it can be older than last month.")
    from_tier_id = fields.Many2one(
        'crm.loyalty.tier', 'Previous Tier', readonly=True,
        help="The tier of the customer's latest snapshot before this month.")
    to_tier_id = fields.Many2one('crm.loyalty.tier', 'Tier', readonly=True,
                                 help="The tier of the customer's snapshot of this month.")
    direction = fields.Selection(
        [('up', 'Upgrade'), ('down', 'Downgrade'), ('same', 'Same level'), ('new', 'New Customer')],
        readonly=True,
        help="The tier against the previous one, by threshold (no tier ranks below every tier); "
             "new when the customer has no earlier snapshot.")
    revenue = fields.Monetary('Revenue (window)', readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        # The previous tier is that of the latest snapshot strictly before the month (LAG
        # over the customer's snapshots, one per month at most).
        return SQL(
            """WITH moves AS (
                   SELECT s.id, s.partner_id, s.company_id, s.date, s.tier_id, s.revenue,
                          LAG(s.tier_id) OVER customer AS from_tier_id,
                          LAG(s.date) OVER customer AS previous_date
                     FROM crm_loyalty_snapshot s
                   WINDOW customer AS (PARTITION BY s.partner_id, s.company_id ORDER BY s.date)
               )
               SELECT m.id, m.partner_id, m.company_id, c.currency_id, m.date, m.previous_date,
                      ft.id AS from_tier_id, tt.id AS to_tier_id, m.revenue,
                      CASE WHEN m.previous_date IS NULL THEN 'new' ELSE %s END AS direction
                 FROM moves m
                 JOIN res_company c ON c.id = m.company_id
                 LEFT JOIN crm_loyalty_tier ft ON ft.id = m.from_tier_id
                 LEFT JOIN crm_loyalty_tier tt ON tt.id = m.tier_id""",
            to_sql(level_direction_sql(SQL("ft.min_value"), SQL("tt.min_value"))))

