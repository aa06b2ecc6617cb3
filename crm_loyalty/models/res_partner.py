from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date
from odoo.tools.safe_eval import safe_eval

from .access import LOYALTY_MANAGER, LOYALTY_USER, check_group, check_system_fields, is_from_code
from .local_day import company_today, company_tz_sql, local_day_sql
from .selections import (
    ABC_CLASSES,
    CHURN_RISKS,
    LOYALTY_SEGMENTS,
    RELATIONSHIP_LEVELS,
    RFM_SEGMENTS,
    VALUE_SEGMENTS,
)

# A commercial partner: a company, or a person who belongs to none. His contacts carry his
# loyalty figures, so lists of customers keep to these.
COMMERCIAL_DOMAIN = ['|', ('is_company', '=', True), ('parent_id', '=', False)]


def loyalty_customer_sql(partner, company):
    """SQL of ``ResPartner._loyalty_customer_domain``: the row ``partner`` (an alias of
    res_partner) is a customer of the row ``company`` (an alias of res_company). Written
    beside the domain, term by term; a test checks that both select the same partners."""
    return SQL(
        """(%(p_company)s IS NULL OR %(p_company)s::text = ANY(string_to_array(%(parent_path)s, '/')))
           AND (%(is_company)s OR %(parent)s IS NULL) AND %(active)s
           AND COALESCE((%(r_score)s ->> %(company_id)s::text)::int, 0) > 0""",
        p_company=SQL.identifier(partner, 'company_id'), parent_path=SQL.identifier(company, 'parent_path'),
        is_company=SQL.identifier(partner, 'is_company'), parent=SQL.identifier(partner, 'parent_id'),
        active=SQL.identifier(partner, 'active'), r_score=SQL.identifier(partner, 'rfm_r_score'),
        company_id=SQL.identifier(company, 'id'))

# Figures kept per company (company-dependent, like a product's cost): a partner shared by
# several companies shows each company its own figures, and they are stored, so they can
# be searched, grouped, filtered and exported like any stored field.
LOYALTY = {'company_dependent': True, 'copy': False, 'readonly': True}
OVERRIDE_FIELDS = {'loyalty_tier_override_id', 'loyalty_tier_override_reason', 'loyalty_tier_override_until'}
LEVEL_FIELDS = {'relationship_level', 'relationship_level_manual'}
# Figures only Customer Loyalty's code writes (the engine, the satisfaction and complaint
# updates, the territory matching, the lost-customer wizard): refused to users in create
# and write, whatever their rights on partners.
SYSTEM_FIELDS = frozenset({
    'loyalty_first_purchase_date', 'loyalty_last_purchase_date', 'loyalty_purchase_count',
    'loyalty_purchase_count_total', 'loyalty_revenue', 'loyalty_revenue_total', 'loyalty_purchase_interval',
    'loyalty_scored_date', 'rfm_recency_days', 'rfm_r_score', 'rfm_f_score', 'rfm_m_score', 'rfm_segment',
    'abc_class', 'loyalty_segment', 'value_segment', 'churn_risk', 'loyalty_churn_ratio',
    'satisfaction_score', 'satisfaction_date', 'relationship_months', 'clv_historical', 'clv_predicted',
    'clv_predicted_low', 'clv_predicted_high', 'expected_purchases', 'probability_alive',
    'loyalty_next_purchase_date', 'loyalty_purchase_probability_30d',
    'loyalty_tier_id', 'loyalty_tier_computed_id',
    'loyalty_tier_metric', 'loyalty_tier_below_since', 'complaint_open_count', 'loyalty_lost',
    'loyalty_lost_reason_id', 'loyalty_lost_date', 'loyalty_lost_note', 'channel_territory_id',
    # relationship value (the section at the end of the class)
    'loyalty_referral_count', 'loyalty_referral_revenue', 'loyalty_referral_revenue_total',
    'loyalty_wallet_estimated_by_id', 'loyalty_wallet_potential', 'loyalty_wallet_category_id',
    'loyalty_wallet_share', 'loyalty_wallet_low_share', 'loyalty_revenue_growth', 'loyalty_usual_weekday',
})

CONTRACT_REMINDER_LEAD_DAYS = 7
CHANNEL_ROLES = [
    ('distributor', 'Distributor'),
    ('reseller', 'Reseller'),
    ('retailer', 'Retailer'),
    ('agent', 'Agent'),
]
ADDRESS_FIELDS = {'country_id', 'state_id', 'zip', 'company_id', 'active'}


def channel_tree_sql(roots):
    """The body of a recursive CTE named ``tree (root_id, partner_id, depth)``: each
    commercial partner of ``roots`` (an SQL query of partner ids) with himself (depth 0)
    and every commercial partner downstream of him in the channel. Upstream partners are
    stored as commercial entities and loops are refused on write: the depth only bounds a
    corrupted hierarchy."""
    return SQL(
        """SELECT root.id, root.id, 0 FROM (%s) AS root (id)
           UNION ALL
           SELECT tree.root_id, child.id, tree.depth + 1
             FROM tree JOIN res_partner child ON child.channel_parent_id = tree.partner_id
            WHERE child.id = child.commercial_partner_id AND tree.depth < 32""", roots)

# The scorecard figures shown on the partner form, as ``channel_score_<name>``.
SCORE_FIELDS = (
    'revenue_ytd', 'revenue_last_ytd', 'growth', 'target', 'target_achievement', 'customers_active',
    'satisfaction', 'complaints_open', 'conflicts_caused', 'conflicts_suffered',
)


# The preference card's products and categories, read from the engine's crm.loyalty.preference.
PREFERENCE_CARD_FIELDS = ['loyalty_preference_ids', 'loyalty_favourite_product_ids', 'loyalty_favourite_category_ids',
                          'loyalty_usual_order_product_ids']
WEEKDAYS = [('1', 'Monday'), ('2', 'Tuesday'), ('3', 'Wednesday'), ('4', 'Thursday'), ('5', 'Friday'),
            ('6', 'Saturday'), ('7', 'Sunday')]
CONTACT_CHANNELS = [('phone', 'Phone'), ('email', 'Email'), ('messaging', 'Instant Messaging'),
                    ('visit', 'Visit'), ('mail', 'Post')]


