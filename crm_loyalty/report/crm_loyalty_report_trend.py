"""Monthly trends per company: active and churned customers from the monthly snapshots,
satisfaction and NPS from the answers."""
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.local_day import company_tz_sql, local_day_sql


class CrmLoyaltyReportTrend(models.Model):
    _name = 'crm.loyalty.report.trend'
    _description = 'Loyalty Monthly Trend'
    _auto = False
    _order = 'date desc, company_id'
    _rec_name = 'date'
    _depends = {
        'crm.loyalty.snapshot': ['company_id', 'date', 'purchase_count', 'churn_risk'],
        'crm.loyalty.feedback': ['company_id', 'state', 'date', 'score_value', 'nps', 'nps_points'],
    }

    date = fields.Date('Month', readonly=True)
    company_id = fields.Many2one('res.company', 'Company', readonly=True)
    customers = fields.Integer(
        'Customers', readonly=True,
        help="Customers who bought at least once, as of the engine's last run of the month (its "
             "monthly snapshots).")
    active_customers = fields.Integer(
        'Active Customers', readonly=True,
        help="Customers with at least one purchase in the scoring window, as of the engine's last "
             "run of the month (its monthly snapshots).")
    churned_customers = fields.Integer(
        'Churned Customers', readonly=True,
        help="Customers whose churn risk was high at the engine's last run of the month (its "
             "monthly snapshots).")
    answers = fields.Integer('Satisfaction Answers', readonly=True,
                             help="Satisfaction answers given in the month (UTC).")
    satisfaction = fields.Float(
        'Satisfaction', aggregator='avg', digits=(3, 2), readonly=True,
        help="Mean satisfaction (1 to 5) of the answers given in the month, as in the Satisfaction "
             "Trend report. Over several months or companies: the mean of the monthly figures.")
    nps_answers = fields.Integer('Recommendation Answers', readonly=True,
                                 help="Answers of the month with a recommendation score.")
    nps = fields.Float(
        'NPS', aggregator='avg', digits=(16, 1), readonly=True,
        help="Net Promoter Score of the answers of the month, as in the Net Promoter Score report: "
             "the share of promoters minus the share of detractors. Over several months or "
             "companies: the mean of the monthly figures.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        # Satisfaction and NPS are the means of the answers' stored score_value and
        # nps_points, as in the feedback reports; the id is company id * 10^5 + month number.
        return SQL(
            """WITH snapshots AS (
                   SELECT company_id, date,
                          COUNT(*) AS customers,
                          COUNT(*) FILTER (WHERE purchase_count > 0) AS active_customers,
                          COUNT(*) FILTER (WHERE churn_risk = 'high') AS churned_customers
                     FROM crm_loyalty_snapshot
                    GROUP BY company_id, date
               ), answers AS (
                   -- the month of the answer in the company's calendar
                   SELECT f.company_id, date_trunc('month', %(day)s)::date AS date,
                          COUNT(*) AS answers,
                          AVG(f.score_value) AS satisfaction,
                          COUNT(*) FILTER (WHERE f.nps IS NOT NULL) AS nps_answers,
                          AVG(f.nps_points) FILTER (WHERE f.nps IS NOT NULL) AS nps
                     FROM crm_loyalty_feedback f
                    WHERE f.state = 'answered' AND f.date IS NOT NULL
                    GROUP BY f.company_id, 2
               )
               SELECT c.id::bigint * 100000
                          + EXTRACT(YEAR FROM m.date)::int * 12 + EXTRACT(MONTH FROM m.date)::int AS id,
                      m.date, c.id AS company_id,
                      COALESCE(s.customers, 0) AS customers,
                      COALESCE(s.active_customers, 0) AS active_customers,
                      COALESCE(s.churned_customers, 0) AS churned_customers,
                      COALESCE(a.answers, 0) AS answers,
                      a.satisfaction,
                      COALESCE(a.nps_answers, 0) AS nps_answers,
                      a.nps
                 FROM snapshots s
                 FULL JOIN answers a ON a.company_id = s.company_id AND a.date = s.date
                 CROSS JOIN LATERAL (SELECT COALESCE(s.company_id, a.company_id) AS company_id,
                                            COALESCE(s.date, a.date) AS date) m
                 JOIN res_company c ON c.id = m.company_id""",
            day=local_day_sql(SQL("f.date"), company_tz_sql(SQL("f.company_id"))))
