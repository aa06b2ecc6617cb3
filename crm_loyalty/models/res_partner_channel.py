from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

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


class ResPartner(models.Model):
    _inherit = 'res.partner'  # pylint: disable=consider-merging-classes-inherited

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

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create([self._channel_commercial_parent(vals) for vals in vals_list])
        partners._channel_match_territories()
        return partners

    def write(self, vals):
        res = super().write(self._channel_commercial_parent(vals))
        if ADDRESS_FIELDS & vals.keys():
            self._channel_match_territories()
        return res

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