class ResPartner(models.Model):
    _inherit = 'res.partner'

    loyalty_currency_id = fields.Many2one(
        'res.currency', compute='_compute_loyalty_currency_id', string='Loyalty Currency')
    loyalty_customer = fields.Boolean(
        'Customer of the Company', compute='_compute_loyalty_customer', search='_search_loyalty_customer',
        help="A company, or a person of no company, who bought from the current company at least once "
             "(his contacts carry his figures but are not counted again). Every count and list of "
             "customers of Customer Loyalty keeps to these.")

    # --- Purchase history -------------------------------------------------------------
    loyalty_first_purchase_date = fields.Date('First Purchase', **LOYALTY)
    loyalty_last_purchase_date = fields.Date('Last Purchase', **LOYALTY)
    loyalty_purchase_count = fields.Integer(
        'Purchases (window)', aggregator='sum', **LOYALTY,
        help="Days with a purchase in the scoring window; several orders on one day count once.")
    loyalty_purchase_count_total = fields.Integer(
        'Purchases (ever)', aggregator='sum', **LOYALTY,
        help="Days with a purchase, ever; several orders on one day count once.")
    loyalty_revenue = fields.Float(
        'Revenue (window)', aggregator='sum', **LOYALTY,
        help="Untaxed purchases of the scoring window, in the company's currency.")
    loyalty_revenue_total = fields.Float(
        'Revenue (ever)', aggregator='sum', **LOYALTY,
        help="Untaxed purchases ever, in the company's currency.")
    loyalty_purchase_interval = fields.Float(
        'Usual Interval (days)', aggregator='avg', **LOYALTY,
        help="Mean number of days between two purchases of the customer.")
    loyalty_scored_date = fields.Date(
        'Figures As Of', **LOYALTY, help="The date the scores and segments were last computed for.")

    # --- Scores and segments ----------------------------------------------------------
    rfm_recency_days = fields.Integer('Recency (days)', aggregator='avg', **LOYALTY,
                                      help="Days since the last purchase.")
    rfm_r_score = fields.Integer(
        'R Score', aggregator='avg', **LOYALTY,
        help="Recency quintile among the company's customers: 5 = bought most recently, "
             "1 = longest ago, 0 = never bought.")
    rfm_f_score = fields.Integer(
        'F Score', aggregator='avg', **LOYALTY,
        help="Frequency quintile (purchases in the window): 5 = most frequent, 1 = at most one purchase "
             "in the window, 0 = never bought.")
    rfm_m_score = fields.Integer(
        'M Score', aggregator='avg', **LOYALTY,
        help="Monetary quintile among the customers with revenue in the window: 5 = highest revenue, "
             "1 = lowest or none in the window, 0 = never bought.")
    rfm_scores = fields.Char('R / F / M Scores', compute='_compute_rfm_scores',
                             help="The recency, frequency and monetary scores, 1 to 5 each.")
    rfm_segment = fields.Selection(
        RFM_SEGMENTS, 'RFM Segment', **LOYALTY,
        help="From the recency score and the mean of the frequency and monetary scores.")
    abc_class = fields.Selection(
        ABC_CLASSES, 'ABC Class', **LOYALTY,
        help="Customers ranked by window revenue: A make the first 80 % of revenue, B the next "
             "15 %, C the rest (shares set in the settings).")
    loyalty_segment = fields.Selection(
        LOYALTY_SEGMENTS, 'Loyalty Matrix', **LOYALTY,
        help="Dick & Basu: satisfaction (relative attitude) against repeat purchases. "
             "Empty while the customer has no satisfaction answer.")
    value_segment = fields.Selection(
        VALUE_SEGMENTS, 'Value Matrix', **LOYALTY,
        help="Reinartz & Kumar: window revenue against the median of the customers who bought in the "
             "window (no revenue in the window is never profitable), and length of the relationship.")
    churn_risk = fields.Selection(
        CHURN_RISKS, 'Churn Risk', **LOYALTY,
        help="Days since the last purchase divided by the customer's usual interval between "
             "purchases (the company's median interval for one-time buyers), against the "
             "thresholds of the settings.")
    loyalty_churn_ratio = fields.Float('Overdue Ratio', aggregator='avg', **LOYALTY,
                                       help="Days since the last purchase ÷ usual interval.")
    relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS, 'Relationship Level', company_dependent=True, copy=False,
        help="Kotler's five levels of relationship. Follows the tier unless set by hand.")
    relationship_level_manual = fields.Boolean(
        'Level Set by Hand', company_dependent=True, copy=False,
        help="The relationship level was chosen by hand and no longer follows the tier.")

    birthday = fields.Date(help="Care rules can wish the customer a happy birthday.")
    care_action_ids = fields.One2many('crm.loyalty.care.action', 'partner_id', 'Care Timeline')
    care_opt_out = fields.Boolean(
        'No Care Contact', help="The customer does not want to be contacted by care actions or "
                                "satisfaction requests; for a company, none of its contacts is.")
    loyalty_feedback_ids = fields.One2many('crm.loyalty.feedback', 'commercial_partner_id', 'Satisfaction Answers')
    loyalty_team_leader_id = fields.Many2one(
        'res.users', 'Sales Team Leader', compute='_compute_loyalty_team_leader_id',
        help="The leader of the sales team of the customer's salesperson: whom care rules can give an "
             "activity to.")

    # --- Satisfaction (filled from feedback) -------------------------------------------
    satisfaction_score = fields.Float(
        'Satisfaction', aggregator='avg', digits=(3, 2), **LOYALTY,
        help="Mean satisfaction (1 to 5) of the answers of the last 12 months, or the last "
             "answer if older; 0 = no answer.")
    satisfaction_date = fields.Date('Last Satisfaction Answer', **LOYALTY)

    # --- Relationship value -----------------------------------------------------------
    relationship_months = fields.Integer('Relationship (months)', aggregator='avg', **LOYALTY,
                                         help="Months since the first purchase.")
    clv_historical = fields.Float(
        'Historical Value', aggregator='sum', **LOYALTY,
        help="Revenue to date (the margin, where Odoo knows the sale margin), in the company's currency.")
    clv_predicted = fields.Float(
        'Predicted Value', aggregator='sum', **LOYALTY,
        help="Revenue expected over the lifetime value horizon (BG/NBD and Gamma-Gamma models).")
    clv_predicted_low = fields.Float(
        'Predicted Value, 10th Percentile', **LOYALTY,
        help="The predicted value is above this with 90 % confidence, given how precisely the company's "
             "history determines the models (not the customer's own chance). Empty when the models fell back "
             "to their baseline.")
    clv_predicted_high = fields.Float(
        'Predicted Value, 90th Percentile', **LOYALTY,
        help="The predicted value is below this with 90 % confidence, given how precisely the company's "
             "history determines the models (not the customer's own chance). Empty when the models fell back "
             "to their baseline.")
    expected_purchases = fields.Float(
        'Expected Purchases', aggregator='sum', digits=(16, 2), **LOYALTY,
        help="Purchases expected over the lifetime value horizon (BG/NBD model).")
    probability_alive = fields.Float(
        'Probability Active', aggregator='avg', digits=(3, 2), **LOYALTY,
        help="Probability (0 to 1) that the customer still buys from you (BG/NBD model).")
    loyalty_next_purchase_date = fields.Date(
        'Next Purchase By', **LOYALTY,
        help="The day by which the customer, if he still buys from you, has a 50 % chance of having bought "
             "again (his BG/NBD purchase rate given his history).")
    loyalty_purchase_probability_30d = fields.Float(
        'Purchase in 30 Days', aggregator='avg', digits=(3, 2), **LOYALTY,
        help="Probability (0 to 1) of at least one purchase in the next 30 days: the probability that he "
             "is still active times that of a purchase by then (BG/NBD model).")

    # --- Tier -------------------------------------------------------------------------
    loyalty_tier_id = fields.Many2one(
        'crm.loyalty.tier', 'Tier', **LOYALTY, index=False,
        help="The tier the customer holds: the one his figure qualifies for, unless a "
             "downgrade is in its grace period or a manager has overridden it.")
    loyalty_tier_computed_id = fields.Many2one(
        'crm.loyalty.tier', 'Qualifying Tier', **LOYALTY,
        help="The tier the customer's current figure qualifies for.")
    loyalty_tier_metric = fields.Float('Tier Figure', **LOYALTY,
                                       help="The figure compared with the tier thresholds.")
    loyalty_tier_below_since = fields.Date(
        'Below Tier Since', **LOYALTY,
        help="Since when the figure has been below the tier held: the downgrade waits for the "
             "grace period.")
    loyalty_tier_override_id = fields.Many2one(
        'crm.loyalty.tier', 'Tier Override', company_dependent=True, copy=False,
        help="A tier set by a manager, held whatever the figures until the end date.")
    loyalty_tier_override_reason = fields.Char('Override Reason', company_dependent=True, copy=False)
    loyalty_tier_override_until = fields.Date(
        'Override Until', company_dependent=True, copy=False,
        help="The override ends after this day and the computed tier applies again. Empty: no end.")
    loyalty_tier_history_ids = fields.One2many(
        'crm.loyalty.tier.history', 'partner_id', 'Tier History',
        domain=lambda self: [('company_id', '=', self.env.company.id)])

    # --- Complaints and lost customers ------------------------------------------------
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

    # --- Channel ------------------------------------------------------------------------
    channel_role = fields.Selection(
        CHANNEL_ROLES, 'Channel Role', tracking=True, index='btree_not_null',
        help="The partner's place in your sales channel. Empty for end customers.")
    channel_parent_id = fields.Many2one(
        'res.partner', 'Upstream Distributor', index='btree_not_null', tracking=True,
        domain="[('channel_role', '!=', False), ('id', '!=', id)]",
        help="The channel partner this partner buys through: a reseller's distributor, or "
             "the distributor that serves an end customer.")
    channel_child_ids = fields.One2many('res.partner', 'channel_parent_id', 'Served Partners')
    channel_partner_since = fields.Date(
        'Partner Since', tracking=True, help="The start of the channel partnership.")
    channel_contract_end = fields.Date(
        'Contract Ends', tracking=True,
        help="The end of the current distribution contract: a renewal activity is planned "
             "ahead of it for the channel manager.")
    channel_target = fields.Float(
        'Annual Target', company_dependent=True, copy=False,
        help="The revenue expected through this channel partner this year, in the company's currency.")
    channel_territory_ids = fields.Many2many(
        'crm.loyalty.territory', 'crm_loyalty_territory_partner_rel', 'partner_id', 'territory_id',
        string='Territories', help="The territories this channel partner serves.")
    channel_territory_id = fields.Many2one(
        'crm.loyalty.territory', 'Territory', company_dependent=True, copy=False, readonly=True,
        help="The territory the partner's address lies in (the exclusive one, else the most precise).")
    channel_served_by_ids = fields.Many2many(
        'res.partner', compute='_compute_channel_served_by_ids', string='Territory Distributors',
        help="The channel partners whose territory covers this address.")
    channel_conflict_ids = fields.One2many('crm.loyalty.channel.conflict', 'distributor_id', 'Conflicts Caused')
    channel_conflict_count = fields.Integer(compute='_compute_channel_counts', string='Conflicts')
    channel_conflict_suffered_count = fields.Integer(
        compute='_compute_channel_counts', string='Conflicts in Territory',
        help="Sales by other channel partners into this partner's territories.")
    channel_child_count = fields.Integer(compute='_compute_channel_counts', string='Served')
    channel_grade_id = fields.Many2one(
        'crm.loyalty.channel.grade', 'Channel Grade', company_dependent=True, copy=False, tracking=True,
        help="The grade of the channel partner, proposed by the grade review and accepted by a "
             "manager, or set by hand by a loyalty administrator (logged in the grade history). "
             "A grade with a pricelist gives it to the partner.")
    channel_grade_review_ids = fields.One2many(
        'crm.loyalty.channel.grade.review', 'partner_id', 'Grade History',
        groups='crm_loyalty.group_loyalty_user')

    # --- Channel scorecard (not stored) -------------------------------------------------
    channel_score_revenue_ytd = fields.Monetary(
        'Channel Revenue This Year', currency_field='loyalty_currency_id', compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user',
        help="Purchases through the channel partner (his own and those of every partner "
             "downstream of him) since January 1st, untaxed, in the company's currency.")
    channel_score_revenue_last_ytd = fields.Monetary(
        'Channel Revenue Last Year', currency_field='loyalty_currency_id', compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user', help="The same period of last year.")
    channel_score_growth = fields.Float(
        'Channel Growth (%)', digits=(16, 2), compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user')
    channel_score_target = fields.Monetary(
        'Channel Target', currency_field='loyalty_currency_id', compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user')
    channel_score_target_achievement = fields.Float(
        'Channel Target Achieved (%)', digits=(16, 2), compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user')
    channel_score_customers_active = fields.Integer(
        'Channel Active Customers', compute='_compute_channel_scores', groups='crm_loyalty.group_loyalty_user',
        help="Customers of the company downstream with a purchase in the last 365 days.")
    channel_score_satisfaction = fields.Float(
        'Channel Satisfaction', digits=(3, 2), compute='_compute_channel_scores',
        groups='crm_loyalty.group_loyalty_user')
    channel_score_complaints_open = fields.Integer(
        'Channel Open Complaints', compute='_compute_channel_scores', groups='crm_loyalty.group_loyalty_user',
        help="Open complaints of the channel partner and of the partners downstream of him.")
    channel_score_conflicts_caused = fields.Integer(
        'Channel Conflicts Caused', compute='_compute_channel_scores', groups='crm_loyalty.group_loyalty_user',
        help="Channel conflicts this year, not dismissed.")
    channel_score_conflicts_suffered = fields.Integer(
        'Channel Conflicts Suffered', compute='_compute_channel_scores', groups='crm_loyalty.group_loyalty_user',
        help="Channel conflicts this year, not dismissed.")

    # --- Explanations (not stored) ----------------------------------------------------
    loyalty_tier_explanation = fields.Html(compute='_compute_loyalty_explanations', sanitize=False)
    rfm_segment_meaning = fields.Char(compute='_compute_loyalty_explanations')
    loyalty_segment_meaning = fields.Char(compute='_compute_loyalty_explanations')
    value_segment_meaning = fields.Char(compute='_compute_loyalty_explanations')

    @api.depends_context('company')
    def _compute_loyalty_currency_id(self):
        self.loyalty_currency_id = self.env.company.currency_id

    # --- A customer of the company ------------------------------------------------------

    @api.model
    def _loyalty_customer_domain(self):
        """The one definition of a customer of the current company (``self.env.company``,
        whose figures the domain reads), for every count and list of customers: a partner
        the company may use, commercial (his contacts carry his figures), active, scored by
        the company's engine (an R score: he bought at least once). Its SQL form is
        ``loyalty_customer_sql``."""
        return [*self._check_company_domain(self.env.company), *COMMERCIAL_DOMAIN,
                ('active', '=', True), ('rfm_r_score', '>', 0)]

    @api.depends_context('company')
    @api.depends('company_id', 'is_company', 'parent_id', 'active', 'rfm_r_score')
    def _compute_loyalty_customer(self):
        customers = self.filtered_domain(self._loyalty_customer_domain())
        for partner in self:
            partner.loyalty_customer = partner in customers

    def _search_loyalty_customer(self, operator, value):
        if operator not in ('=', '!='):
            raise UserError(_("Search the customers of the company with “is set” or “is not set”."))
        domain = self._loyalty_customer_domain()
        return domain if (operator == '=') == bool(value) else ['!', *expression.normalize_domain(domain)]

    def _rfm_segment_meanings(self):
        return {
            'champions': _("Bought recently, buy often and spend the most."),
            'loyal': _("Buy regularly and spend well."),
            'potential_loyalist': _("Recent customers with average frequency and spend."),
            'new_customer': _("Bought recently, for the first times."),
            'promising': _("Fairly recent, small spend so far."),
            'need_attention': _("Average recency, frequency and spend."),
            'about_to_sleep': _("Below average recency and frequency: will be lost without care."),
            'at_risk': _("Bought often and spent well, but long ago."),
            'cannot_lose': _("Were among the best customers, and have not come back for long."),
            'hibernating': _("Last purchase long ago, few purchases, low spend."),
            'lost': _("Lowest recency, frequency and spend."),
        }

    def _loyalty_segment_meanings(self):
        return {
            'loyal': _("Satisfied and buys repeatedly: keep him and reward him."),
            'latent': _("Satisfied but buys rarely: find what keeps him from buying more."),
            'spurious': _("Buys repeatedly out of habit or convenience, without attachment: "
                          "vulnerable to competitors."),
            'none': _("Neither satisfied nor repeat buyer."),
        }

    def _value_segment_meanings(self):
        return {
            'true_friend': _("Profitable and long-standing: the best fit, serve him consistently."),
            'butterfly': _("Profitable but short-lived: make the most of him while he buys."),
            'barnacle': _("Long-standing but not profitable: raise the share of wallet or cut cost-to-serve."),
            'stranger': _("Neither profitable nor lasting: do not invest."),
        }

    @api.depends_context('company', 'lang')
    @api.depends('loyalty_tier_id', 'loyalty_tier_computed_id', 'loyalty_tier_metric',
                 'loyalty_tier_below_since', 'loyalty_tier_override_id', 'loyalty_tier_override_until',
                 'rfm_segment', 'loyalty_segment', 'value_segment')
    def _compute_loyalty_explanations(self):
        rfm, matrix, value = (self._rfm_segment_meanings(), self._loyalty_segment_meanings(),
                              self._value_segment_meanings())
        for partner in self:
            partner.rfm_segment_meaning = rfm.get(partner.rfm_segment, False)
            partner.loyalty_segment_meaning = matrix.get(partner.loyalty_segment, False)
            partner.value_segment_meaning = value.get(partner.value_segment, False)
            partner.loyalty_tier_explanation = partner.commercial_partner_id._loyalty_tier_reasons()

    def _loyalty_tier_reasons(self):
        """The "why" of the tier, as short HTML lines for the Loyalty tab."""
        self.ensure_one()
        company = self.env.company
        basis = dict(company._fields['loyalty_tier_basis']._description_selection(self.env))[
            company.loyalty_tier_basis]
        if company.loyalty_tier_basis == 'purchase_count':
            metric = str(int(self.loyalty_tier_metric))
            fmt = str
        else:
            def fmt(value):
                return format_amount(self.env, value, company.currency_id)
            metric = fmt(self.loyalty_tier_metric)
        lines = []
        tiers = self.env['crm.loyalty.tier'].search([('company_id', '=', company.id)])
        if not tiers:
            return Markup('<p>%s</p>') % _("No tier is defined for this company.")
        computed = self.loyalty_tier_computed_id
        if computed:
            lines.append(_("%(basis)s: %(metric)s, at least the %(threshold)s of the tier %(tier)s.",
                           basis=basis, metric=metric, threshold=fmt(computed.min_value), tier=computed.name))
        else:
            lines.append(_("%(basis)s: %(metric)s, below the %(threshold)s of the first tier %(tier)s.",
                           basis=basis, metric=metric, threshold=fmt(tiers[0].min_value), tier=tiers[0].name))
        higher = tiers.filtered(lambda t: t.min_value > (computed.min_value if computed else -1))[:1]
        if higher:
            lines.append(_("%(missing)s more to reach %(tier)s.",
                           missing=fmt(higher.min_value - self.loyalty_tier_metric), tier=higher.name))
        if self.loyalty_tier_override_id:
            until = self.loyalty_tier_override_until
            lines.append(_("Tier %(tier)s set by hand%(until)s: %(reason)s",
                           tier=self.loyalty_tier_override_id.name,
                           until=_(" until %s", format_date(self.env, until)) if until else "",
                           reason=self.loyalty_tier_override_reason or ""))
        elif self.loyalty_tier_below_since and self.loyalty_tier_id:
            end = self.loyalty_tier_below_since + timedelta(days=company.loyalty_tier_grace_days)
            lines.append(_("Below %(tier)s since %(since)s: grace period until %(end)s, then "
                           "downgrade unless the figure comes back.",
                           tier=self.loyalty_tier_id.name, since=format_date(self.env, self.loyalty_tier_below_since),
                           end=format_date(self.env, end)))
        return Markup('').join(Markup('<p class="mb-1">%s</p>') % escape(line) for line in lines)

    @api.depends('rfm_r_score', 'rfm_f_score', 'rfm_m_score')
    def _compute_rfm_scores(self):
        for partner in self:
            scores = (partner.rfm_r_score, partner.rfm_f_score, partner.rfm_m_score)
            partner.rfm_scores = " / ".join(map(str, scores)) if any(scores) else False

    # --- Manual changes ---------------------------------------------------------------

    @api.constrains('loyalty_tier_override_id', 'loyalty_tier_override_until', 'loyalty_tier_override_reason')
    def _check_loyalty_tier_override(self):
        today = company_today(self.env.company)   # the day the engine ends the override on
        for partner in self:
            if not partner.loyalty_tier_override_id:
                continue
            if partner.loyalty_tier_override_until and partner.loyalty_tier_override_until < today:
                raise ValidationError(_("The end date of a tier override cannot be in the past."))
            if not (partner.loyalty_tier_override_reason or '').strip():
                raise ValidationError(_("Give the reason for overriding the tier of %s.", partner.display_name))
            if partner.loyalty_tier_override_id.company_id != self.env.company:
                raise ValidationError(_("The tier %(tier)s belongs to another company.",
                                        tier=partner.loyalty_tier_override_id.name))

    def _check_loyalty_vals(self, vals):
        """Refuse what the caller may not set: computed figures (anybody), a tier override
        (loyalty administrators only), the relationship level (loyalty users only).
        Returns ``vals``, without the figures while a merge writes them."""
        if is_from_code(self.env, 'crm_loyalty_merge'):
            # the merge leaves the survivor's figures to the engine, which recomputes them after
            vals = {name: value for name, value in vals.items() if name not in SYSTEM_FIELDS}
        check_system_fields(self, [vals], SYSTEM_FIELDS)
        if OVERRIDE_FIELDS & vals.keys():
            check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can override a tier."))
        if LEVEL_FIELDS & vals.keys():
            check_group(self.env, LOYALTY_USER, _("Only loyalty users can set the relationship level."))
        return self._loyalty_wallet_estimate_author(vals)

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._check_loyalty_vals(self._channel_commercial_parent(vals)) for vals in vals_list]
        if any(vals.get('channel_grade_id') for vals in vals_list):
            self._check_channel_grade_rights()
        partners = super().create(vals_list)
        created = list(zip(partners, vals_list, strict=True))
        overridden = self.browse(partner.id for partner, vals in created if vals.get('loyalty_tier_override_id'))
        if overridden:
            self.env['crm.loyalty.engine']._refresh_partners(overridden.commercial_partner_id)
        graded = self.browse(partner.id for partner, vals in created if vals.get('channel_grade_id'))
        graded._channel_grade_changed(dict.fromkeys(graded.ids, self.env['crm.loyalty.channel.grade']))
        partners._channel_match_territories()
        return partners

    def write(self, vals):
        vals = self._check_loyalty_vals(self._channel_commercial_parent(vals))
        if 'relationship_level' in vals and 'relationship_level_manual' not in vals:
            vals['relationship_level_manual'] = bool(vals['relationship_level'])
        grades_before = None
        if 'channel_grade_id' in vals:
            self._check_channel_grade_rights()
            grades_before = {partner.id: partner.channel_grade_id for partner in self}
        moved_from = self.commercial_partner_id if {'parent_id', 'is_company'} & vals.keys() else None
        res = super().write(vals)
        if OVERRIDE_FIELDS & vals.keys():
            if 'loyalty_tier_override_id' in vals and not vals['loyalty_tier_override_id']:
                super().write({'loyalty_tier_override_reason': False, 'loyalty_tier_override_until': False})
            self.env['crm.loyalty.engine']._refresh_partners(self.commercial_partner_id)
        if moved_from is not None:
            self._loyalty_recount_complaints(moved_from)
        if grades_before is not None:
            self.filtered(lambda partner: partner.channel_grade_id != grades_before[partner.id]) \
                ._channel_grade_changed(grades_before)
        if ADDRESS_FIELDS & vals.keys():
            self._channel_match_territories()
        return res

    @api.model
    def _loyalty_parse_domain(self, text):
        """The partner domain an administrator typed, parsed and checked against the
        fields of partners; raises ValueError (or SyntaxError...) when it is not one."""
        domain = safe_eval(text or '[]')
        expression.expression(domain, self)   # validates every leaf
        return domain

    # --- Care rule lines ---------------------------------------------------------------

    @api.depends('user_id.sale_team_id.user_id')
    def _compute_loyalty_team_leader_id(self):
        for partner in self:
            partner.loyalty_team_leader_id = partner.user_id.sale_team_id.user_id

    @api.model
    def _loyalty_care_override_tier(self, partners, tier_id, reason, days):
        """A care rule line's tier override of ``partners``' customers (their companies),
        for ``days`` days (0: no end), with the caller's rights."""
        until = company_today(self.env.company) + timedelta(days=days) if days else False
        partners.commercial_partner_id.write({
            'loyalty_tier_override_id': tier_id, 'loyalty_tier_override_reason': reason,
            'loyalty_tier_override_until': until})

    # --- Who may be contacted ---------------------------------------------------------

    def _loyalty_contact_refusal(self):
        """Why care actions and satisfaction requests may not reach this partner:
        ``'opt_out'`` (he or his company asked not to be contacted), ``'blacklisted'`` (his
        or his company's address is), or False. A company's wish holds for its contacts."""
        self.ensure_one()
        if not self.filtered_domain(self._loyalty_opted_in_domain()):
            return 'opt_out'
        if not self.filtered_domain(self._loyalty_contactable_domain()):
            return 'blacklisted'
        return False

    @api.model
    def _loyalty_opted_in_domain(self):
        """The partners who, nor their company, asked not to be contacted."""
        return [('care_opt_out', '=', False), ('commercial_partner_id.care_opt_out', '=', False)]

    @api.model
    def _loyalty_contactable_domain(self):
        """The domain of :meth:`_loyalty_contact_refusal`: the partners who may be contacted
        (opted in, and neither their address nor their company's blacklisted)."""
        return [*self._loyalty_opted_in_domain(),
                ('is_blacklisted', '=', False), ('commercial_partner_id.is_blacklisted', '=', False)]

    def action_loyalty_level_follow_tier(self):
        """The relationship level follows the tier again. Loyalty users."""
        check_group(self.env, LOYALTY_USER)
        self.check_access('read')
        self.sudo().write({'relationship_level_manual': False})
        self.env['crm.loyalty.engine']._refresh_partners(self.commercial_partner_id)
        return True

    def action_loyalty_request_feedback(self):
        """A satisfaction request for the customer, opened so that it can be sent or
        filled in from a phone call. Loyalty users."""
        self.ensure_one()
        check_group(self.env, LOYALTY_USER)
        Feedback = self.env['crm.loyalty.feedback']
        # a request still waiting for the customer's answer is opened again, not doubled
        feedback = Feedback.search([('commercial_partner_id', '=', self.commercial_partner_id.id),
                                    ('company_id', '=', self.env.company.id), ('state', '=', 'requested')],
                                   order='id desc', limit=1) \
            or Feedback.create({'partner_id': self.commercial_partner_id.id})
        return {
            'type': 'ir.actions.act_window', 'res_model': 'crm.loyalty.feedback', 'res_id': feedback.id,
            'view_mode': 'form', 'target': 'current',
        }

    def action_loyalty_recompute(self):
        """Recompute the figures of these customers now. Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can recompute the loyalty figures."))
        self.check_access('read')
        self.env['crm.loyalty.engine']._recompute(partners=self.commercial_partner_id)
        return True

    # --- Hierarchy --------------------------------------------------------------------

    @api.constrains('channel_parent_id')
    def _check_channel_parent(self):
        for partner in self:
            parent = partner.channel_parent_id
            if parent and parent.commercial_partner_id == partner.commercial_partner_id:
                raise ValidationError(_("%s cannot be its own upstream distributor.", partner.display_name))
        if self._has_cycle('channel_parent_id'):
            raise ValidationError(_(
                "This upstream distributor would make a loop in the channel: a partner would end "
                "up buying through itself."))

    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), 'channel_role', 'channel_parent_id', 'channel_partner_since',
                'channel_contract_end']

    def _channel_ancestors(self):
        """The partner's upstream chain, nearest first (cycles are refused on write)."""
        self.ensure_one()
        chain = self.env['res.partner']
        parent = self.commercial_partner_id.channel_parent_id
        while parent and parent not in chain:
            chain |= parent
            parent = parent.channel_parent_id
        return chain

    # --- Territories ------------------------------------------------------------------

    @api.depends_context('company')
    @api.depends('channel_territory_id')
    def _compute_channel_served_by_ids(self):
        Territory = self.env['crm.loyalty.territory'].sudo()
        for partner in self:
            territories = Territory._lookup(partner.country_id, partner.state_id, partner.zip) \
                if partner.channel_territory_id else Territory
            partner.channel_served_by_ids = territories.distributor_ids

    def _channel_commercial_parent(self, vals):
        """A contact of a channel partner given as upstream stands for his company."""
        if vals.get('channel_parent_id'):
            vals['channel_parent_id'] = self.browse(vals['channel_parent_id']).commercial_partner_id.id
        return vals

    def _channel_match_territories(self):
        companies = self.env['crm.loyalty.territory'].sudo()._read_group([], ['company_id'])
        if companies and self:
            self.env['crm.loyalty.territory'].sudo()._match_partners(
                self.env['res.company'].browse(company.id for company, in companies), self)

    # --- Counts -----------------------------------------------------------------------

    def _compute_channel_counts(self):
        Conflict = self.env['crm.loyalty.channel.conflict']
        caused = dict(Conflict._read_group([('distributor_id', 'in', self.ids)], ['distributor_id'], ['__count']))
        suffered = dict(Conflict._read_group(
            [('expected_distributor_id', 'in', self.ids)], ['expected_distributor_id'], ['__count']))
        children = dict(self._read_group([('channel_parent_id', 'in', self.ids)], ['channel_parent_id'], ['__count']))
        for partner in self:
            partner.channel_conflict_count = caused.get(partner, 0)
            partner.channel_conflict_suffered_count = suffered.get(partner, 0)
            partner.channel_child_count = children.get(partner, 0)

    def action_view_channel_conflicts(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_channel_conflicts')
        action['domain'] = ['|', ('distributor_id', '=', self.id), ('expected_distributor_id', '=', self.id)]
        action['context'] = {}
        return action

    def action_view_channel_children(self):
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        action['domain'] = [('channel_parent_id', '=', self.id)]
        action['context'] = {'default_channel_parent_id': self.id}
        return action

    # --- Channel grade -----------------------------------------------------------------

    def _check_channel_grade_rights(self):
        check_group(self.env, LOYALTY_MANAGER,
                    _("Only loyalty administrators can change the grade of a channel partner."))

    def _channel_grade_changed(self, before):
        """The grade of the partners changed for the current company: check it, apply its
        pricelist, and log the change unless it comes from the grade review."""
        if not self:
            return
        company = self.env.company
        for partner in self:
            if partner.channel_grade_id and partner.channel_grade_id.company_id != company:
                raise ValidationError(_("The grade %(grade)s belongs to another company.",
                                        grade=partner.channel_grade_id.name))
        self._channel_apply_grade_pricelist()
        if not is_from_code(self.env, 'crm_loyalty_grade_review'):
            self._channel_log_manual_grade(before)

    def _channel_apply_grade_pricelist(self, replaced=None):
        """The pricelist follows the grade, unless the partner has one chosen by hand that
        is no grade's (``replaced``: a pricelist a grade just gave up)."""
        grade_pricelists = self.env['crm.loyalty.channel.grade'].with_context(active_test=False).search(
            [('company_id', '=', self.env.company.id)]).pricelist_id | (replaced or self.env['product.pricelist'])
        following = self.filtered(lambda partner: (
            partner.specific_property_product_pricelist in grade_pricelists
            or not partner.specific_property_product_pricelist)
            and partner.specific_property_product_pricelist != partner.channel_grade_id.pricelist_id)
        for pricelist, partners in following.grouped(lambda partner: partner.channel_grade_id.pricelist_id).items():
            partners.write({'specific_property_product_pricelist': pricelist.id})

    def _channel_log_manual_grade(self, before):
        """A grade set by hand settles the partner's proposal to decide: accepted when it
        proposed that grade, rejected otherwise; any other change is logged as accepted."""
        Review = self.env['crm.loyalty.channel.grade.review'].sudo().with_context(mail_create_nolog=True)
        company = self.env.company
        decided = {'decided_by_id': self.env.uid, 'decided_date': fields.Date.context_today(self)}
        pending = Review.search([('partner_id', 'in', self.ids), ('company_id', '=', company.id),
                                 ('state', '=', 'proposed')])
        confirmed = pending.filtered(lambda review: review.proposed_grade_id == review.partner_id.channel_grade_id)
        confirmed.write({'state': 'accepted', 'manual': True, **decided})
        (pending - confirmed).write({
            'state': 'rejected', 'reason_code': 'superseded', **decided})
        Review.create([{
            'partner_id': partner.id, 'company_id': company.id,
            'current_grade_id': before[partner.id].id, 'proposed_grade_id': partner.channel_grade_id.id,
            'direction': Review._direction(before[partner.id], partner.channel_grade_id),
            'manual': True, 'state': 'accepted', 'reason_code': 'manual', **decided,
        } for partner in self - confirmed.partner_id])
        if pending:
            Review._sync_reviewer_activities(company)

    # --- Contract renewal -------------------------------------------------------------

    @api.model
    def _cron_channel_contract_reminders(self, today=None):
        """Plan a renewal activity for every channel partner whose contract ends within the
        notice of the company, for its channel manager (else the partner's salesperson).
        A partner has one contract: a partner of one company follows that company's notice
        and manager; a partner shared by all companies, the first company (in their order)
        whose notice has begun. Never a second reminder while one is open, nor again once
        one was done for this contract."""
        # default: each company's own current day
        today = SQL("%s::date", fields.Date.to_date(today)) if today else local_day_sql(
            SQL("(NOW() AT TIME ZONE 'UTC')"), company_tz_sql(SQL("c.id")))
        activity_type = self.env.ref('crm_loyalty.mail_activity_contract_renewal')
        self.flush_model(['channel_role', 'commercial_partner_id', 'active', 'channel_contract_end', 'company_id',
                          'user_id', 'tz'])
        self.env['res.company'].flush_model(['active', 'loyalty_channel_manager_id', 'loyalty_contract_reminder_days',
                                             'sequence', 'partner_id'])
        self.env['res.users'].flush_model(['active'])
        self.env['mail.activity'].flush_model(['res_model', 'res_id', 'activity_type_id', 'active', 'date_deadline'])
        rows = self.env.execute_query(SQL(
            """SELECT DISTINCT ON (p.id) p.id, COALESCE(manager.id, salesperson.id),
                      GREATEST(p.channel_contract_end - %(lead)s, %(today)s), p.channel_contract_end
                 FROM res_partner p
                 JOIN res_company c ON c.active AND (c.id = p.company_id OR p.company_id IS NULL)
                 LEFT JOIN res_users manager ON manager.id = c.loyalty_channel_manager_id AND manager.active
                 LEFT JOIN res_users salesperson ON salesperson.id = p.user_id AND salesperson.active
                WHERE p.channel_role IS NOT NULL AND p.id = p.commercial_partner_id AND p.active
                  AND p.channel_contract_end >= %(today)s
                  AND p.channel_contract_end <= %(today)s + c.loyalty_contract_reminder_days
                  AND COALESCE(manager.id, salesperson.id) IS NOT NULL
                  AND NOT EXISTS (
                      SELECT 1 FROM mail_activity a
                       WHERE a.res_model = 'res.partner' AND a.res_id = p.id AND a.activity_type_id = %(type)s
                         AND (a.active OR a.date_deadline >= p.channel_contract_end - c.loyalty_contract_reminder_days))
                ORDER BY p.id, c.sequence, c.id""",
            today=today, lead=CONTRACT_REMINDER_LEAD_DAYS, type=activity_type.id))
        if not rows:
            return self.env['mail.activity']
        model_id = self.env['ir.model']._get_id('res.partner')
        return self.env['mail.activity'].sudo().create([{
            'res_model_id': model_id, 'res_id': partner_id, 'activity_type_id': activity_type.id,
            'user_id': user_id, 'date_deadline': deadline, 'automated': True,
            'summary': activity_type.summary,
            'note': self.env._("The distribution contract ends on %(date)s.",
                               date=format_date(self.env, contract_end)),
        } for partner_id, user_id, deadline, contract_end in rows])

    # --- Channel scorecard -------------------------------------------------------------

    @api.depends_context('company')
    @api.depends('channel_role', 'commercial_partner_id')
    def _compute_channel_scores(self):
        """The current company's scorecard of each channel partner (his company's, for a
        contact), read in one query for the recordset."""
        commercial_ids = {
            partner: partner.commercial_partner_id._origin.id for partner in self if partner.channel_role}
        partner_ids = {pid for pid in commercial_ids.values() if pid}
        scorecards = self.env['crm.loyalty.channel.scorecard']._read_scorecards(
            sorted(partner_ids), self.env.company) if partner_ids else {}
        for partner in self:
            scorecard = scorecards.get(commercial_ids.get(partner), {})
            for name in SCORE_FIELDS:
                partner[f'channel_score_{name}'] = scorecard.get(name) or 0

    # --- Complaints and lost customers --------------------------------------------------

    def _loyalty_recount_complaints(self, moved_from):
        """The partners changed company (``moved_from``: their commercial partners before):
        the complaints of a contact now count for his new company."""
        partners = moved_from | self.commercial_partner_id
        Complaint = self.env['crm.loyalty.complaint'].sudo()
        [[companies]] = Complaint._read_group(
            [('commercial_partner_id', 'in', partners.ids)], [], ['company_id:recordset'])
        Complaint._update_partner_complaint_counts(
            {(company.id, partner_id) for company in companies for partner_id in partners.ids})

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

    # =====================================================================================
    # Relationship value: referrals, share of wallet, capability
    # The five dimensions of a relationship's value (profitability, lifetime, capability,
    # referral and potential value) on the Loyalty tab; the engine computes the figures of
    # this section in its scores step (``crm.loyalty.engine._build_value_figures``).
    # =====================================================================================

    loyalty_referred_by_id = fields.Many2one(
        'res.partner', 'Referred By', index='btree_not_null', copy=False,
        help="Who recommended you to this customer: set by hand, or from the won opportunity that brought him. "
             "His referral value goes to the referrer's company when the referrer is one of its contacts.")
    loyalty_referral_count = fields.Integer(
        'Referred Customers', aggregator='sum', **LOYALTY,
        help="Customers this customer (or one of his contacts) referred who bought from you.")
    loyalty_referral_revenue = fields.Float(
        'Referred Revenue (window)', aggregator='sum', **LOYALTY,
        help="What the customers he referred bought in the scoring window, untaxed, in the company's currency.")
    loyalty_referral_revenue_total = fields.Float(
        'Referred Revenue (ever)', aggregator='sum', **LOYALTY,
        help="What the customers he referred bought ever, untaxed, in the company's currency.")
    loyalty_wallet_estimate = fields.Float(
        'Wallet Estimate', company_dependent=True, copy=False,
        help="What the customer spends a year on what you sell, with you and with your competitors, as his "
             "salesperson estimates it. Empty: the default of his customer tag, if any "
             "(Configuration → Default Wallet Estimates).")
    loyalty_wallet_estimated_by_id = fields.Many2one(
        'res.users', 'Wallet Estimated By', **LOYALTY, help="Who entered the wallet estimate.")
    loyalty_wallet_potential = fields.Float(
        'Annual Wallet', aggregator='sum', **LOYALTY,
        help="The annual wallet the share is measured against: the salesperson's estimate, else the default "
             "of the customer's tag. Computed with the other figures.")
    loyalty_wallet_category_id = fields.Many2one(
        'res.partner.category', 'Wallet Default of Tag', **LOYALTY,
        help="The customer tag whose default wallet is used, when the salesperson entered no estimate.")
    loyalty_wallet_share = fields.Float(
        'Share of Wallet', aggregator='avg', digits=(16, 4), **LOYALTY,
        help="Window revenue per year (revenue of the scoring window × 12 ÷ its months) divided by the annual "
             "wallet: how much of what the customer spends on what you sell he spends with you. Empty "
             "without a wallet estimate.")
    loyalty_wallet_low_share = fields.Boolean(
        'Low Share of a Large Wallet', **LOYALTY,
        help="A wallet at least the median of the company's estimated wallets, of which you have less than a "
             "quarter: a customer worth growing.")
    loyalty_wallet_source = fields.Char(
        'Wallet Source', compute='_compute_loyalty_wallet_source',
        help="Where the annual wallet comes from: the salesperson's estimate or a tag's default.")
    loyalty_revenue_growth = fields.Float(
        'Revenue Growth (per month)', aggregator='avg', digits=(16, 4), **LOYALTY,
        help="Capability value: the trend of the window revenue over the last six months (the monthly "
             "snapshots and today's figure, fitted by a straight line), per month, relative to its mean. "
             "Empty with fewer than three months or no revenue.")

    # --- The preference card (客户资料卡) ------------------------------------------------

    loyalty_preference_ids = fields.One2many(
        'crm.loyalty.preference', 'partner_id', 'Usual Purchases',
        domain=lambda self: [('company_id', '=', self.env.company.id)])
    loyalty_favourite_product_ids = fields.Many2many(
        'product.product', compute='_compute_loyalty_preferences', string='Favourite Products',
        help="The products the customer bought on the most days of the scoring window, two days at least (up to "
             "three; equal ones all kept). In an email template: "
             "{{ object.loyalty_favourite_product_ids[:1].name }}.")
    loyalty_favourite_category_ids = fields.Many2many(
        'product.category', compute='_compute_loyalty_preferences', string='Favourite Categories',
        help="The product categories the customer bought on the most days of the scoring window, two days at "
             "least (up to three; equal ones all kept).")
    loyalty_usual_order_product_ids = fields.Many2many(
        'product.product', compute='_compute_loyalty_preferences', string='Usual Order',
        help="The products the customer bought together on the most days of the scoring window (twice at "
             "least).")
    loyalty_usual_weekday = fields.Selection(
        WEEKDAYS, 'Usual Order Day', **LOYALTY,
        help="The weekday the customer buys on most often (the company's days), once he bought on two days.")
    loyalty_contact_channel = fields.Selection(
        CONTACT_CHANNELS, 'Preferred Contact Channel',
        help="How the customer likes to be contacted.")
    loyalty_preference_notes = fields.Text(
        'Preferences', help="What the customer likes and how: his usual seat, his usual tea, his delivery "
                            "window... Free text for whoever serves him.")

    @api.depends_context('company')
    @api.depends('commercial_partner_id')
    def _compute_loyalty_preferences(self):
        rows = self.env['crm.loyalty.preference'].search([
            ('partner_id', 'in', self.commercial_partner_id.ids), ('company_id', '=', self.env.company.id)])
        card = defaultdict(lambda: self.env['crm.loyalty.preference'])
        for row in rows:
            card[row.partner_id, row.kind] |= row
        for partner in self:
            customer = partner.commercial_partner_id
            partner.loyalty_favourite_product_ids = card[customer, 'product'].product_id
            partner.loyalty_favourite_category_ids = card[customer, 'category'].category_id
            partner.loyalty_usual_order_product_ids = card[customer, 'basket'].product_id

    # --- Share of wallet and referrals --------------------------------------------------

    @api.depends_context('company')
    @api.depends('commercial_partner_id', 'loyalty_wallet_estimate', 'loyalty_wallet_estimated_by_id',
                 'loyalty_wallet_category_id')
    def _compute_loyalty_wallet_source(self):
        for partner in self:
            customer = partner.commercial_partner_id
            if customer.loyalty_wallet_estimate:
                author = customer.loyalty_wallet_estimated_by_id
                partner.loyalty_wallet_source = (_("Estimated by %s", author.name) if author
                                                 else _("Estimated by the salesperson"))
            elif partner.loyalty_wallet_category_id:
                partner.loyalty_wallet_source = _("Default of the tag %s", partner.loyalty_wallet_category_id.name)
            else:
                partner.loyalty_wallet_source = _("No estimate")

    @api.constrains('loyalty_referred_by_id', 'loyalty_wallet_estimate')
    def _check_loyalty_value_on_the_customer(self):
        # the figures are the customer's (his company's, for a contact): set there, not on a contact
        for partner in self:
            if partner.commercial_partner_id != partner and (
                    partner.loyalty_referred_by_id or partner.loyalty_wallet_estimate):
                raise ValidationError(_(
                    "The referrer and the wallet estimate are the customer's: set them on %(customer)s, "
                    "not on his contact %(contact)s.",
                    customer=partner.commercial_partner_id.display_name, contact=partner.display_name))

    @api.constrains('loyalty_referred_by_id')
    def _check_loyalty_referred_by(self):
        for partner in self:
            if partner.loyalty_referred_by_id.commercial_partner_id == partner.commercial_partner_id:
                raise ValidationError(_("%s cannot be referred by himself or his own company.",
                                        partner.display_name))

    @api.constrains('loyalty_wallet_estimate')
    def _check_loyalty_wallet_estimate(self):
        if any(partner.loyalty_wallet_estimate < 0 for partner in self):
            raise ValidationError(_("A wallet estimate cannot be negative."))

    def _loyalty_wallet_estimate_author(self, vals):
        """``vals`` with the author of the wallet estimate they set: the current user."""
        if 'loyalty_wallet_estimate' not in vals:
            return vals
        return {**vals, 'loyalty_wallet_estimated_by_id': self.env.uid if vals['loyalty_wallet_estimate'] else False}
