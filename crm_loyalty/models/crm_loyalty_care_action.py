"""The care log: one row per rule, customer and occurrence, claimed before it is acted on."""
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .access import from_code
from .crm_loyalty_care import CONTACT_ACTIONS, PER_CUSTOMER_ACTIONS, holdout_draw_sql

_logger = logging.getLogger(__name__)


class CrmLoyaltyCareAction(models.Model):
    _name = 'crm.loyalty.care.action'
    _description = 'Care Action'
    _order = 'date desc, id desc'
    _rec_name = 'rule_id'

    rule_id = fields.Many2one('crm.loyalty.care.rule', required=True, index=True, ondelete='cascade')
    partner_id = fields.Many2one('res.partner', 'Customer', required=True, index=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, index=True)
    trigger = fields.Selection(related='rule_id.trigger', store=True)
    occurrence = fields.Char(required=True, help="What this action answers: the year of a birthday, "
                                                 "the purchase, the dormancy episode...")
    state = fields.Selection(
        [('pending', 'Pending'), ('done', 'Done'), ('holdout', 'Holdout'), ('skipped', 'Skipped'),
         ('failed', 'Failed')], required=True, default='pending', index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    attempts = fields.Integer(default=0)
    note = fields.Text()

    _sql_constraints = [
        ('occurrence_unique', 'UNIQUE(rule_id, partner_id, occurrence)',
         "A care rule acts on each occurrence of a customer at most once."),
    ]

    @api.model
    def _claim(self, rule, candidates):
        """Log the (partner_id, occurrence) ``candidates`` of ``rule`` as pending, except those
        already logged: a concurrent run's claim of the same ones waits for this transaction,
        then leaves them to it. Returns the rows claimed."""
        if not candidates:
            return self.browse()
        partner_ids, occurrences = zip(*candidates, strict=True)
        self.flush_model(['rule_id', 'partner_id', 'occurrence'])
        rows = self.env.execute_query(SQL(
            """INSERT INTO crm_loyalty_care_action
                      (rule_id, trigger, partner_id, company_id, occurrence, state, date, attempts,
                       create_uid, create_date, write_uid, write_date)
               SELECT %(rule)s, %(trigger)s, c.partner_id, %(company)s, c.occurrence, 'pending',
                      NOW() AT TIME ZONE 'UTC', 0, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                 FROM unnest(%(partners)s::int[], %(occurrences)s::varchar[]) AS c(partner_id, occurrence)
               ON CONFLICT (rule_id, partner_id, occurrence) DO NOTHING
               RETURNING id""",
            rule=rule.id, trigger=rule.trigger, company=rule.company_id.id, uid=self.env.uid,
            partners=list(partner_ids), occurrences=list(occurrences)))
        return self.browse(sorted(log_id for log_id, in rows))

    def _act(self):
        """Decide for these logs of one rule together (holdout, cooldown, opt-out, cap), then
        run the rule's actions on all their customers at once; a failure is narrowed down
        to the customers it comes from, logged ``failed``, the others are ``done``."""
        if not self:
            return
        rule = self.rule_id
        rule.ensure_one()
        actions = rule.action_server_ids
        staff_actions = actions - rule._contact_actions()
        values = {}         # log: the values it is written
        to_act = {}         # log: (actions, note if done)
        reasons = self.filtered(lambda log: log.state == 'pending')._skip_reasons()
        for log in self:
            kind, reason = reasons.get(log, (False, False))
            log_actions = staff_actions if kind == 'no_contact' else actions
            if kind == 'holdout':
                values[log] = {'state': 'holdout', 'note': reason}
            elif kind == 'skip' or (log.state == 'pending' and not log_actions):
                values[log] = {'state': 'skipped', 'note': reason}
            else:
                to_act[log] = (log_actions, reason)
        failures = {}
        for log_actions in {acts for acts, _reason in to_act.values()}:
            logs = self.browse([log.id for log, (acts, _reason) in to_act.items() if acts == log_actions])
            failures.update(logs._execute(log_actions))
        for log, (_acts, reason) in to_act.items():
            if log in failures:
                values[log] = {'state': 'failed', 'attempts': log.attempts + 1,
                               'note': log._failure_note(failures[log])}
            else:
                values[log] = {'state': 'done', 'attempts': log.attempts + 1, 'note': reason}
        groups = {}
        for log, vals in values.items():
            groups.setdefault(tuple(sorted(vals.items())), []).append(log.id)
        for vals, ids in groups.items():
            self.browse(ids).write(dict(vals))

    def _execute(self, actions):
        """Run ``actions`` on these logs' customers at once, as the rule's user, in a savepoint.
        If that fails, each half is run again, down to the single customers that fail.
        Returns {log: error} of those."""
        if not self or not actions:
            return {}
        owner = self.rule_id._as_owner()
        partner_ids = [log.partner_id.id for log in self]
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                # as the rule's user, with his rights: never as superuser, the hourly job included
                for action in actions.sorted('sequence'):
                    # code reads ``record``, the one customer; every other kind takes them all
                    per_customer = action.state in PER_CUSTOMER_ACTIONS and not action.loyalty_care_step_id
                    runs = [[pid] for pid in partner_ids] if per_customer else [partner_ids]
                    for ids in runs:
                        from_code(action.with_env(owner), 'crm_loyalty_care_batch').with_context(
                            active_model='res.partner', active_id=ids[0], active_ids=ids).run()
                self.env.flush_all()
            return {}
        except Exception as error:  # noqa: BLE001 (an administrator's action may fail in any way)
            self.env.invalidate_all()   # the cache may hold what the savepoint rolled back
            if len(self) == 1:
                return {self: error}
            half = len(self) // 2
            return {**self[:half]._execute(actions), **self[half:]._execute(actions)}

    def _summary(self):
        """What these new log rows did, in a sentence: "Customers actioned: 12, held out to
        measure the effect: 2, skipped: 1 (contact cap reached...)", in customers (a
        replenishment logs one row per product)."""
        if not self:
            return _("Nobody to care for now: no customer meets the rule today.")
        by_state = self.grouped('state')
        counts = {state: len(logs.partner_id) for state, logs in by_state.items()}
        parts = []
        if counts.get('done'):
            parts.append(_("Customers actioned: %s", counts['done']))
        if counts.get('holdout'):
            parts.append(_("held out to measure the effect: %s", counts['holdout']))
        for state, label in (('skipped', _("skipped")), ('failed', _("failed"))):
            if counts.get(state):
                reasons = sorted({note for note in by_state[state].mapped('note') if note})
                parts.append(_("%(what)s: %(count)s (%(why)s)", count=counts[state], what=label,
                               why="; ".join(reasons[:3]) or _("no reason given")))
        text = ", ".join(parts)
        return text[:1].upper() + text[1:] + "."

    def _failure_note(self, error):
        """What a user reads of a failed action: Odoo's message for a refusal or an invalid
        value, else that it failed unexpectedly (the details go to the server log)."""
        if isinstance(error, UserError):      # AccessError, ValidationError... are UserErrors
            return _("The action was refused: %s", error.args[0] if error.args else error)
        _logger.warning("Care rule %s failed for partner %s", self.rule_id.id, self.partner_id.id, exc_info=error)
        return _("The action failed unexpectedly (%s): the server log has the details.", type(error).__name__)

    def _skip_reasons(self):
        """{log: (kind, note)} of these pending logs of one rule, decided in one query:
        ``holdout``, ``skip`` (nothing at all) or ``no_contact`` (only what reaches the
        customer is left out); the others are absent. Within the batch, the contact cap
        counts the contacts before each customer as if they were made one by one."""
        if not self:
            return {}
        rule, company = self.rule_id, self.company_id
        now = fields.Datetime.now()
        contacts = bool(rule._contact_actions())
        Partner = self.env['res.partner'].with_context(active_test=False)
        opted_in, contactable = (Partner._search([('id', 'in', self.partner_id.ids), *domain])
                                 for domain in (Partner._loyalty_opted_in_domain(),
                                                Partner._loyalty_contactable_domain()))
        self.flush_model(['rule_id', 'partner_id', 'state', 'date', 'company_id'])
        Partner.flush_model(['commercial_partner_id'])
        rule.flush_model(['action_server_ids'])
        self.env['ir.actions.server'].flush_model(['state'])
        # per log: why it is left out before the cap (the first reason that holds), and the
        # contacts its customer company had within the cap's days, by any rule that contacts
        # (the searches of who may be contacted flush what they read)
        rows = self.env.execute_query(SQL(
            """WITH batch AS (
                   SELECT a.id, p.commercial_partner_id AS commercial,
                          CASE WHEN %(holdout)s THEN 'holdout'
                               WHEN %(cooldown)s > 0 AND EXISTS (
                                    SELECT 1 FROM crm_loyalty_care_action d
                                     WHERE d.rule_id = a.rule_id AND d.partner_id = a.partner_id
                                       AND d.state = 'done' AND d.date >= %(cooldown_since)s) THEN 'cooldown'
                               WHEN NOT %(contacts)s THEN NULL
                               WHEN a.partner_id NOT IN %(opted_in)s THEN 'opt_out'
                               WHEN a.partner_id NOT IN %(contactable)s THEN 'blacklisted'
                          END AS kind
                     FROM crm_loyalty_care_action a
                     JOIN res_partner p ON p.id = a.partner_id
                    WHERE a.id = ANY(%(ids)s)),
               contacted AS (
                   SELECT dp.commercial_partner_id AS commercial, COUNT(*) AS n
                     FROM crm_loyalty_care_action d
                     JOIN res_partner dp ON dp.id = d.partner_id
                    WHERE %(contacts)s AND dp.commercial_partner_id IN (SELECT commercial FROM batch)
                      AND d.state = 'done' AND d.company_id = %(company)s AND d.date >= %(cap_since)s
                      AND d.rule_id IN (SELECT rel.rule_id FROM crm_loyalty_care_rule_action_rel rel
                                          JOIN ir_act_server s ON s.id = rel.action_id
                                         WHERE s.state IN %(contact_states)s)
                    GROUP BY 1)
               SELECT b.id, b.kind, COALESCE(c.n, 0),
                      COALESCE(c.n, 0) + ROW_NUMBER() OVER (PARTITION BY b.commercial, b.kind ORDER BY b.id) - 1
                 FROM batch b LEFT JOIN contacted c ON c.commercial = b.commercial""",
            holdout=SQL("%s < %s", holdout_draw_sql(SQL("a.rule_id"), SQL("a.partner_id")), rule.holdout_percent),
            cooldown=rule.cooldown_days, cooldown_since=now - timedelta(days=rule.cooldown_days),
            contacts=contacts, opted_in=opted_in.subselect(), contactable=contactable.subselect(),
            ids=self.ids, company=company.id,
            cap_since=now - timedelta(days=company.loyalty_contact_cap_days), contact_states=CONTACT_ACTIONS))
        notes = {
            'holdout': ('holdout', _("Left out to measure the effect of the care.")),
            'cooldown': ('skip', _("Cooldown of the rule: acted for this customer recently.")),
            'opt_out': ('no_contact', _("The customer asked not to be contacted.")),
            'blacklisted': ('no_contact', _("The customer's email address is blacklisted.")),
        }
        cap, days = company.loyalty_contact_cap, company.loyalty_contact_cap_days
        reasons = {}
        for log_id, kind, before, contacts_before in rows:
            if kind:
                reasons[self.browse(log_id)] = notes[kind]
            elif contacts and contacts_before >= cap:
                # those of the batch before it were contacted up to the cap
                reasons[self.browse(log_id)] = ('no_contact', _(
                    "Contact cap reached: %(count)s contacts in %(days)s days.", count=max(before, cap), days=days))
        return reasons
