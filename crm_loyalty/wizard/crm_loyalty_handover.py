"""Continuity: hand what a departing salesperson or channel partner holds over to a
successor, in one batch per kind of record, logged in each customer's chatter."""
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..models.access import LOYALTY_MANAGER, check_group

# Context for the batch writes: our own note in each chatter replaces Odoo's tracking
# message per record, and the successor is not sent one email per record he receives.
QUIET = {'mail_notrack': True, 'mail_auto_subscribe_no_notify': True, 'mail_activity_quick_update': True}


class CrmLoyaltyHandover(models.TransientModel):
    _name = 'crm.loyalty.handover'
    _description = 'Hand Over Customers'

    mode = fields.Selection(
        [('salesperson', 'Salesperson'), ('distributor', 'Channel Partner')], 'Who Leaves',
        required=True, default='salesperson',
        help="A salesperson hands over the customers, opportunities and activities assigned to him; "
             "a channel partner hands over the partners it serves, its territories, and the opportunities "
             "and activities about itself.")
    company_id = fields.Many2one(
        'res.company', 'Company', required=True, readonly=True, default=lambda self: self.env.company,
        help="Only the records of this company, and those shared by all companies, are handed over.")
    from_user_id = fields.Many2one(
        'res.users', 'Departing Salesperson', domain=lambda self: self._departing_user_domain(),
        context={'active_test': False},
        help="An internal user, archived or not: someone who left can still hand his customers over.")
    to_user_id = fields.Many2one(
        'res.users', 'Successor',
        domain="[('share', '=', False), ('active', '=', True), ('company_ids', 'in', company_id)]",
        help="The salesperson who takes over: an active internal user with access to this company.")
    from_partner_id = fields.Many2one(
        'res.partner', 'Departing Channel Partner', context={'active_test': False},
        domain="[('channel_role', '!=', False), ('company_id', 'in', [False, company_id]), "
               "'|', ('is_company', '=', True), ('parent_id', '=', False)]")
    to_partner_id = fields.Many2one(
        'res.partner', 'Successor Partner',
        domain="[('channel_role', '!=', False), ('company_id', 'in', [False, company_id]), "
               "'|', ('is_company', '=', True), ('parent_id', '=', False), ('id', '!=', from_partner_id)]",
        help="The channel partner who takes over.")
    move_customers = fields.Boolean(
        'Customers', default=True,
        help="Salesperson: the customers and contacts whose salesperson he is get the successor as "
             "salesperson. Channel partner: the partners it serves (whose upstream distributor it is) "
             "are served by the successor; if the successor was one of them, it takes the departing "
             "partner's place under its own upstream distributor.")
    move_opportunities = fields.Boolean(
        'Open Opportunities', default=True,
        help="Open leads and opportunities (neither won nor lost). Salesperson: those assigned to him "
             "go to the successor. Channel partner: those whose customer is the departing partner or one "
             "of its contacts get the successor as customer; their salesperson stays.")
    move_activities = fields.Boolean(
        'Planned Activities', default=True,
        help="Salesperson: his planned activities, on any document the successor may open and that belongs "
             "to this company; the others stay with him. Channel partner: the activities planned on the "
             "departing partner and its contacts move onto the successor, assigned to the same people.")
    move_territories = fields.Boolean(
        'Territories', default=True,
        help="In the territories of this company served by the departing partner, the successor replaces it.")
    note = fields.Text('Note', help="Why, and what the successor should know: added to each customer's note.")
    customer_count = fields.Integer('Customers to Move', compute='_compute_preview')
    contact_count = fields.Integer('Contacts to Move', compute='_compute_preview')
    opportunity_count = fields.Integer('Opportunities to Move', compute='_compute_preview')
    activity_count = fields.Integer('Activities to Move', compute='_compute_preview')
    territory_count = fields.Integer('Territories to Move', compute='_compute_preview')
    preview = fields.Char('Preview', compute='_compute_preview')
    preview_kept = fields.Char('Not Moved', compute='_compute_preview')

    @api.model
    def _departing_user_domain(self):
        # archived users too (who left), but not Odoo's own archived users: OdooBot (the
        # superuser) and the template new users are copied from
        own = [user.id for xmlid in ('base.user_root', 'base.default_user')
               if (user := self.env.ref(xmlid, raise_if_not_found=False))]
        return [('share', '=', False), ('id', 'not in', own)]

    # --- Preview ----------------------------------------------------------------------

    @api.depends('mode', 'company_id', 'from_user_id', 'to_user_id', 'from_partner_id', 'to_partner_id',
                 'move_customers', 'move_opportunities', 'move_activities', 'move_territories')
    def _compute_preview(self):
        for wizard in self:
            scope = wizard._handover_scope()
            wizard.customer_count = len(scope['customers'])
            wizard.contact_count = len(scope['partners']) - len(scope['customers'])
            wizard.opportunity_count = len(scope['leads'])
            wizard.activity_count = len(scope['activities'])
            wizard.territory_count = len(scope['territories'])
            summary = wizard._summary(scope)
            wizard.preview = _("%(summary)s will move.", summary=summary) if summary else _("Nothing to hand over.")
            wizard.preview_kept = wizard._summary_kept(scope)

    def _summary(self, scope):
        """“12 customers, 4 opportunities, 7 activities”, in the user's language."""
        customers, contacts = len(scope['customers']), len(scope['partners']) - len(scope['customers'])
        leads, activities, territories = len(scope['leads']), len(scope['activities']), len(scope['territories'])
        phrases = [
            (customers, _("1 customer"), _("%(count)s customers", count=customers)),
            (contacts, _("1 contact"), _("%(count)s contacts", count=contacts)),
            (leads, _("1 opportunity"), _("%(count)s opportunities", count=leads)),
            (activities, _("1 activity"), _("%(count)s activities", count=activities)),
            (territories, _("1 territory"), _("%(count)s territories", count=territories)),
        ]
        return ", ".join(one if count == 1 else many for count, one, many in phrases if count)

    def _summary_kept(self, scope):
        """What the successor could not open, hence left with the departing salesperson."""
        Partner = self.env['res.partner']
        kept = self._summary({'customers': Partner, 'partners': Partner, 'leads': scope['kept_leads'],
                              'activities': scope['kept_activities'], 'territories': []})
        if not kept:
            return False
        return _("Staying with %(predecessor)s (%(successor)s cannot open them in this company): %(kept)s.",
                 predecessor=self.from_user_id.name, successor=self.to_user_id.name, kept=kept)

    # --- What moves -------------------------------------------------------------------

    def _handover_scope(self):
        """The records to move, by kind, as the current user sees them in the wizard's company."""
        self.ensure_one()
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.company_id.ids))
        empty = {
            'partners': env['res.partner'], 'customers': env['res.partner'], 'leads': env['crm.lead'],
            'activities': env['mail.activity'], 'territories': env['crm.loyalty.territory'],
            'kept_leads': env['crm.lead'], 'kept_activities': env['mail.activity'],
        }
        if self.mode == 'salesperson' and self.from_user_id:
            return self.with_env(env)._salesperson_scope(empty)
        if self.mode == 'distributor' and self.from_partner_id:
            return self.with_env(env)._distributor_scope(empty)
        return empty

    def _company_domain(self):
        return [('company_id', 'in', [False, self.company_id.id])]

    def _open_lead_domain(self):
        # lost leads are archived, hence skipped by the active test
        return [('stage_id.is_won', '=', False), *self._company_domain()]

    def _salesperson_scope(self, scope):
        departing, successor = self.from_user_id, self.to_user_id
        if self.move_customers:
            scope['partners'] = self.env['res.partner'].search(
                [('user_id', '=', departing.id), *self._company_domain()])
            scope['customers'] = self._top_partners(scope['partners'])
        if self.move_opportunities:
            leads = self.env['crm.lead'].search([('user_id', '=', departing.id), *self._open_lead_domain()])
            if successor and not self.env['crm.lead'].with_user(successor).browse().has_access('read'):
                scope['kept_leads'] = leads
            else:
                scope['leads'] = leads
        if self.move_activities:
            activities = self.env['mail.activity'].search([('user_id', '=', departing.id)])
            scope['activities'] = self._activities_successor_may_take(activities)
            scope['kept_activities'] = activities - scope['activities']
        return scope

    def _activities_successor_may_take(self, activities):
        """Those on a document of the wizard's company (or of none), of a kind the successor
        may open: an activity he could not open would be lost with the departing user."""
        movable = self.env['mail.activity']
        for model, group in activities.grouped('res_model').items():
            if model not in self.env:
                continue
            Document = self.env[model]
            if self.to_user_id and not Document.with_user(self.to_user_id).browse().has_access('read'):
                continue
            company_field = Document._fields.get('company_id')
            if company_field and company_field.store:
                in_company = set(Document.sudo().with_context(active_test=False)._search(
                    [('id', 'in', group.mapped('res_id')), *self._company_domain()]))
                movable |= group.filtered(lambda activity, ids=in_company: activity.res_id in ids)
            else:
                movable |= group
        return movable

    def _distributor_scope(self, scope):
        departing = self.from_partner_id.commercial_partner_id
        successor = self.to_partner_id.commercial_partner_id
        Partner = self.env['res.partner']
        if self.move_customers:
            domain = [('channel_parent_id', '=', departing.id), *self._company_domain()]
            if successor:
                domain.append(('commercial_partner_id', '!=', successor.id))
            scope['partners'] = Partner.search(domain)
            scope['customers'] = self._top_partners(scope['partners'])
        if self.move_territories:
            scope['territories'] = self.env['crm.loyalty.territory'].search(
                [('distributor_ids', 'in', departing.id), ('company_id', '=', self.company_id.id)])
        if self.move_opportunities:
            scope['leads'] = self.env['crm.lead'].search(
                [('partner_id', 'child_of', departing.id), *self._open_lead_domain()])
        if self.move_activities:
            family = Partner.with_context(active_test=False).search([('id', 'child_of', departing.id)])
            scope['activities'] = self.env['mail.activity'].search(
                [('res_model', '=', 'res.partner'), ('res_id', 'in', family.ids)])
        return scope

    def _top_partners(self, partners):
        """The partners whose commercial entity is not among them: the customers, whose
        contacts follow. They get the note in their chatter."""
        ids = set(partners.ids)
        return partners.filtered(lambda partner: partner.commercial_partner_id.id not in ids
                                 or partner.commercial_partner_id == partner)

    # --- Checks -----------------------------------------------------------------------

    def _check_handover(self):
        """Refuse bad input before anything is written."""
        self.ensure_one()
        options = ['move_customers', 'move_opportunities', 'move_activities']
        if self.mode == 'distributor':
            options.append('move_territories')
        if not any(self[option] for option in options):
            raise UserError(_("Select what to hand over: customers, opportunities, activities or territories."))
        if self.mode == 'salesperson':
            self._check_salesperson()
        else:
            self._check_distributor()

    def _check_salesperson(self):
        departing, successor = self.from_user_id, self.to_user_id
        if not departing:
            raise UserError(_("Choose the departing salesperson."))
        if not successor:
            raise UserError(_("Choose the successor of %(predecessor)s.", predecessor=departing.name))
        if departing == successor:
            raise UserError(_("%(user)s cannot be the successor of %(user)s: choose someone else.",
                              user=departing.name))
        if not successor.active or successor.share:
            raise UserError(_("%(user)s cannot take over: only an active internal user can.", user=successor.name))
        if self.company_id not in successor.company_ids:
            raise UserError(_("%(user)s cannot take over: no access to the company %(company)s.",
                              user=successor.name, company=self.company_id.name))

    def _check_distributor(self):
        departing = self.from_partner_id.commercial_partner_id
        successor = self.to_partner_id.commercial_partner_id
        if not departing:
            raise UserError(_("Choose the departing channel partner."))
        if not successor:
            raise UserError(_("Choose the successor of %(predecessor)s.", predecessor=departing.display_name))
        if departing == successor:
            raise UserError(_("%(partner)s cannot be the successor of %(partner)s: choose another partner.",
                              partner=departing.display_name))
        if not successor.active or not successor.channel_role:
            raise UserError(_("%(partner)s cannot take over: only an active channel partner can.",
                              partner=successor.display_name))
        if successor.company_id and successor.company_id != self.company_id:
            raise UserError(_("%(partner)s cannot take over: it belongs to the company %(company)s.",
                              partner=successor.display_name, company=successor.company_id.name))
        ancestors = successor._channel_ancestors()
        if self.move_customers and departing in ancestors and successor.channel_parent_id != departing:
            raise UserError(_(
                "%(partner)s cannot take over: it buys from %(predecessor)s through %(parent)s, and serving "
                "%(parent)s would make a loop in the channel. Hand over to %(parent)s first.",
                partner=successor.display_name, predecessor=departing.display_name,
                parent=successor.channel_parent_id.display_name))

    # --- Handover ---------------------------------------------------------------------

    def action_handover(self):
        """Move the customers, opportunities and activities to the successor. Loyalty administrators."""
        self.ensure_one()
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can hand customers over."))
        self._check_handover()
        scope = self._handover_scope()
        summary = self._summary(scope)
        if not summary:
            raise UserError(_("%(predecessor)s has nothing to hand over in %(company)s.",
                              predecessor=self._predecessor_name(), company=self.company_id.name))
        if self.mode == 'salesperson':
            self._hand_over_salesperson(scope)
        else:
            self._hand_over_distributor(scope, summary)
        message = _("%(summary)s handed over from %(predecessor)s to %(successor)s.", summary=summary,
                    predecessor=self._predecessor_name(), successor=self._successor_name())
        if kept := self._summary_kept(scope):
            message = f"{message} {kept}"
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': _("Handover done"),
                'message': message,
                'type': 'success',
                'sticky': bool(kept),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }

    def _predecessor_name(self):
        if self.mode == 'salesperson':
            return self.from_user_id.name
        return self.from_partner_id.commercial_partner_id.display_name

    def _successor_name(self):
        if self.mode == 'salesperson':
            return self.to_user_id.name
        return self.to_partner_id.commercial_partner_id.display_name

    def _hand_over_salesperson(self, scope):
        successor = self.to_user_id
        scope['partners'].with_context(**QUIET).write({'user_id': successor.id})
        scope['leads'].with_context(**QUIET).write({'user_id': successor.id})
        scope['activities'].with_context(**QUIET).write({'user_id': successor.id})
        line = _("Salesperson handed over from %(predecessor)s to %(successor)s.",
                 predecessor=self.from_user_id.name, successor=successor.name)
        self._log(scope['customers'], line)
        self._log(scope['leads'], line)

    def _hand_over_distributor(self, scope, summary):
        departing = self.from_partner_id.commercial_partner_id
        successor = self.to_partner_id.commercial_partner_id
        if self.move_customers and successor.channel_parent_id == departing:
            successor.channel_parent_id = departing.channel_parent_id
        scope['customers'].with_context(**QUIET).write({'channel_parent_id': successor.id})
        scope['territories'].write({'distributor_ids': [Command.unlink(departing.id), Command.link(successor.id)]})
        scope['leads'].with_context(**QUIET).write({'partner_id': successor.id})
        scope['activities'].with_context(**QUIET).write({'res_id': successor.id})
        self._log(scope['customers'], _("Now served by %(successor)s, who takes over from %(predecessor)s.",
                                        predecessor=departing.display_name, successor=successor.display_name))
        self._log(scope['leads'], _("Customer handed over from %(predecessor)s to %(successor)s.",
                                    predecessor=departing.display_name, successor=successor.display_name))
        (departing | successor)._message_log_batch(bodies={
            departing.id: self._body(_("Handed over to %(successor)s: %(summary)s.",
                                       successor=successor.display_name, summary=summary)),
            successor.id: self._body(_("Took over from %(predecessor)s: %(summary)s.",
                                       predecessor=departing.display_name, summary=summary)),
        })

    def _body(self, line):
        body = Markup('<p>%s</p>') % line
        if self.note:
            body += plaintext2html(self.note)
        return body

    def _log(self, records, line):
        """One note per record, written in one batch."""
        if records:
            body = self._body(line)
            records._message_log_batch(bodies=dict.fromkeys(records.ids, body))
