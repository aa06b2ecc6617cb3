"""Who may call what over RPC.

Odoo's web client calls any public method of any model for any logged-in user, and lets a
user who may write a record write any of its stored fields. These tests call the addon as
an attacker would, over real JSON-RPC (``/web/dataset/call_kw``), with one user of each
role: a portal user, a plain employee, an employee who may edit contacts, a loyalty user,
a loyalty administrator, and a loyalty administrator of another company.
"""
import inspect
import re
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.access import LOYALTY_USER, check_group
from ..models.crm_loyalty_channel_conflict import SYSTEM_FIELDS as CONFLICT_FIELDS
from ..models.crm_loyalty_feedback import SYSTEM_FIELDS as FEEDBACK_FIELDS
from ..models.res_partner import SYSTEM_FIELDS as PARTNER_FIELDS

# The roles of company A, from the least to the most trusted, and the loyalty
# administrator of company B ('other'), who must never reach company A's records.
LADDER = ('portal', 'employee', 'contacts', 'loyalty_user', 'loyalty_admin')
GROUPS = {
    'portal': ['base.group_portal'],
    'employee': ['base.group_user'],
    'contacts': ['base.group_user', 'base.group_partner_manager'],
    'loyalty_user': ['crm_loyalty.group_loyalty_user'],
    # as in a real company: the loyalty administrator is a sales manager who edits contacts
    'loyalty_admin': ['crm_loyalty.group_loyalty_manager', 'base.group_partner_manager',
                      'sales_team.group_sale_salesman_all_leads'],
    'other': ['crm_loyalty.group_loyalty_manager', 'base.group_partner_manager',
              'sales_team.group_sale_salesman_all_leads'],
}

# Every public method the addon defines, with the least role of company A that may call
# it. A method on records of company A is refused to the other company's administrator;
# a method on the model (``@api.model``) acts on the caller's own company, so he may.
RULES = {
    ('crm.loyalty.care.rule', 'action_preview'): 'loyalty_user',
    ('crm.loyalty.care.rule', 'action_run'): 'loyalty_admin',
    ('crm.loyalty.channel.conflict', 'action_confirm'): 'loyalty_user',
    ('crm.loyalty.channel.conflict', 'action_dismiss'): 'loyalty_user',
    ('crm.loyalty.channel.conflict', 'action_reset'): 'loyalty_user',
    ('crm.loyalty.channel.grade', 'action_view_partners'): 'employee',
    ('crm.loyalty.channel.grade.review', 'action_accept'): 'loyalty_admin',
    ('crm.loyalty.channel.grade.review', 'action_reject'): 'loyalty_admin',
    ('crm.loyalty.channel.grade.review', 'action_run_review'): 'loyalty_admin',
    ('crm.loyalty.channel.scorecard', 'action_open_partner'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_cancel'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_close'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_reopen'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_reset'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_resolve'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_start'): 'loyalty_user',
    ('crm.loyalty.complaint', 'action_view_feedback'): 'loyalty_user',
    ('crm.loyalty.dashboard', 'get_dashboard_data'): 'loyalty_user',
    ('crm.loyalty.export', 'action_export'): 'loyalty_user',
    ('crm.loyalty.feedback', 'action_expire'): 'loyalty_user',
    ('crm.loyalty.feedback', 'action_open_complaint'): 'loyalty_user',
    # a loyalty user who may also plan activities on the customer (Odoo's rule: write on contacts)
    ('crm.loyalty.feedback', 'action_schedule_call'): 'loyalty_admin',
    ('crm.loyalty.feedback', 'action_send_request'): 'loyalty_user',
    ('crm.loyalty.handover', 'action_handover'): 'loyalty_admin',
    ('crm.loyalty.lost.reason', 'action_view_lost_customers'): 'loyalty_user',
    ('crm.loyalty.mark.lost', 'action_mark_lost'): 'loyalty_admin',
    ('crm.loyalty.survey.sample', 'action_send'): 'loyalty_admin',
    ('crm.loyalty.territory', 'action_match_partners'): 'loyalty_admin',
    ('crm.loyalty.territory', 'action_view_customers'): 'employee',
    ('crm.loyalty.tier', 'action_view_partners'): 'employee',
    ('res.config.settings', 'action_loyalty_backfill'): 'loyalty_admin',
    ('res.config.settings', 'action_loyalty_backtest'): 'loyalty_admin',
    ('res.config.settings', 'action_loyalty_recompute'): 'loyalty_admin',
    ('res.partner', 'action_loyalty_level_follow_tier'): 'loyalty_user',
    ('res.partner', 'action_loyalty_mark_lost'): 'loyalty_admin',
    ('res.partner', 'action_loyalty_recompute'): 'loyalty_admin',
    ('res.partner', 'action_loyalty_request_feedback'): 'loyalty_user',
    ('res.partner', 'action_loyalty_restore'): 'loyalty_admin',
    ('res.partner', 'action_view_channel_children'): 'portal',
    ('res.partner', 'action_view_channel_conflicts'): 'portal',
    ('res.partner', 'action_view_loyalty_complaints'): 'portal',
}
# Odoo's own methods the addon extends: Odoo's checks apply, then ours (the fields).
ODOO_METHODS = {'create', 'write', 'unlink', 'read_group', 'default_get', 'init',
                'action_confirm', 'button_draft', 'button_cancel'}
