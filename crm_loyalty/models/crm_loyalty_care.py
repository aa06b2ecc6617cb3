"""Care rules: who should be cared for today, found in SQL; what to do, as server actions.

Each rule selects its (partner, occurrence) pairs with one set-based query: the trigger's
condition, the administrator's partner domain (as a sub-select), the company, and the
occurrences already in the log left out. Days are the company's (``local_day``), a
birthday the customer's own; a run looks at every day since the rule's last run, so that
a day the job did not run is caught up, not lost. The occurrences are acted on in
batches: their log rows are inserted together (``ON CONFLICT DO NOTHING``) *before*
anything is done, in the transaction that acts on them, so that an occurrence is acted on
at most once even when the cron is killed and re-run, or runs in two workers at once: the
unique index makes the second insert wait for the first transaction and then do nothing.
What to leave out (holdout, cooldown, opt-out, contact cap) is decided in one query per
batch, and each server action runs once on the batch's customers; only when it fails is
the batch split, to find the customers it fails for. The cron works in bounded steps and
reports its progress, so that Odoo calls it again at once while work is left.
"""
import logging
import math
import time
from datetime import datetime, timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, formatLang

from .access import (
    LOYALTY_MANAGER,
    LOYALTY_USER,
    SYSTEM,
    check_group,
    from_code,
    is_from_code,
)
from .cron_step import call_deadline, committing, continue_later, step_seconds, window_spent
from .local_day import company_today, company_tz, day_start_utc, local_day_sql
from .purchases import flush_purchases, purchase_lines_sql, purchases_sql

_logger = logging.getLogger(__name__)

# Customers needed in each of the treated and holdout groups before their repurchase
# shares are compared (the normal approximation of the margin of error needs a few dozen).
MIN_UPLIFT_SAMPLE = 30

TRIGGERS = [
    ('birthday', 'Birthday'),
    ('purchase_anniversary', 'First Purchase Anniversary'),
    ('after_purchase', 'Days After a Purchase'),
    ('dormant', 'Dormant'),
    ('churn_risk_high', 'Churn Risk Became High'),
    ('tier_up', 'Tier Upgrade'),
    ('tier_down', 'Tier Downgrade'),
    ('low_satisfaction', 'Low Satisfaction'),
    ('complaint_resolved', 'Complaint Resolved'),
    ('product_reminder', 'Product Reminder'),
    ('replenishment', 'Replenishment Due'),
    ('no_contact', 'Not Contacted'),
    ('purchase_due', 'Predicted Purchase Due'),
    ('purchase_overdue', 'Past the Predicted Purchase'),
    ('referral_first_purchase', 'A Referred Customer Bought'),
]
CONTACT_ACTIONS = ('mail_post', 'sms', 'loyalty_feedback')   # server actions that reach the customer
# server actions that run code or reach outside: only system administrators may put them in a rule
CODE_ACTIONS = ('code', 'multi', 'webhook')
MAX_ATTEMPTS = 3
# Occurrences claimed, decided and acted on together, and committed together by the cron.
BATCH_SIZE = 500
# Server actions whose code reads ``record``, the one customer: run once per customer of
# a batch. Every other kind runs once on the whole batch (``active_ids``), and so do the
# care rule lines' calls of the addon, which read ``records``.
PER_CUSTOMER_ACTIONS = ('code', 'multi')
# A run catches up at most this many days missed: after a longer outage, older occurrences
# are given up (birthday wishes weeks late do more harm than good).
CATCH_UP_DAYS = 14
# The one trigger that acts on the person (a contact's own birthday); every other trigger
# acts on the customer company, whose contacts carry its figures: once, on the company.
PERSONAL_TRIGGERS = ('birthday',)
# Written by the rule's runs only.
SYSTEM_FIELDS = frozenset({'last_run_date'})


def bought_again_sql(action, company, days):
    """SQL condition: the customer of the care action aliased ``action`` (any contact of his
    company) made a purchase of ``company`` (a ``res.company``; ``purchases``) within ``days``
    days after it (a value or an SQL expression): what the uplift of care counts, for
    treated and holdout customers alike."""
    return SQL(
        """EXISTS (SELECT 1 FROM (%(purchases)s) bought
                     JOIN res_partner ap ON ap.commercial_partner_id = bought.partner_id
                    WHERE ap.id = %(action)s.partner_id AND bought.is_purchase
                      AND bought.moment > %(action)s.date
                      AND bought.moment <= %(action)s.date + %(days)s * INTERVAL '1 day')""",
        purchases=purchases_sql(company), action=SQL.identifier(action), days=days)


