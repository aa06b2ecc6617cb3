"""Retention by cohort: customers by month of first purchase, followed month by month.

Its rows are read through ``_table_query``, which Odoo evaluates at each read: the query
is made then, for the user's companies, from the engine's own definition of a purchase
(``crm.loyalty.engine._daily_sql``: the company's setting, its local day, up to its today),
so that the report and the loyalty figures never count purchases differently. A view
created at install could not follow a company's settings, nor a new company.
"""
from odoo import fields, models
from odoo.tools import SQL

from ..models.local_day import company_today


class CrmLoyaltyReportCohort(models.Model):
    _name = 'crm.loyalty.report.cohort'
    _description = 'Loyalty Retention by Cohort'
    _auto = False
    _order = 'cohort desc, months_since, partner_id'
    _rec_name = 'partner_id'
    _depends = {
        'sale.order': ['partner_id', 'company_id', 'state', 'date_order', 'amount_untaxed', 'currency_rate'],
        'account.move': ['commercial_partner_id', 'company_id', 'state', 'move_type', 'invoice_date',
                         'amount_untaxed_signed'],
        'res.partner': ['commercial_partner_id'],
        'res.company': ['currency_id', 'loyalty_purchase_source'],
    }

    company_id = fields.Many2one('res.company', 'Company', readonly=True)
    currency_id = fields.Many2one('res.currency', 'Currency', readonly=True)
    partner_id = fields.Many2one('res.partner', 'Customer', readonly=True)
    cohort = fields.Date(
        'Cohort', readonly=True,
        help="The month of the customer's first purchase (its first day).")
    date = fields.Date('Month', readonly=True, help="The month followed (its first day).")
    months_since = fields.Integer(
        'Months Since First Purchase', readonly=True, aggregator=None,
        help="0 is the month of the first purchase, 1 the next month, and so on up to this month.")
    cohort_size = fields.Integer(
        'Cohort Size', readonly=True, aggregator='count_distinct',
        help="Customers of the cohort followed in the month (all of them, whether they bought or not).")
    buying = fields.Integer(
        'Customers Buying', readonly=True,
        help="Customers of the cohort with at least one purchase in the month.")
    retention = fields.Float(
        'Retention (%)', readonly=True, aggregator='avg', digits=(16, 1),
        help="The share of the cohort's customers who bought in the month: customers buying over "
             "cohort size. Over several cohorts or months, weighted by their customers.")
    revenue = fields.Monetary(
        'Revenue', readonly=True,
        help="What the cohort's customers spent in the month, untaxed, net of refunds.")

    @property
    def _table_query(self):
        engine = self.env['crm.loyalty.engine']
        daily, months = [], []
        for company in self.env.companies:
            params = engine._params(company, company_today(company))
            daily.append(SQL("SELECT %s AS company_id, d.* FROM (%s) d", company.id, engine._daily_sql(params)))
            months.append(SQL("(%s, %s::date)", company.id, params['as_of'].replace(day=1)))
        # one row per customer and month from his first purchase's to this month; its
        # retention is 100 or 0, so that its mean over any group is the group's share
        return SQL(
            """WITH companies (company_id, this_month) AS (VALUES %(months)s),
                    daily AS (%(daily)s),
                    monthly AS (
                        SELECT company_id, partner_id, date_trunc('month', day)::date AS month,
                               BOOL_OR(is_purchase) AS bought, SUM(amount) AS revenue
                          FROM daily
                         GROUP BY company_id, partner_id, 3
                    ), cohorts AS (
                        SELECT company_id, partner_id, MIN(month) FILTER (WHERE bought) AS cohort
                          FROM monthly
                         GROUP BY company_id, partner_id
                    )
               SELECT c.partner_id::bigint * 10000000000 + c.company_id * 10000 + g.months_since AS id,
                      c.company_id, co.currency_id, c.partner_id, c.cohort,
                      (c.cohort + make_interval(months => g.months_since))::date AS date, g.months_since,
                      c.partner_id AS cohort_size,
                      COALESCE(m.bought, FALSE)::int AS buying,
                      CASE WHEN m.bought THEN 100.0 ELSE 0.0 END AS retention,
                      COALESCE(m.revenue, 0) AS revenue
                 FROM cohorts c
                 JOIN companies t ON t.company_id = c.company_id
                 JOIN res_company co ON co.id = c.company_id
                CROSS JOIN LATERAL generate_series(
                      0, ((EXTRACT(YEAR FROM t.this_month) - EXTRACT(YEAR FROM c.cohort)) * 12
                          + EXTRACT(MONTH FROM t.this_month) - EXTRACT(MONTH FROM c.cohort))::int) AS g (months_since)
                 LEFT JOIN monthly m ON m.company_id = c.company_id AND m.partner_id = c.partner_id
                                    AND m.month = (c.cohort + make_interval(months => g.months_since))::date
                WHERE c.cohort IS NOT NULL""",
            months=SQL(", ").join(months), daily=SQL(" UNION ALL ").join(daily))