ODOO_OVERRIDES = {('sale.order', 'action_confirm'), ('account.move', 'button_draft'),
                  ('account.move', 'button_cancel')}
# wizards of the other company's administrator that point at company A's records
REFUSED_TO_OTHER_COMPANY = {'crm.loyalty.mark.lost'}
# records shared by every company
SHARED_MODELS = {'crm.loyalty.lost.reason'}
WIZARDS = {'crm.loyalty.export', 'crm.loyalty.handover', 'crm.loyalty.mark.lost', 'crm.loyalty.survey.sample',
           'res.config.settings'}


def addon_public_methods(registry):
    """(model, method) of every public method that a class of crm_loyalty defines."""
    found = set()
    for model_name in registry:
        for cls in registry[model_name].__mro__:
            if getattr(cls, '_module', None) != 'crm_loyalty':
                continue
            for name, value in vars(cls).items():
                if (inspect.isfunction(value) and not name.startswith('_')
                        and not getattr(value, '_api_private', False)):
                    found.add((model_name, name))
    return found


@tagged('post_install', '-at_install')
@tagged('post_install', '-at_install')
class TestRefusalsInTheUsersLanguage(HttpCase):

    def test_a_call_without_a_language_is_answered_in_the_users(self):
        """An external RPC call sends no context: the refusal is in the caller's language."""
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'])
        employee = self.env['res.users'].create({'name': 'Wang', 'login': 'wang', 'lang': 'zh_CN'})
        with self.assertRaisesRegex(AccessError, "只有忠诚度用户才能执行此操作"):
            check_group(self.env(user=employee, context={}), LOYALTY_USER)
        with self.assertRaisesRegex(AccessError, "Only loyalty users can do this"):
            check_group(self.env(user=employee, context={'lang': 'en_US'}), LOYALTY_USER)


