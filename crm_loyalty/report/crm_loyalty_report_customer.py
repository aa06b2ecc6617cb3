"""Customer analysis: the current loyalty figures of every scored customer, one row per
customer and company, for the Dick & Basu and Reinartz & Kumar matrices and the RFM grid."""
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..lib.segments import LOYALTY_MATRIX, VALUE_MATRIX
from ..models.crm_loyalty_engine import to_sql
from ..models.res_partner import loyalty_customer_sql
from ..models.selections import ABC_CLASSES, CHURN_RISKS, LOYALTY_SEGMENTS, RFM_SEGMENTS, VALUE_SEGMENTS

# Each axis of the matrices and of the RFM grid names itself in its values, since a pivot
# shows the values of its rows and columns, not the field they are of.
ATTITUDES = [('high', 'High attitude'), ('low', 'Low attitude')]
PATRONAGES = [('high', 'High repeat patronage'), ('low', 'Low repeat patronage')]
PROFITABILITIES = [('high', 'High profitability'), ('low', 'Low profitability')]
DURATIONS = [('long', 'Long relationship'), ('short', 'Short relationship')]
RECENCIES = [('5', 'R 5: most recent'), ('4', 'R 4'), ('3', 'R 3'), ('2', 'R 2'), ('1', 'R 1: longest ago')]
FREQUENCIES = [('1', 'F 1: at most once'), ('2', 'F 2'), ('3', 'F 3'), ('4', 'F 4'), ('5', 'F 5: most often')]