def holdout_draw_sql(rule, partner):
    """SQL: the draw, 0 to 99, that puts ``partner`` in ``rule``'s holdout when below its
    percentage (both ids or SQL expressions): uniform, and always the same for them."""
    return SQL("mod(('x' || substr(md5(%s::text || ':' || %s::text), 1, 8))::bit(32)::bigint, 100)", rule, partner)


def runs_code(action):
    """Whether the server action runs Python (code, a computed value) or reaches outside;
    not a care rule line's own call of the addon, as long as it is the line's exactly."""
    step = action.loyalty_care_step_id
    if action.state == 'code' and step and action.code == step._server_action_code():
        return False
    return action.state in CODE_ACTIONS or (action.state == 'object_write' and action.evaluation_type == 'equation')


class CrmLoyaltyCareRule(models.Model):
    _name = 'crm.loyalty.care.rule'
    _description = 'Care Rule'
    _inherit = ['crm.loyalty.system.fields.mixin']
    _loyalty_system_fields = SYSTEM_FIELDS
    _order = 'sequence, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        'res.users', 'Runs As', required=True, default=lambda self: self.env.user, ondelete='restrict', copy=False,
        domain="[('share', '=', False)]",
        help="The rule finds its customers and runs its actions as this user, with his access rights, "
             "also when the hourly job runs it. A loyalty administrator who changes the rule becomes this "
             "user; system administrators can choose any user.")
    trigger = fields.Selection(
        TRIGGERS, required=True, default='birthday',
        help="When the rule acts, on the days of the company's time zone. A birthday is the person's own "
             "(a contact's too, on his day in his time zone); every other trigger is the customer company's, "
             "whose contacts share its purchases and figures: the rule acts once, on the company.")
    days = fields.Integer(
        'Days', default=0,
        help="The trigger's N: days before the birthday or anniversary, after the purchase or the "
             "resolved complaint, of dormancy or without contact, days to look back for tier changes "
             "and answers, days ahead of the expected replenishment or of the predicted next purchase, "
             "days past the predicted next purchase.")
    partner_domain = fields.Char(
        'Customers', default="[('loyalty_purchase_count_total', '>', 0)]", required=True,
        help="Only customers matching this filter are cared for. By default: those who bought (a company's "
             "contacts carry its purchases).")
    cooldown_days = fields.Integer(
        'Cooldown (days)', default=0,
        help="After acting for a customer, the rule leaves him alone this many days.")
    holdout_percent = fields.Integer(
        'Holdout (%)', default=0,
        help="This share of the eligible customers, drawn at random but always the same for a customer, "
             "is logged and not actioned, to measure whether the care works.")
    action_server_ids = fields.Many2many(
        'ir.actions.server', 'crm_loyalty_care_rule_action_rel', 'rule_id', 'action_id', 'Server Actions',
        domain="[('model_id.model', '=', 'res.partner'), ('usage', '=', 'ir_actions_server'), "
               "('binding_model_id', '=', False), ('loyalty_care_step_id', '=', False)]",
        help="The server actions on the customer the rule runs, in sequence: those of its lines, and any "
             "other a system administrator adds (not the contextual actions of the contacts' menu).")
    step_ids = fields.One2many(
        'crm.loyalty.care.step', 'rule_id', 'What to Do', copy=True,
        help="What the rule does for each customer it selects, line by line: schedule an activity, send an "
             "email, add or remove a tag, set a loyalty field, ask for his satisfaction, create a win-back "
             "opportunity.")
    product_ids = fields.Many2many('product.product', string='Products')
    product_category_ids = fields.Many2many('product.category', string='Product Categories')
    favourite_products_only = fields.Boolean(
        'His Usual Products Only',
        help="Replenishment: only the products of the customer's preference card (his favourite products and "
             "his usual order, from the last recompute), so that he is reminded of what he buys out of habit, "
             "not of what he has stopped buying.")
    satisfaction_level = fields.Selection(
        [('1', '1'), ('2', '2'), ('3', '3')], 'At or Below', default='2',
        help="Low satisfaction: answers at or below this score, or a detractor's recommendation.")
    trusted_predictions_only = fields.Boolean(
        'Only on Trusted Predictions',
        help="Act only while the company's lifetime value models earn grade A or B in their last check "
             "(Settings → Prediction Quality): a grade C model, or none checked yet, leaves the rule idle.")
    uplift_days = fields.Integer('Repurchase Within (days)', default=60,
                                 help="The window in which treated and holdout customers' repurchases are compared.")
    last_run_date = fields.Date(
        'Evaluated Up To', readonly=True, copy=False,
        help="The last day (of the company's calendar) the rule looked at. A run looks at every day since, so "
             "that the days the hourly job did not run are caught up, at most 14 days back. A new or "
             "re-activated rule starts on its first day.")
    care_action_ids = fields.One2many('crm.loyalty.care.action', 'rule_id', 'Log')
    preview_count = fields.Integer('Eligible Now', compute='_compute_preview_count')
    done_count = fields.Integer(compute='_compute_stats')
    failed_count = fields.Integer(compute='_compute_stats')
    treated_count = fields.Integer('Treated', compute='_compute_uplift',
                                   help="Customers the rule acted on.")
    treated_repurchase = fields.Float(
        'Treated Repurchase', compute='_compute_uplift',
        help="Share (0 to 1) of the treated customers who bought again within the window.")
    holdout_count = fields.Integer('Holdout', compute='_compute_uplift',
                                   help="Customers the rule selected but left alone, to compare with.")
    holdout_repurchase = fields.Float(
        'Holdout Repurchase', compute='_compute_uplift',
        help="Share (0 to 1) of the holdout customers who bought again within the window.")
    uplift_verdict = fields.Char(
        'Uplift', compute='_compute_uplift',
        help="Treated repurchase minus holdout repurchase, in points, with its 95 % margin of error and the "
             f"sizes of both groups; below {MIN_UPLIFT_SAMPLE} customers in a group, too few to conclude.")

    # --- checks -----------------------------------------------------------------------

    @api.constrains('days', 'cooldown_days', 'holdout_percent', 'uplift_days')
    def _check_numbers(self):
        for rule in self:
            if rule.days < 0 or rule.cooldown_days < 0 or rule.uplift_days < 0:
                raise ValidationError(_("The days of the rule “%s” cannot be negative.", rule.name))
            if not 0 <= rule.holdout_percent <= 50:
                raise ValidationError(_("The holdout of the rule “%s” must be between 0 and 50 %%.", rule.name))

    @api.constrains('partner_domain')
    def _check_partner_domain(self):
        # the filter's fields and operators only: its result depends on who runs it, and
        # the rule acts on the customers of its own company whatever the filter says
        for rule in self:
            rule._partner_domain()

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._owner_vals(vals) for vals in vals_list]
        rules = super().create(vals_list)
        rules._link_own_steps()
        rules._check_code_rights()
        rules.filtered(lambda rule: not rule.last_run_date)._start_today()
        return rules

    def write(self, vals):
        self._check_code_rights()     # as it was: a rule that runs code stays the system administrators'
        reactivated = self.filtered(lambda rule: not rule.active) if vals.get('active') else self.browse()
        res = super().write(self._owner_vals(vals))
        if not vals or {'action_server_ids', 'step_ids'} & vals.keys():     # no vals: its lines changed
            self._link_own_steps()
        self._check_code_rights()     # as it is now
        reactivated._start_today()
        if 'name' in vals:
            self.step_ids._sync_server_actions()
        return res

    def _steps_changed(self):
        """A change of the rule's lines is a change of the rule: made with the user's rights
        to change it, and a loyalty administrator who makes it becomes its user."""
        self.write({})

    def _link_own_steps(self):
        """The rule runs the server actions of its own lines, not those of another rule's
        (a copied rule has lines of its own)."""
        for rule in self.sudo():
            actions = rule.action_server_ids
            own = rule.step_ids.action_server_id
            foreign = actions.filtered('loyalty_care_step_id') - own
            if foreign or own - actions:
                rule.write({'action_server_ids': [
                    *(Command.unlink(action.id) for action in foreign),
                    *(Command.link(action.id) for action in own - actions)]})

    def _start_today(self):
        """A new or re-activated rule does not act on the past: it looks at today onwards."""
        for rule in self:
            rule.sudo().last_run_date = company_today(rule.company_id) - timedelta(days=1)

    def unlink(self):
        self._check_code_rights()
        return super().unlink()

    def _is_rule_admin(self):
        return self.env.su or self.env.user.has_group(SYSTEM)

    def _owner_vals(self, vals):
        """A loyalty administrator who configures a rule answers for it: it runs as him.
        System administrators may make it run as anyone."""
        if self._is_rule_admin():
            return vals
        if vals.get('user_id', self.env.uid) != self.env.uid:
            raise AccessError(_("Only system administrators can make a care rule run as another user."))
        return {**vals, 'user_id': self.env.uid}

    def _check_code_rights(self):
        """Only system administrators configure a rule whose actions run code."""
        if self._is_rule_admin():
            return
        for rule in self:
            if rule.sudo().action_server_ids.filtered(runs_code):
                raise AccessError(_("Only system administrators can change the care rule “%s”: one of its "
                                    "actions runs code.", rule.name))

    @api.constrains('trigger', 'product_ids', 'product_category_ids')
    def _check_products(self):
        for rule in self:
            if rule.trigger == 'product_reminder' and not (rule.product_ids or rule.product_category_ids):
                raise ValidationError(_("The product reminder “%s” needs products or product categories.",
                                        rule.name))

    @api.constrains('action_server_ids')
    def _check_actions(self):
        for rule in self:
            for action in rule.action_server_ids:
                if action.model_id.model != 'res.partner':
                    raise ValidationError(_("The action “%s” does not act on customers.", action.name))
                if action.state == 'mail_post' and not action.template_id:
                    raise ValidationError(_("The email action “%s” has no template.", action.name))

    def _partner_domain(self):
        self.ensure_one()
        try:
            domain = self.env['res.partner']._loyalty_parse_domain(self.partner_domain)
        except Exception as error:  # any parse error is the user's invalid domain
            raise ValidationError(_("The customers' filter of the rule “%(rule)s” is not a valid domain: %(error)s",
                                    rule=self.name, error=error)) from error
        return domain

    # --- candidates -------------------------------------------------------------------

    def _moment(self, today=None):
        """(today, now): the company's day a run evaluates, and the moment it runs at (for
        the customers' own days). By default the real current time; with ``today`` (tests,
        benchmarks), the end of that day. Tests may set the moment with the context key
        ``crm_loyalty_now``, honoured only as a real ``datetime`` (RPC can only send text)."""
        now = self.env.context.get('crm_loyalty_now')
        if not isinstance(now, datetime):
            now = (day_start_utc(self.company_id, today + timedelta(days=1)) - timedelta(seconds=1)
                   if today else fields.Datetime.now())
        return today or company_today(self.company_id, now), now

    def _first_day(self, today):
        """The first day a run on ``today`` evaluates: the day after the last one evaluated
        (at most ``CATCH_UP_DAYS`` back), and ``today`` always."""
        since = self.last_run_date + timedelta(days=1) if self.last_run_date else today
        return min(max(since, today - timedelta(days=CATCH_UP_DAYS)), today)

    def _trigger_sql(self, since, today, now):
        """SELECT partner_id, occurrence of the trigger's condition on the company's days
        ``since`` to ``today``, at the moment ``now``: the rule's ``_trigger_sql_<trigger>``.
        The occurrence names what is acted on (the year of a birthday, the day of a
        purchase...) whatever day it is found on."""
        self.ensure_one()
        return getattr(self, f'_trigger_sql_{self.trigger}')(since, today, now)

    # The pieces the triggers share: the partner's figures of the rule's company, the days
    # celebrated in a range, a datetime column on the company's days.

    def _figure_sql(self, field, cast='date'):
        return SQL("(p.%s ->> %s)::%s", SQL.identifier(field), str(self.company_id.id), SQL(cast))

    @staticmethod
    def _celebrated_sql(first, last):
        """Rows (day, MM-DD celebrated on it) of each day from first to last: its own MM-DD,
        and 29 February on 28 February of the years without one."""
        return SQL(
            """SELECT d::date, TO_CHAR(d, 'MM-DD') FROM generate_series(%(first)s::date, %(last)s::date,
                                                                        INTERVAL '1 day') d
               UNION ALL
               SELECT d::date, '02-29' FROM generate_series(%(first)s::date, %(last)s::date, INTERVAL '1 day') d
                WHERE TO_CHAR(d, 'MM-DD') = '02-28' AND EXTRACT(DAY FROM d + INTERVAL '1 day') = 1""",
            first=first, last=last)

    def _within_sql(self, column, first, last):
        """The UTC datetime ``column`` falls on one of the company's days first to last."""
        return SQL("(%(col)s >= %(start)s AND %(col)s < %(end)s)", col=column,
                   start=day_start_utc(self.company_id, first),
                   end=day_start_utc(self.company_id, last + timedelta(days=1)))

    def _trigger_sql_birthday(self, since, today, now):
        # the customer's own days (his time zone, else the company's) that overlap the run's
        n = self.days
        customer_tz = SQL("COALESCE(NULLIF(p.tz, ''), %s)", company_tz(self.company_id))
        return SQL(
            """SELECT p.id, EXTRACT(YEAR FROM c.day)::text FROM res_partner p
                 JOIN (%(celebrated)s) AS c(day, mm_dd) ON c.mm_dd = TO_CHAR(p.birthday, 'MM-DD')
                WHERE p.birthday IS NOT NULL AND c.day - %(n)s BETWEEN %(since)s AND %(today)s""",
            # two days of margin: a customer's day is at most that far from the company's
            celebrated=self._celebrated_sql(since + timedelta(days=n - 2), today + timedelta(days=n + 2)), n=n,
            since=local_day_sql(day_start_utc(self.company_id, since), customer_tz),
            today=local_day_sql(now, customer_tz))

    def _trigger_sql_purchase_anniversary(self, since, today, now):
        first = self._figure_sql('loyalty_first_purchase_date')
        return SQL(
            """SELECT p.id, EXTRACT(YEAR FROM c.day)::text FROM res_partner p
                 JOIN (%(celebrated)s) AS c(day, mm_dd) ON c.mm_dd = TO_CHAR(%(first)s, 'MM-DD')
                WHERE %(first)s < DATE_TRUNC('year', c.day)""",
            celebrated=self._celebrated_sql(since + timedelta(days=self.days), today + timedelta(days=self.days)),
            first=first)

    def _trigger_sql_after_purchase(self, since, today, now):
        last = self._figure_sql('loyalty_last_purchase_date')
        return SQL(
            "SELECT p.id, %(last)s::text FROM res_partner p WHERE %(last)s BETWEEN %(first)s AND %(today)s",
            last=last, first=since - timedelta(days=self.days), today=today - timedelta(days=self.days))

    def _trigger_sql_dormant(self, since, today, now):
        last = self._figure_sql('loyalty_last_purchase_date')
        return SQL("SELECT p.id, 'since ' || %s FROM res_partner p WHERE %s <= %s",
                   last, last, today - timedelta(days=self.days))

    def _trigger_sql_churn_risk_high(self, since, today, now):
        return SQL("SELECT p.id, 'since ' || %s FROM res_partner p WHERE %s = 'high'",
                   self._figure_sql('loyalty_last_purchase_date'), self._figure_sql('churn_risk', 'varchar'))

    def _tier_change_sql(self, direction, since):
        return SQL(
            """SELECT h.partner_id, 'change ' || h.id FROM crm_loyalty_tier_history h
                WHERE h.company_id = %s AND h.direction = %s AND h.date >= %s""",
            self.company_id.id, direction, since - timedelta(days=self.days))

    def _trigger_sql_tier_up(self, since, today, now):
        return self._tier_change_sql('up', since)

    def _trigger_sql_tier_down(self, since, today, now):
        return self._tier_change_sql('down', since)

    def _trigger_sql_low_satisfaction(self, since, today, now):
        return SQL(
            """SELECT f.commercial_partner_id, 'answer ' || f.id FROM crm_loyalty_feedback f
                WHERE f.company_id = %s AND f.state = 'answered' AND %s
                  AND (f.score::int <= %s OR f.nps_category = 'detractor')""",
            self.company_id.id, self._within_sql(SQL("f.date"), since - timedelta(days=self.days), today),
            int(self.satisfaction_level or 2))

    def _trigger_sql_complaint_resolved(self, since, today, now):
        return SQL(
            """SELECT c.commercial_partner_id, 'complaint ' || c.id FROM crm_loyalty_complaint c
                WHERE c.company_id = %s AND c.state IN ('resolved', 'closed') AND %s""",
            self.company_id.id, self._within_sql(SQL("c.date_resolved"), since - timedelta(days=self.days),
                                                 today - timedelta(days=self.days)))

    def _trigger_sql_product_reminder(self, since, today, now):
        return SQL(
            """SELECT DISTINCT l.partner_id, l.reference
                 FROM (%s) l
                 JOIN product_product pp ON pp.id = l.product_id
                 JOIN product_template pt ON pt.id = pp.product_tmpl_id
                WHERE l.product_id = ANY(%s) OR pt.categ_id = ANY(%s)""",
            purchase_lines_sql(self.company_id, since - timedelta(days=self.days),
                               today - timedelta(days=self.days - 1)),
            self.product_ids._origin.ids, self._category_ids())

    def _trigger_sql_replenishment(self, since, today, now):
        return self._replenishment_sql(today)

    # the next purchase the customer's own rhythm predicts (lib.clv.time_to_next_purchase),
    # once per purchase: a new purchase starts a new occurrence

    def _trigger_sql_purchase_due(self, since, today, now):
        return SQL(
            """SELECT p.id, 'after ' || %(last)s FROM res_partner p
                WHERE %(next)s - %(n)s <= %(today)s AND %(next)s >= %(today)s""",
            last=self._figure_sql('loyalty_last_purchase_date'), next=self._figure_sql('loyalty_next_purchase_date'),
            n=self.days, today=today)

    def _trigger_sql_purchase_overdue(self, since, today, now):
        return SQL(
            "SELECT p.id, 'overdue after ' || %(last)s FROM res_partner p WHERE %(next)s + %(n)s < %(today)s",
            last=self._figure_sql('loyalty_last_purchase_date'), next=self._figure_sql('loyalty_next_purchase_date'),
            n=self.days, today=today)

    def _trigger_sql_referral_first_purchase(self, since, today, now):
        # the referrer's company, N days after the first purchase of a customer he referred
        first = SQL("(c.loyalty_first_purchase_date ->> %s)::date", str(self.company_id.id))
        return SQL(
            """SELECT r.commercial_partner_id, 'referred ' || c.id FROM res_partner c
                 JOIN res_partner r ON r.id = c.loyalty_referred_by_id
                WHERE c.id = c.commercial_partner_id AND r.commercial_partner_id != c.id
                  AND %(first)s BETWEEN %(since)s AND %(today)s""",
            first=first, since=since - timedelta(days=self.days), today=today - timedelta(days=self.days))

    def _trigger_sql_no_contact(self, since, today, now):
        return SQL(
            """SELECT p.id, 'since ' || COALESCE(lc.day::text, 'ever') FROM res_partner p
                 LEFT JOIN LATERAL (
                      SELECT %s AS day FROM mail_message m
                       WHERE m.model = 'res.partner' AND m.res_id = p.id
                         AND m.message_type IN ('email', 'comment', 'email_outgoing')) lc ON TRUE
                WHERE COALESCE(lc.day, '1900-01-01') <= %s""",
            local_day_sql(SQL("MAX(m.date)"), company_tz(self.company_id)), today - timedelta(days=self.days))

    def _category_ids(self):
        return self.env['product.category'].search([('id', 'child_of', self.product_category_ids._origin.ids)]).ids \
            if self.product_category_ids else []

    def _replenishment_sql(self, today):
        """Customers whose own rhythm for a product (bought on two days at least: his mean
        interval between them) says he runs out within N days, until a whole further interval
        has passed without his buying it: then he has stopped, a win-back, not a refill."""
        products = SQL("TRUE") if not (self.product_ids or self.product_category_ids) else SQL(
            "(l.product_id = ANY(%s) OR pt.categ_id = ANY(%s))", self.product_ids._origin.ids, self._category_ids())
        # looked up once per customer and product, not once per order line of his history
        usual = SQL("TRUE") if not self.favourite_products_only else SQL(
            """EXISTS (SELECT 1 FROM crm_loyalty_preference f
                        WHERE f.partner_id = r.partner_id AND f.company_id = %s AND f.product_id = r.product_id)""",
            self.company_id.id)
        return SQL(
            """SELECT r.partner_id, 'product ' || r.product_id || ' after ' || r.last_day FROM (
                   SELECT l.partner_id, l.product_id, MAX(l.day) AS last_day,
                          ((MAX(l.day) - MIN(l.day)) / (COUNT(DISTINCT l.day) - 1))::int AS interval
                     FROM (%(lines)s) l
                     JOIN product_product pp ON pp.id = l.product_id
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                    WHERE %(products)s
                    GROUP BY 1, 2
                   HAVING COUNT(DISTINCT l.day) >= 2) r
                WHERE r.last_day + r.interval - %(n)s <= %(today)s
                  AND %(today)s < r.last_day + 2 * r.interval AND %(usual)s""",
            lines=purchase_lines_sql(self.company_id, date_to=today + timedelta(days=1)),
            today=today, products=products, usual=usual, n=self.days)

    def _candidates_sql(self, since, today, now):
        """(partner_id, occurrence) to act on for the days ``since`` to ``today``: trigger,
        filter, company, the company itself for all but personal triggers, not yet logged."""
        self.ensure_one()
        query = self._as_owner()['res.partner']._search(self._partner_domain())
        return SQL(
            """SELECT DISTINCT t.partner_id, t.occurrence
                 FROM (%(trigger)s) AS t(partner_id, occurrence)
                 JOIN res_partner p ON p.id = t.partner_id
                WHERE p.active AND (p.company_id IS NULL OR p.company_id = %(company)s)
                  AND (%(personal)s OR p.id = p.commercial_partner_id)
                  AND t.occurrence IS NOT NULL
                  AND t.partner_id IN %(filter)s
                  AND NOT EXISTS (SELECT 1 FROM crm_loyalty_care_action a
                                   WHERE a.rule_id = %(rule)s AND a.partner_id = t.partner_id
                                     AND a.occurrence = t.occurrence)
                ORDER BY t.partner_id, t.occurrence""",
            trigger=self._trigger_sql(since, today, now), company=self.company_id.id,
            personal=self.trigger in PERSONAL_TRIGGERS, filter=query.subselect(),
            # the rule being edited in a form is a new record: its log is that of the saved rule
            rule=self._origin.id or 0)

    def _as_owner(self):
        """The environment the rule runs in: its user's, in its company."""
        return self.with_user(self.user_id).with_company(self.company_id).env

    def _predictions_trusted(self):
        """Whether the company's last check of its predictions earned grade A or B."""
        return (self.company_id.sudo().loyalty_clv_backtest or {}).get('grade') in ('A', 'B')

    def _candidates(self, today=None, now=None):
        """(partner_id, occurrence) a run would act on: on ``today`` (default: the company's
        current day) and the days missed since the last run, at the moment ``now``. None
        while the rule asks for trusted predictions that the company has not."""
        self.ensure_one()
        if self.trusted_predictions_only and not self._predictions_trusted():
            return []
        if now is None:
            today, now = self._moment(today)
        self.env.flush_all()
        self.env.cr.execute(self._candidates_sql(self._first_day(today), today, now))
        return self.env.cr.fetchall()

    # --- stats ------------------------------------------------------------------------

    @api.depends('trigger', 'days', 'partner_domain', 'company_id', 'user_id', 'satisfaction_level',
                 'trusted_predictions_only', 'product_ids', 'product_category_ids', 'favourite_products_only')
    def _compute_preview_count(self):
        # also while the form is being edited (a new record): what the rule would select if saved
        for rule in self:
            try:
                rule.preview_count = len({pid for pid, _occ in rule._candidates()})
            except ValidationError:
                rule.preview_count = 0

    def _compute_stats(self):
        counts = {(rule, state): count for rule, state, count in self.env['crm.loyalty.care.action']._read_group(
            [('rule_id', 'in', self.ids)], ['rule_id', 'state'], ['__count'])}
        for rule in self:
            rule.done_count = counts.get((rule, 'done'), 0)
            rule.failed_count = counts.get((rule, 'failed'), 0)

    def _compute_uplift(self):
        """Share of treated and holdout customers who bought within ``uplift_days`` of the
        action: the difference is what the care brings."""
        for rule in self:
            rule.treated_count = rule.holdout_count = 0
            rule.treated_repurchase = rule.holdout_repurchase = 0.0
            if not rule.id:
                continue
            self.env['crm.loyalty.care.action'].flush_model(['rule_id', 'state', 'partner_id', 'date'])
            flush_purchases(self.env)
            rows = self.env.execute_query(SQL(
                """SELECT a.state, COUNT(*), COUNT(*) FILTER (WHERE %(bought)s)
                     FROM crm_loyalty_care_action a
                    WHERE a.rule_id = %(rule)s AND a.state IN ('done', 'holdout')
                    GROUP BY a.state""",
                bought=bought_again_sql('a', rule.company_id, rule.uplift_days), rule=rule.id))
            for state, count, bought in rows:
                rate = bought / count if count else 0.0
                if state == 'done':
                    rule.treated_count, rule.treated_repurchase = count, rate
                else:
                    rule.holdout_count, rule.holdout_repurchase = count, rate
        for rule in self:
            rule.uplift_verdict = rule._uplift_verdict()

    def _uplift_verdict(self):
        """“+12.5 points (±8.1), 240 treated against 60 held out”, or why there is nothing to
        conclude: the difference of two shares and its 95 % margin of error (normal
        approximation, which needs a few dozen customers in each group)."""
        treated, holdout = self.treated_count, self.holdout_count
        if not treated and not holdout:
            return _("Nobody selected yet.")
        if not holdout:
            return _("No holdout to compare with: set a holdout share.")
        if treated < MIN_UPLIFT_SAMPLE or holdout < MIN_UPLIFT_SAMPLE:
            return _("Too few customers to conclude: %(treated)s treated and %(holdout)s held out "
                     "(at least %(minimum)s in each group).",
                     treated=treated, holdout=holdout, minimum=MIN_UPLIFT_SAMPLE)
        p_t, p_h = self.treated_repurchase, self.holdout_repurchase
        uplift = 100 * (p_t - p_h)
        margin = 100 * 1.96 * math.sqrt(p_t * (1 - p_t) / treated + p_h * (1 - p_h) / holdout)
        values = {'uplift': ('+' if uplift > 0 else '') + formatLang(self.env, uplift, digits=1),
                  'margin': formatLang(self.env, margin, digits=1), 'treated': treated, 'holdout': holdout}
        if abs(uplift) > margin:
            return _("%(uplift)s points (±%(margin)s), %(treated)s treated against %(holdout)s held out.",
                     **values)
        return _("%(uplift)s points (±%(margin)s): within chance so far, %(treated)s treated against "
                 "%(holdout)s held out.", **values)

    # --- running ----------------------------------------------------------------------

    def action_preview(self):
        """The customers the rule would act on now. Loyalty users."""
        self.ensure_one()
        check_group(self.env, LOYALTY_USER)
        self.check_access('read')
        partner_ids = list({pid for pid, _occ in self._candidates()})
        return {
            'type': 'ir.actions.act_window', 'res_model': 'res.partner', 'view_mode': 'list,form',
            'name': _("Would be actioned now: %s", self.name),
            'domain': [('id', 'in', partner_ids)], 'context': {'create': False},
        }

    def action_run(self):
        """Run the rules now, as their users. Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can run a care rule."))
        self.check_access('write')
        # a rule with nothing to do would log its customers skipped: cared for by nobody, for good
        if idle := self.filtered(lambda rule: not rule.action_server_ids):
            raise UserError(_("Nothing to do yet for %(rules)s: add a line to What to Do first.",
                              rules=", ".join(idle.mapped('name'))))
        logs = self.env['crm.loyalty.care.action']
        for rule in self:
            logs |= rule._run()
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'success' if logs else 'info', 'sticky': bool(logs.filtered(
                lambda log: log.state == 'failed')), 'message': logs._summary(),
                       'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }

    @api.model
    def _cron_run(self):
        """One bounded step of every rule: batches until a quarter of the cron's time limit
        is spent, each committed, so that a killed step loses at most its batch. Reports
        its progress, so that Odoo calls again at once while occurrences are left. A rule
        that raises is logged (its batch undone), the others still run; it catches up on
        its next run. A rule with nothing to do waits: its customers stay to be cared for
        once it has a line."""
        rules = self.search([('action_server_ids', '!=', False)])
        if window_spent(self.env):
            continue_later(self.env, 'crm_loyalty.ir_cron_loyalty_care', 0, len(rules))
            return
        commit = committing()
        deadline = call_deadline(self.env, step_seconds())
        done = left = 0
        statements = self.env.cr.sql_log_count
        for index, rule in enumerate(rules):
            if index and time.monotonic() > deadline:
                left += len(rules) - index      # the rules not looked at: at least one each
                break
            rule_id = rule.id
            try:
                if commit:
                    logs, rest = from_code(rule, 'crm_loyalty_commit')._run_step(deadline=deadline)
                    self.env.cr.commit()  # pylint: disable=invalid-commit (the rule's last day evaluated)
                else:
                    with self.env.cr.savepoint():
                        logs, rest = rule._run_step(deadline=deadline)
                done, left = done + len(logs), left + rest
            except Exception:
                # an administrator's filter may fail in any way
                if commit:
                    self.env.cr.rollback()
                _logger.exception("Care rule %s failed; the other rules run, it catches up next time", rule_id)
        _logger.info("Care job: %d occurrences acted on, %d left, %d SQL statements",
                     done, left, self.env.cr.sql_log_count - statements)
        continue_later(self.env, 'crm_loyalty.ir_cron_loyalty_care', done, left)

    def _is_holdout(self, partner_id):
        """Deterministic and uniform: the same partner is always in or out of a rule's holdout."""
        [[holdout]] = self.env.execute_query(SQL("SELECT %s < %s", holdout_draw_sql(self.id, partner_id),
                                                 self.holdout_percent))
        return holdout

    def _contact_actions(self):
        return self.action_server_ids.filtered(
            lambda a: a.state in CONTACT_ACTIONS and not (a.state == 'mail_post' and a.mail_post_method == 'note'))

    def _run(self, today=None):
        """Act on the occurrences of today and of the days missed since the last run; retry
        the failed ones. Returns the new log rows."""
        return self._run_step(today)[0]

    def _run_step(self, today=None, deadline=None):
        """Act on the occurrences of today and of the days missed since the last run, a
        batch at a time (committed each when the cron runs the rule), after another
        chance for earlier failures. With ``deadline`` (``time.monotonic()``), stops
        after the first batch that ends after it. Returns (the new log rows, the
        occurrences left); the day counts as evaluated once none is left."""
        self.ensure_one()
        today, now = self._moment(today)
        Log = self.env['crm.loyalty.care.action'].sudo()
        commit = is_from_code(self.env, 'crm_loyalty_commit')
        # earlier failures get another chance, a bounded number of times
        retries = Log.search([('rule_id', '=', self.id), ('state', '=', 'failed'), ('attempts', '<', MAX_ATTEMPTS)])
        for start in range(0, len(retries), BATCH_SIZE):
            retries[start:start + BATCH_SIZE]._act()
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit (one batch at a time)
        candidates = self._candidates(today, now)
        new_ids = []
        for start in range(0, len(candidates), BATCH_SIZE):
            if deadline and start and time.monotonic() > deadline:
                return Log.browse(new_ids), len(candidates) - start
            batch = Log._claim(self, candidates[start:start + BATCH_SIZE])
            batch._act()
            new_ids += batch.ids
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit (one batch at a time)
        if not self.last_run_date or self.last_run_date < today:
            self.sudo().last_run_date = today
        self.invalidate_recordset(['care_action_ids'])
        self.env['res.partner'].invalidate_model(['care_action_ids'])
        return Log.browse(new_ids), 0