class TestRpcAccess(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_b = cls.env['res.company'].create({'name': 'Other Tea Company'})
        cls.users = {}
        for role, groups in GROUPS.items():
            company = cls.company_b if role == 'other' else cls.company
            cls.users[role] = cls.env['res.users'].with_context(no_reset_password=True).create({
                'name': f'User {role}', 'login': f'access_{role}', 'password': f'access_{role}_pw',
                'email': f'{role}@example.com', 'company_id': company.id, 'company_ids': [Command.set(company.ids)],
                'groups_id': [Command.set([cls.env.ref(xmlid).id for xmlid in groups])]})
        Partner = cls.env['res.partner']
        cls.customer = Partner.create({'name': 'Lotus Tea House', 'is_company': True, 'email': 'lotus@example.com',
                                       'company_id': cls.company.id})
        # the portal user is a contact of the customer: he reads his own company
        cls.users['portal'].partner_id.write({'parent_id': cls.customer.id})
        cls.distributor = Partner.create({'name': 'Jade Distribution', 'is_company': True,
                                          'channel_role': 'distributor', 'company_id': cls.company.id})
        cls.tier = cls.env['crm.loyalty.tier'].create({'name': 'Silver', 'min_value': 300})
        partner_model = cls.env['ir.model']._get_id('res.partner')
        cls.activity_action = cls.env['ir.actions.server'].create({
            'name': 'Call', 'model_id': partner_model, 'state': 'next_activity',
            'activity_type_id': cls.env.ref('mail.mail_activity_data_call').id, 'activity_summary': 'Care call'})
        cls.customer.birthday = date.today()
        cls.rule = cls.env['crm.loyalty.care.rule'].create({
            'name': 'Birthday', 'trigger': 'birthday', 'user_id': cls.users['loyalty_admin'].id,
            'partner_domain': '[]', 'action_server_ids': [Command.set(cls.activity_action.ids)]})
        cls.territory = cls.env['crm.loyalty.territory'].create({
            'name': 'Belgium', 'country_ids': [Command.set(cls.env.ref('base.be').ids)]})
        cls.grade = cls.env['crm.loyalty.channel.grade'].create({'name': 'Gold', 'level': 1})
        cls.complaint = cls.env['crm.loyalty.complaint'].create({'subject': 'Late', 'partner_id': cls.customer.id})
        cls.feedback = cls.env['crm.loyalty.feedback'].create({'partner_id': cls.customer.id})
        cls.reason = cls.env['crm.loyalty.lost.reason'].create({'name': 'Price'})
        order = cls.env['sale.order'].create({'partner_id': cls.customer.id})
        cls.conflict = cls.env['crm.loyalty.channel.conflict'].create({
            'name': order.name, 'sale_order_id': order.id, 'company_id': cls.company.id, 'date': date.today(),
            'kind': 'outside', 'distributor_id': cls.distributor.id, 'resolution': 'Checked'})
        cls.env.cr.execute("""INSERT INTO crm_loyalty_channel_grade_review
                                     (partner_id, company_id, date, direction, state, reason)
                              VALUES (%s, %s, CURRENT_DATE, 'up', 'proposed', 'Test') RETURNING id""",
                           [cls.distributor.id, cls.company.id])
        cls.review_id = cls.env.cr.fetchone()[0]

    def _target(self, model, user):
        """The record the method is called on: a record of company A, or for a wizard,
        one the caller made himself (a wizard is only ever its creator's)."""
        if model in WIZARDS:
            values = {
                'crm.loyalty.export': {},
                'crm.loyalty.handover': {'mode': 'salesperson', 'from_user_id': self.users['loyalty_user'].id,
                                         'to_user_id': self.users['loyalty_admin'].id},
                'crm.loyalty.mark.lost': {'partner_id': self.customer.id, 'reason_id': self.reason.id},
                'crm.loyalty.survey.sample': {},
                'res.config.settings': {},
            }[model]
            return self.env[model].with_user(user).sudo().create(values).id
        return {
            'crm.loyalty.care.rule': self.rule.id,
            'crm.loyalty.channel.conflict': self.conflict.id,
            'crm.loyalty.channel.grade': self.grade.id,
            'crm.loyalty.channel.grade.review': self.review_id,
            'crm.loyalty.channel.scorecard': self.distributor.id * 1000000 + self.company.id,
            'crm.loyalty.complaint': self.complaint.id,
            'crm.loyalty.feedback': self.feedback.id,
            'crm.loyalty.lost.reason': self.reason.id,
            'crm.loyalty.territory': self.territory.id,
            'crm.loyalty.tier': self.tier.id,
            'res.partner': self.customer.id,
        }[model]

    def _call(self, role, model, method, args=None, kwargs=None):
        """Call ``model.method`` over JSON-RPC as ``role``: its result, or the name of the
        exception it raised (e.g. ``odoo.exceptions.AccessError``)."""
        self.authenticate(f'access_{role}', f'access_{role}_pw')
        try:
            return self.make_jsonrpc_request(f'/web/dataset/call_kw/{model}/{method}', {
                'model': model, 'method': method, 'args': args or [], 'kwargs': kwargs or {}})
        except JsonRpcException as error:
            return str(error)
        finally:
            self.env.invalidate_all()   # the request wrote through its own environment

    def test_the_companys_prediction_figures_are_for_loyalty_users(self):
        """The fit, the backtest and its report hold revenue statistics: not for customers."""
        company = self.users['portal'].company_id
        company.sudo().loyalty_clv_backtest = {'grade': 'B', 'actual_revenue': 45527.0}
        for field in ('loyalty_clv_fit', 'loyalty_clv_backtest', 'loyalty_clv_backtest_html'):
            for role in ('portal', 'employee'):
                self.assertEqual(self._call(role, 'res.company', 'read', [[company.id], [field]]),
                                 'odoo.exceptions.AccessError', (field, role))
        read = self._call('loyalty_user', 'res.company', 'read', [[company.id], ['loyalty_clv_backtest']])
        self.assertEqual(read[0]['loyalty_clv_backtest']['grade'], 'B')

    def test_every_public_method_has_a_rule(self):
        """A new public method fails here until it is given its rule (and a check)."""
        found = addon_public_methods(self.registry)
        unruled = {key for key in found if key not in RULES and key[1] not in ODOO_METHODS}
        self.assertFalse(unruled, f"public methods without a rule in RULES: {sorted(unruled)}")
        self.assertFalse(set(RULES) - found, "rules for methods that are gone")
        self.assertLessEqual(ODOO_OVERRIDES, found)

    def test_access_matrix(self):
        """Each method over RPC, as each role: refused (AccessError) below its least role
        and to the other company on company A's records; at or above, never refused for
        rights (a business refusal, e.g. a conflict already decided, may remain)."""
        refused_calls, allowed_calls = [], []
        for (model, method), least in sorted(RULES.items()):
            is_model_method = getattr(getattr(type(self.env[model]), method), '_api', None) == 'model'
            for role in (*LADDER, 'other'):
                user = self.users[role]
                args = [] if is_model_method else [[self._target(model, user)]]
                outcome = self._call(role, model, method, args)
                if role == 'other':
                    # his own company's data only: never company A's records
                    allowed = (is_model_method or model in SHARED_MODELS
                               or (model in WIZARDS and model not in REFUSED_TO_OTHER_COMPANY))
                else:
                    allowed = LADDER.index(role) >= LADDER.index(least)
                (allowed_calls if allowed else refused_calls).append((model, method, role, outcome))
        wrongly_allowed = [call for call in refused_calls if not (
            isinstance(call[3], str) and call[3].endswith(('AccessError', 'MissingError')))]
        wrongly_refused = [call for call in allowed_calls if isinstance(call[3], str)
                           and call[3].endswith(('AccessError', 'MissingError'))]
        self.assertFalse(wrongly_allowed, "calls that must be refused went through")
        self.assertFalse(wrongly_refused, "calls refused to a role that may make them")

    def test_the_preference_card_is_read_by_employees_and_written_by_the_engine_only(self):
        """Employees of the company read the card; a customer's portal user and the other
        company's administrator do not; nobody writes it over RPC, nothing changes."""
        product = self.env['product.product'].create({'name': 'Oolong Tea', 'type': 'consu'})
        card = self.env['crm.loyalty.preference'].create({
            'partner_id': self.customer.id, 'company_id': self.company.id, 'kind': 'product',
            'product_id': product.id, 'rank': 1, 'purchase_count': 4})
        model, fields_ = 'crm.loyalty.preference', ['product_id', 'purchase_count']
        self.assertEqual(self._call('portal', model, 'search_read', [[]], {'fields': fields_}),
                         'odoo.exceptions.AccessError')
        self.assertEqual(self._call('other', model, 'search_read', [[]], {'fields': fields_}), [])
        for role in ('employee', 'loyalty_admin'):
            self.assertEqual([row['purchase_count'] for row in self._call(role, model, 'search_read', [[]],
                                                                          {'fields': fields_})], [4])
        for method, args in (('write', [[card.id], {'purchase_count': 9}]), ('unlink', [[card.id]]),
                             ('create', [{'partner_id': self.customer.id, 'company_id': self.company.id,
                                          'kind': 'product', 'product_id': product.id, 'purchase_count': 9}])):
            with self.subTest(method=method):
                self.assertEqual(self._call('loyalty_admin', model, method, args), 'odoo.exceptions.AccessError')
        self.assertEqual(self.env[model].search([]).mapped('purchase_count'), [4])

    def test_computed_fields_are_written_by_the_addon_only(self):
        """Every engine-owned field of a partner, written or created over RPC by a user who
        may edit contacts, and even by a loyalty administrator: refused, nothing changed."""
        values = {
            'loyalty_tier_id': self.tier.id, 'loyalty_tier_computed_id': self.tier.id,
            'loyalty_first_purchase_date': '2020-01-01', 'loyalty_last_purchase_date': '2099-01-01',
            'loyalty_scored_date': '2099-01-01', 'loyalty_tier_below_since': '2099-01-01',
            'satisfaction_date': '2099-01-01', 'loyalty_lost_date': '2099-01-01',
            'rfm_segment': 'champions', 'abc_class': 'A', 'loyalty_segment': 'loyal', 'value_segment': 'true_friend',
            'churn_risk': 'low', 'loyalty_lost': True, 'loyalty_lost_reason_id': self.reason.id,
            'loyalty_lost_note': 'forged', 'channel_territory_id': self.territory.id,
        }
        for name in PARTNER_FIELDS - values.keys():
            values[name] = 7
        self.assertEqual(set(values), PARTNER_FIELDS)
        before = self.customer.read(sorted(PARTNER_FIELDS))
        for role in ('contacts', 'loyalty_admin'):
            for name, value in values.items():
                outcome = self._call(role, 'res.partner', 'write', [[self.customer.id], {name: value}])
                self.assertEqual(outcome, 'odoo.exceptions.AccessError', f"{role} wrote {name}")
            outcome = self._call(role, 'res.partner', 'create', [{'name': 'Forged', **values}])
            self.assertEqual(outcome, 'odoo.exceptions.AccessError')
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.read(sorted(PARTNER_FIELDS)), before)
        self.assertFalse(self.env['res.partner'].search_count([('name', '=', 'Forged')]))

    def test_a_tier_override_is_for_loyalty_administrators_in_create_too(self):
        override = {'loyalty_tier_override_id': self.tier.id, 'loyalty_tier_override_reason': 'VIP'}
        self.assertEqual(self._call('contacts', 'res.partner', 'create', [{'name': 'Forged VIP', **override}]),
                         'odoo.exceptions.AccessError')
        self.assertEqual(self._call('contacts', 'res.partner', 'write', [[self.customer.id], override]),
                         'odoo.exceptions.AccessError')
        self.assertFalse(self.env['res.partner'].search_count([('name', '=', 'Forged VIP')]))
        partner_id = self._call('loyalty_admin', 'res.partner', 'create', [{'name': 'Real VIP', **override}])
        vip = self.env['res.partner'].browse(partner_id)
        self.assertEqual((vip.loyalty_tier_override_id, vip.loyalty_tier_id), (self.tier, self.tier))

    def test_engine_entry_points_are_not_reachable(self):
        """The portal user who ran the whole recompute: the engine has no public method."""
        self.customer.invalidate_recordset()
        for method in ('recompute', '_recompute', '_cron_recompute', '_refresh_partners'):
            with mute_logger('odoo.http'):    # Odoo logs a call of a missing method as an error
                outcome = self._call('portal', 'crm.loyalty.engine', method, [])
            self.assertIn(outcome, ('odoo.exceptions.AccessError', 'builtins.AttributeError'), method)
        self.assertFalse(self.customer.loyalty_scored_date)

    def test_portal_cannot_trigger_the_recompute(self):
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_recompute')
        triggers = self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)])
        settings_id = self._target('res.config.settings', self.users['portal'])
        for role in ('portal', 'employee', 'loyalty_user'):
            self.assertEqual(self._call(role, 'res.config.settings', 'action_loyalty_recompute', [[settings_id]]),
                             'odoo.exceptions.AccessError')
        self.assertEqual(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]), triggers)

    def test_an_employee_cannot_rematch_territories(self):
        self.customer.write({'country_id': self.env.ref('base.be').id})
        self.assertEqual(self.customer.channel_territory_id, self.territory)
        self.env.cr.execute("""UPDATE res_partner SET channel_territory_id = NULL WHERE id = %s""",
                            [self.customer.id])
        self.customer.invalidate_recordset()
        for role in ('employee', 'contacts', 'loyalty_user'):
            self.assertEqual(self._call(role, 'crm.loyalty.territory', 'action_match_partners',
                                        [[self.territory.id]]), 'odoo.exceptions.AccessError')
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.channel_territory_id)

    def test_a_loyalty_user_cannot_run_a_rule(self):
        self.assertEqual(self._call('loyalty_user', 'crm.loyalty.care.rule', 'action_run', [[self.rule.id]]),
                         'odoo.exceptions.AccessError')
        self.assertFalse(self.rule.care_action_ids)
        self.assertFalse(self.customer.activity_ids)
        self._call('loyalty_admin', 'crm.loyalty.care.rule', 'action_run', [[self.rule.id]])
        self.rule.invalidate_recordset()
        self.assertEqual(self.rule.care_action_ids.mapped('state'), ['done'])
        self.assertEqual(self.customer.activity_ids.create_uid, self.users['loyalty_admin'])

    def test_audit_fields_are_never_taken_from_the_caller(self):
        admin = self.env.ref('base.user_admin')
        forged = {'user_id': admin.id, 'access_token': 'chosen', 'expiry_date': '2099-01-01',
                  'request_date': '2000-01-01 00:00:00'}
        before = self.feedback.read(list(forged))
        for name, value in forged.items():
            self.assertEqual(self._call('loyalty_user', 'crm.loyalty.feedback', 'write',
                                        [[self.feedback.id], {name: value}]), 'odoo.exceptions.AccessError')
            self.assertEqual(self._call('loyalty_user', 'crm.loyalty.feedback', 'create',
                                        [{'partner_id': self.customer.id, name: value}]),
                             'odoo.exceptions.AccessError')
        self.feedback.invalidate_recordset()
        self.assertEqual(self.feedback.read(list(forged)), before)
        self.assertLessEqual(set(forged), FEEDBACK_FIELDS)
        # the request's author is whoever asked
        feedback_id = self._call('loyalty_user', 'crm.loyalty.feedback', 'create', [{'partner_id': self.customer.id}])
        self.assertEqual(self.env['crm.loyalty.feedback'].browse(feedback_id).user_id, self.users['loyalty_user'])

        for name, value in {'decided_by_id': admin.id, 'decided_date': '2020-01-01', 'state': 'dismissed',
                            'amount': 1.0, 'distributor_id': self.customer.id}.items():
            self.assertIn(name, CONFLICT_FIELDS)
            self.assertEqual(self._call('loyalty_user', 'crm.loyalty.channel.conflict', 'write',
                                        [[self.conflict.id], {name: value}]), 'odoo.exceptions.AccessError')
        self.conflict.invalidate_recordset()
        self.assertEqual((self.conflict.state, self.conflict.decided_by_id), ('new', self.env['res.users']))
        # deciding through the button records who decided, and when
        self._call('loyalty_user', 'crm.loyalty.channel.conflict', 'action_confirm', [[self.conflict.id]])
        self.conflict.invalidate_recordset()
        self.assertEqual((self.conflict.state, self.conflict.decided_by_id, self.conflict.decided_date),
                         ('confirmed', self.users['loyalty_user'], date.today()))
        self.assertEqual(self._call('loyalty_admin', 'crm.loyalty.channel.grade.review', 'write',
                                    [[self.review_id], {'decided_by_id': admin.id}]),
                         'odoo.exceptions.AccessError')
        # a complaint's SLA times are computed, never set by hand
        before = self.complaint.read(['deadline', 'sla_breached', 'date_resolved'])
        for name, value in {'deadline': '2099-01-01 00:00:00', 'sla_breached': True,
                            'date_resolved': '2020-01-01 00:00:00'}.items():
            self.assertEqual(self._call('loyalty_user', 'crm.loyalty.complaint', 'write',
                                        [[self.complaint.id], {name: value}]), 'odoo.exceptions.AccessError')
        self.assertEqual(self.complaint.read(['deadline', 'sla_breached', 'date_resolved']), before)
        review = self.env['crm.loyalty.channel.grade.review'].browse(self.review_id)
        self.assertEqual((review.state, review.decided_by_id), ('proposed', self.env['res.users']))

    def test_a_rule_filter_never_depends_on_another_companys_data(self):
        """The administrator of company B could learn company A's customers' e-mails a
        character at a time from whether his filter was refused: now a filter is checked
        for its form only, whatever it matches, and a rule only ever acts in its company."""
        self.customer.email = 'secret@example.com'
        outcomes = []
        for guess in ('s%', 'x%'):
            outcomes.append(self._call('other', 'crm.loyalty.care.rule', 'create', [{
                'name': f'Guess {guess}', 'trigger': 'birthday', 'company_id': self.company_b.id,
                'partner_domain': repr([('email', '=like', guess)])}]))
        self.assertTrue(all(isinstance(outcome, int) for outcome in outcomes), outcomes)
        rules = self.env['crm.loyalty.care.rule'].browse(outcomes)
        self.assertEqual(rules.mapped('preview_count'), [0, 0])
        self.assertEqual(rules.user_id, self.users['other'])
        for rule in rules.sudo():
            rule._run()
        self.assertFalse(rules.care_action_ids)

    def test_care_actions_run_as_the_rules_user_never_as_superuser(self):
        partner_model = self.env['ir.model']._get_id('res.partner')
        code = self.env['ir.actions.server'].create({
            'name': 'Who am I', 'model_id': partner_model, 'state': 'code',
            'code': "record.write({'comment': '%s %s' % (env.user.login, env.su)})"})
        # a loyalty administrator may not put code in a rule, nor change a rule that has some
        self.assertEqual(self._call('loyalty_admin', 'crm.loyalty.care.rule', 'write',
                                    [[self.rule.id], {'action_server_ids': [Command.link(code.id)]}]),
                         'odoo.exceptions.AccessError')
        self.assertEqual(self.rule.action_server_ids, self.activity_action)
        self.assertEqual(self._call('loyalty_admin', 'crm.loyalty.care.rule', 'write',
                                    [[self.rule.id], {'user_id': self.env.ref('base.user_admin').id}]),
                         'odoo.exceptions.AccessError')
        self.assertEqual(self.rule.user_id, self.users['loyalty_admin'])
        # a system administrator's rule with code, running as a loyalty administrator
        self.rule.with_user(self.env.ref('base.user_admin')).write({'action_server_ids': [Command.set(code.ids)]})
        self.assertEqual(self._call('loyalty_admin', 'crm.loyalty.care.rule', 'write',
                                    [[self.rule.id], {'name': 'Mine now'}]), 'odoo.exceptions.AccessError')
        self.assertEqual(self._call('loyalty_admin', 'crm.loyalty.care.rule', 'unlink', [[self.rule.id]]),
                         'odoo.exceptions.AccessError')
        self.assertEqual((self.rule.exists(), self.rule.name), (self.rule, 'Birthday'))
        self._call('loyalty_admin', 'crm.loyalty.care.rule', 'action_run', [[self.rule.id]])
        self.assertEqual(self.customer.comment, '<p>access_loyalty_admin False</p>')

    def test_a_group_restricted_action_is_not_run_by_the_hourly_job_either(self):
        self.activity_action.groups_id = self.env.ref('base.group_system')
        self._call('loyalty_admin', 'crm.loyalty.care.rule', 'action_run', [[self.rule.id]])
        log = self.rule.care_action_ids
        self.assertEqual((log.state, log.attempts), ('failed', 1))
        self.assertEqual(log.note, "The action was refused: You don't have enough access rights to run this action.")
        self.env['crm.loyalty.care.rule']._cron_run()     # as OdooBot: the retry runs as the rule's user too
        self.assertEqual((log.state, log.attempts), ('failed', 2))
        self.assertFalse(self.customer.activity_ids)

    def test_staff_answers_close_the_customers_page(self):
        token = self.feedback.access_token
        response = self.url_open(f'/loyalty/feedback/{token}')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers.get('X-Frame-Options'), 'DENY')
        self.assertIn("frame-ancestors 'none'", response.headers.get('Content-Security-Policy', ''))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', response.text)[1]
        self.feedback.with_user(self.users['loyalty_user']).write({'score': '2', 'comment': 'Said on the phone'})
        self.assertEqual((self.feedback.state, self.feedback.channel), ('answered', 'phone'))
        self.assertEqual(self.url_open(f'/loyalty/feedback/{token}').status_code, 410)
        response = self.url_open(f'/loyalty/feedback/{token}',
                                 data={'score': '5', 'comment': 'All great', 'csrf_token': csrf})
        self.assertEqual(response.status_code, 410)
        self.feedback.invalidate_recordset()
        self.assertEqual((self.feedback.score, self.feedback.comment), ('2', 'Said on the phone'))

    def test_a_plain_user_cannot_reach_the_dashboard_or_the_wizards(self):
        for role in ('portal', 'employee', 'contacts'):
            self.assertEqual(self._call(role, 'crm.loyalty.dashboard', 'get_dashboard_data'),
                             'odoo.exceptions.AccessError')
        with self.assertRaises(AccessError):
            self.env['crm.loyalty.survey.sample'].with_user(self.users['loyalty_user']).create({})

    def test_an_export_is_its_makers_only(self):
        """The workbook an administrator exported is not readable by another loyalty user,
        nor by another company's administrator (a wizard and its file are their creator's)."""
        wizard_id = self._target('crm.loyalty.export', self.users['loyalty_admin'])
        action = self._call('loyalty_admin', 'crm.loyalty.export', 'action_export', [[wizard_id]])
        self.assertIn('/web/content/', action['url'])
        for role in ('loyalty_user', 'other'):
            self.authenticate(f'access_{role}', f'access_{role}_pw')
            self.assertIn(self.url_open(action['url']).status_code, (403, 404))
            self.assertEqual(self._call(role, 'ir.attachment', 'search_read',
                                        [[('res_model', '=', 'crm.loyalty.export')]], {'fields': ['name']}), [])
            self.assertEqual(self._call(role, 'crm.loyalty.export', 'search_read', [[]], {'fields': ['id']}), [])
        self.authenticate('access_loyalty_admin', 'access_loyalty_admin_pw')
        self.assertEqual(self.url_open(action['url']).status_code, 200)

    def test_the_context_of_a_call_cannot_change_what_a_rule_does(self):
        """A moment or a commit mode sent in the context is ignored: a rule acts on today's
        occurrences only, once, in the caller's transaction."""
        for moment in ('2024-03-15 12:00:00', '2031-03-15 12:00:00'):
            self.authenticate('access_loyalty_admin', 'access_loyalty_admin_pw')
            self.make_jsonrpc_request('/web/dataset/call_kw/crm.loyalty.care.rule/action_run', {
                'model': 'crm.loyalty.care.rule', 'method': 'action_run', 'args': [[self.rule.id]],
                'kwargs': {'context': {'crm_loyalty_now': moment, 'crm_loyalty_commit': True}}})
        self.env.invalidate_all()
        self.assertEqual(self.rule.care_action_ids.mapped('occurrence'), [str(date.today().year)])

    def test_only_the_customer_answers_on_the_web_page(self):
        """Staff cannot record an answer as given on the page, which would reopen the page
        over their own answer."""
        self._call('loyalty_user', 'crm.loyalty.feedback', 'write', [[self.feedback.id], {'score': '2'}])
        for vals in ({'channel': 'web'}, {'state': 'requested'}):
            self.assertIn(self._call('loyalty_user', 'crm.loyalty.feedback', 'write', [[self.feedback.id], vals]),
                          ('odoo.exceptions.UserError', 'odoo.exceptions.ValidationError'))
        self.assertEqual(self._call('loyalty_user', 'crm.loyalty.feedback', 'create',
                                    [{'partner_id': self.customer.id, 'score': '5', 'channel': 'web'}]),
                         'odoo.exceptions.UserError')
        self.assertEqual((self.feedback.state, self.feedback.channel, self.feedback.score), ('answered', 'phone', '2'))
        self.assertFalse(self.feedback._is_open())

    def test_a_user_who_merges_duplicates_carries_no_figures_by_hand(self):
        """Odoo's merge copies the duplicates' stored fields onto the survivor as the user who
        merges (not in superuser mode): the loyalty figures are left out (not refused), and the
        engine recomputes them."""
        duplicate = self.env['res.partner'].create({'name': 'Lotus Tea House (dup)', 'is_company': True,
                                                    'email': 'lotus@example.com', 'company_id': self.company.id})
        product = self.env['product.product'].create({'name': 'Oolong', 'list_price': 250.0, 'taxes_id': False})
        self.env['sale.order'].create({
            'partner_id': duplicate.id, 'state': 'sale',
            'order_line': [Command.create({'product_id': product.id, 'price_unit': 250.0, 'tax_id': False})]})
        self.env['crm.loyalty.engine']._recompute(partners=duplicate)
        self.assertEqual(duplicate.loyalty_revenue_total, 250)
        # the administrator, not superuser mode (Odoo's merge reads fields plain users cannot)
        wizard = self.env['base.partner.merge.automatic.wizard'].with_user(self.env.ref('base.user_admin')).create({})
        wizard._merge((self.customer | duplicate).ids, dst_partner=self.customer)
        self.assertFalse(duplicate.exists())
        self.assertEqual((self.customer.loyalty_revenue_total, self.customer.loyalty_purchase_count_total), (250, 1))