class CrmLoyaltyReportCustomer(models.Model):
    _name = 'crm.loyalty.report.customer'
    _description = 'Loyalty Customer Analysis'
    _auto = False
    _order = 'revenue desc, partner_id'
    _rec_name = 'partner_id'
    _depends = {
        'res.partner': [
            'active', 'company_id', 'is_company', 'parent_id', 'user_id', 'country_id', 'loyalty_tier_id',
            'rfm_r_score', 'rfm_f_score', 'rfm_m_score', 'rfm_segment', 'abc_class', 'loyalty_segment', 'value_segment',
            'churn_risk', 'loyalty_revenue', 'clv_predicted', 'satisfaction_score', 'relationship_months',
        ],
        'res.company': ['currency_id', 'parent_path'],
        'crm.loyalty.tier': ['company_id'],
    }

    partner_id = fields.Many2one('res.partner', 'Customer', readonly=True)
    company_id = fields.Many2one('res.company', 'Company', readonly=True)
    currency_id = fields.Many2one('res.currency', 'Currency', readonly=True)
    user_id = fields.Many2one('res.users', 'Salesperson', readonly=True)
    country_id = fields.Many2one('res.country', 'Country', readonly=True)
    tier_id = fields.Many2one('crm.loyalty.tier', 'Tier', readonly=True)
    rfm_r_score = fields.Integer(
        'R Score', aggregator='avg', readonly=True,
        help="Recency quintile among the company's customers: 5 = bought most recently, 1 = longest ago.")
    rfm_f_score = fields.Integer(
        'F Score', aggregator='avg', readonly=True,
        help="Frequency quintile (purchases in the window): 5 = most frequent.")
    recency = fields.Selection(
        RECENCIES, 'Recency', readonly=True,
        help="The R score as an axis of the RFM grid: 5 = bought most recently, 1 = longest ago.")
    frequency = fields.Selection(
        FREQUENCIES, 'Frequency', readonly=True,
        help="The F score as an axis of the RFM grid: 1 = at most one purchase in the window, 5 = most often.")
    rfm_m_score = fields.Integer(
        'M Score', aggregator='avg', readonly=True,
        help="Monetary quintile (revenue in the window): 5 = highest revenue.")
    rfm_segment = fields.Selection(RFM_SEGMENTS, 'RFM Segment', readonly=True)
    abc_class = fields.Selection(ABC_CLASSES, 'ABC Class', readonly=True)
    loyalty_segment = fields.Selection(
        LOYALTY_SEGMENTS, 'Loyalty Matrix', readonly=True,
        help="Dick & Basu: relative attitude (satisfaction) against repeat patronage (window "
             "purchases). Empty while the customer has no satisfaction answer.")
    attitude = fields.Selection(
        ATTITUDES, 'Relative Attitude', readonly=True,
        help="High when the customer's satisfaction reaches the threshold of the settings; "
             "empty without satisfaction answer.")
    patronage = fields.Selection(
        PATRONAGES, 'Repeat Patronage', readonly=True,
        help="High when the customer's purchases in the window reach the threshold of the "
             "settings; empty without satisfaction answer.")
    value_segment = fields.Selection(
        VALUE_SEGMENTS, 'Value Matrix', readonly=True,
        help="Reinartz & Kumar: window revenue against the company median, and length of the relationship.")
    profitability = fields.Selection(
        PROFITABILITIES, 'Profitability', readonly=True,
        help="High when the customer's window revenue reaches the company median.")
    duration = fields.Selection(
        DURATIONS, 'Relationship Duration', readonly=True,
        help="Long when the first purchase is at least as old as the long relationship of the settings.")
    churn_risk = fields.Selection(CHURN_RISKS, 'Churn Risk', readonly=True)
    relationship_months = fields.Integer('Relationship (months)', aggregator='avg', readonly=True)
    revenue = fields.Monetary(
        'Revenue (window)', readonly=True,
        help="Untaxed purchases of the scoring window, in the company's currency.")
    clv_predicted = fields.Monetary(
        'Predicted Value', readonly=True,
        help="Revenue expected over the lifetime value horizon.")
    satisfaction = fields.Float(
        'Satisfaction', aggregator='avg', digits=(3, 2), readonly=True,
        help="The customer's satisfaction score (1 to 5); empty without answer.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        """The company-dependent figures of each customer of each company (the one rule,
        ``loyalty_customer_sql``: commercial, active, scored by the company)."""
        def current(column, cast):
            return SQL("(p.%s ->> r.company_key)::%s", SQL.identifier(column), SQL(cast))

        segment = current('loyalty_segment', 'varchar')
        value = current('value_segment', 'varchar')
        return SQL(
            """SELECT p.id::bigint * 1000000 + c.id AS id,
                      p.id AS partner_id,
                      c.id AS company_id,
                      c.currency_id,
                      p.user_id,
                      p.country_id,
                      t.id AS tier_id,
                      r.score::int AS rfm_r_score,
                      %(f_score)s AS rfm_f_score,
                      r.score AS recency,
                      %(f_score)s::varchar AS frequency,
                      %(m_score)s AS rfm_m_score,
                      %(rfm_segment)s AS rfm_segment,
                      %(abc_class)s AS abc_class,
                      %(segment)s AS loyalty_segment,
                      %(attitude)s AS attitude,
                      %(patronage)s AS patronage,
                      %(value)s AS value_segment,
                      %(profitability)s AS profitability,
                      %(duration)s AS duration,
                      %(churn_risk)s AS churn_risk,
                      %(relationship_months)s AS relationship_months,
                      COALESCE(%(revenue)s, 0) AS revenue,
                      COALESCE(%(clv_predicted)s, 0) AS clv_predicted,
                      NULLIF(%(satisfaction)s, 0) AS satisfaction
                 FROM res_partner p
                 CROSS JOIN LATERAL jsonb_each_text(p.rfm_r_score) AS r(company_key, score)
                 JOIN res_company c ON c.id::text = r.company_key
                 LEFT JOIN crm_loyalty_tier t
                        ON t.id = %(tier)s AND t.company_id = c.id
                WHERE %(customer)s""",
            customer=loyalty_customer_sql('p', 'c'),
            f_score=current('rfm_f_score', 'int'), m_score=current('rfm_m_score', 'int'),
            rfm_segment=current('rfm_segment', 'varchar'), abc_class=current('abc_class', 'varchar'),
            segment=segment, value=value,
            attitude=to_sql(LOYALTY_MATRIX.axis_sql('attitude', segment)),
            patronage=to_sql(LOYALTY_MATRIX.axis_sql('patronage', segment)),
            profitability=to_sql(VALUE_MATRIX.axis_sql('profitability', value)),
            duration=to_sql(VALUE_MATRIX.axis_sql('duration', value)),
            churn_risk=current('churn_risk', 'varchar'),
            relationship_months=current('relationship_months', 'int'),
            revenue=current('loyalty_revenue', 'numeric'), clv_predicted=current('clv_predicted', 'numeric'),
            satisfaction=current('satisfaction_score', 'numeric'), tier=current('loyalty_tier_id', 'int'),
        )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        # The pivot sends no order: the RFM grid reads the best recency first.
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
        terms = groupby[:1] if lazy else groupby
        if not orderby and {'rfm_r_score', 'recency'} & set(terms):
            orderby = ','.join(f'{term} desc' if term in ('rfm_r_score', 'recency') else term for term in terms)
        return super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
