"""Sales territories of the channel, and the set-based matching of addresses to them.

An address matches a territory when each criterion that is set matches: its country is
one of the countries, its state one of the states, its zip within the range (by the rule
of ``lib/postcode.py``, which the SQL reads through ``zip_pattern``). Addresses
are matched by one SQL statement over any number of partners (or orders, or leads): the
territories are first flattened into one row per state (or per country, when no state
is set), so that the match is an equality join, not a scan of every pair.

Matching every partner of a company again (a territory changed, or the button) is done at
once for a small company, and otherwise by a scheduled job in committed batches of partners,
so that neither a request nor a cron call outlives Odoo's time limits.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib.postcode import bound_pattern, normalize_bound, pad_range, postcode_form, ranges_overlap
from .access import LOYALTY_MANAGER, check_group
from .cron_step import call_deadline, step_seconds

MATCH_CRON = 'crm_loyalty.ir_cron_loyalty_territory_match'
INLINE_PARTNERS = 10000     # a company with more partners is matched again by the scheduled job
BATCH_SIZE = 5000           # partners in the job's first batch; the next ones adapt to its time

ZIP_RANGE_HELP = (
    "A postcode is in the range when it begins with the form of the bounds (their groups "
    "of digits and letters, e.g. SW1 is two letters and a digit) and that beginning lies "
    "between them; spaces and dashes are not compared. Bounds of digits only compare the first "
    "digits: 19999-1234 is in 10000–19999, 1099 ZZ in 1000–1099, 10001 in 100–149, and a "
    "short postcode of digits only is padded with zeros (501 is 00501). Otherwise each "
    "group must be whole: K1A 0B1 is in K1A–K1Z, SW1A 1AA in SW1A–SW1Z and in SW1–SW9, "
    "but SW10 9AA is not in SW1–SW9 (its district is 10; write British postcodes with "
    "their space). Any other postcode shorter than the bounds, or of another form, is in "
    "no range. Both bounds have the same form.")


def place_overlap(place, other):
    """Whether two (country, state) patterns of ``_places`` share an address."""
    if place == (0, 0) or other == (0, 0):
        return True
    if place[0] != other[0]:
        return False
    return not (place[1] and other[1]) or place[1] == other[1]


class CrmLoyaltyTerritory(models.Model):
    _name = 'crm.loyalty.territory'
    _description = 'Channel Territory'
    _inherit = ['mail.thread']
    _order = 'company_id, sequence, name, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        'res.company', required=True, index=True, default=lambda self: self.env.company)
    exclusive = fields.Boolean(
        tracking=True,
        help="Only its distributors may sell into an exclusive territory: a sale delivered "
             "there by another distributor is a channel conflict. Exclusive territories of one "
             "company cannot overlap.")
    country_ids = fields.Many2many(
        'res.country', 'crm_loyalty_territory_country_rel', 'territory_id', 'country_id',
        string='Countries', tracking=True)
    state_ids = fields.Many2many(
        'res.country.state', 'crm_loyalty_territory_state_rel', 'territory_id', 'state_id',
        string='States', tracking=True,
        domain="[('country_id', 'in', country_ids)] if country_ids else []")
    zip_from = fields.Char('Zip From', tracking=True, help=ZIP_RANGE_HELP)
    zip_to = fields.Char('Zip To', tracking=True, help=ZIP_RANGE_HELP)
    zip_pattern = fields.Char(
        compute='_compute_zip_pattern', store=True, string='Zip Pattern',
        help="The form of the zip bounds as a regular expression, by which the addresses are matched.")
    distributor_ids = fields.Many2many(
        'res.partner', 'crm_loyalty_territory_partner_rel', 'territory_id', 'partner_id',
        string='Distributors', domain="[('channel_role', '!=', False)]", tracking=True,
        help="The channel partners who serve this territory.")
    customer_count = fields.Integer(compute='_compute_customer_count', string='Customers')
    color = fields.Integer()

    @api.depends('zip_from')
    def _compute_zip_pattern(self):
        for territory in self:
            territory.zip_pattern = bound_pattern(territory.zip_from)

    # --- Validation -------------------------------------------------------------------

    @api.constrains('name', 'zip_from', 'zip_to', 'country_ids', 'state_ids')
    def _check_criteria(self):
        for territory in self:
            if bool(territory.zip_from) != bool(territory.zip_to):
                raise ValidationError(_(
                    "The zip range of the territory “%(territory)s” needs both a first and a last zip.",
                    territory=territory.name))
            zip_from, zip_to = pad_range(territory.zip_from, territory.zip_to)
            if postcode_form(zip_from) != postcode_form(zip_to):
                raise ValidationError(_(
                    "The bounds of the zip range of the territory “%(territory)s” differ in form: "
                    "%(zip_from)s and %(zip_to)s must have the same digits and letters in the same "
                    "places (split the range in two).", territory=territory.name, zip_from=zip_from,
                    zip_to=zip_to))
            if zip_from > zip_to:
                raise ValidationError(_(
                    "The zip range of the territory “%(territory)s” runs backwards: %(zip_from)s comes "
                    "after %(zip_to)s.", territory=territory.name, zip_from=territory.zip_from,
                    zip_to=territory.zip_to))
            if not (territory.country_ids or territory.state_ids or territory.zip_from):
                raise ValidationError(_(
                    "The territory “%(territory)s” needs a country, a state or a zip range: "
                    "without any it would cover the whole world.", territory=territory.name))
            countries = territory.country_ids
            stray = countries and territory.state_ids.filtered(lambda state, c=countries: state.country_id not in c)
            if stray:
                raise ValidationError(_(
                    "The state %(state)s of the territory “%(territory)s” is not in its countries.",
                    state=stray[0].display_name, territory=territory.name))

    @api.constrains('exclusive', 'active', 'company_id', 'country_ids', 'state_ids', 'zip_from', 'zip_to')
    def _check_exclusive_overlap(self):
        exclusive = self.filtered(lambda t: t.exclusive and t.active)
        if not exclusive:
            return
        others = self.search([('exclusive', '=', True), ('company_id', 'in', exclusive.company_id.ids)])
        for territory in exclusive:
            for other in others:
                if other != territory and other.company_id == territory.company_id \
                        and territory._overlaps(other):
                    raise ValidationError(_(
                        "The exclusive territories “%(territory)s” and “%(other)s” overlap: an address "
                        "can be in both. Narrow one of them, or make one shared.",
                        territory=territory.name, other=other.name))

    def _overlaps(self, other):
        """Whether some address matches both territories."""
        self.ensure_one()
        if self.zip_from and other.zip_from and not ranges_overlap((self.zip_from, self.zip_to),
                                                                   (other.zip_from, other.zip_to)):
            return False
        return any(place_overlap(mine, theirs) for mine in self._places() for theirs in other._places())

    def _places(self):
        """The (country, state) pairs the territory names: state 0 = any state of the
        country, (0, 0) = anywhere (a zip range alone)."""
        if self.state_ids:
            return {(state.country_id.id, state.id) for state in self.state_ids}
        return {(country.id, 0) for country in self.country_ids} or {(0, 0)}

    # --- Changes re-match the partners ------------------------------------------------

    @api.model
    def _normalize_vals(self, vals):
        if 'zip_from' in vals or 'zip_to' in vals:
            for key in ('zip_from', 'zip_to'):
                if key in vals:
                    vals[key] = normalize_bound(vals[key]) or False
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_vals(vals)
            if vals.get('zip_from') and vals.get('zip_to'):
                vals['zip_from'], vals['zip_to'] = pad_range(vals['zip_from'], vals['zip_to'])
        territories = super().create(vals_list)
        self._rematch_companies(territories.company_id)
        return territories

    def write(self, vals):
        self._normalize_vals(vals)
        res = super().write(vals)
        if 'zip_from' in vals or 'zip_to' in vals:
            for territory in self.filtered(lambda t: t.zip_from and t.zip_to):
                zip_from, zip_to = pad_range(territory.zip_from, territory.zip_to)
                if (zip_from, zip_to) != (territory.zip_from, territory.zip_to):
                    super(CrmLoyaltyTerritory, territory).write({'zip_from': zip_from, 'zip_to': zip_to})
        if vals.keys() & {'active', 'exclusive', 'sequence', 'country_ids', 'state_ids', 'zip_from',
                          'zip_to', 'company_id'}:
            self._rematch_companies(self.company_id)
        return res

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        self._rematch_companies(companies)
        return res

    # --- Matching ---------------------------------------------------------------------

    @api.model
    def _flat_sql(self, company_ids):
        """One row per (territory, state) or (territory, country) or territory alone,
        with its priority: exclusive first, then the most precise criteria."""
        return SQL(
            """SELECT t.id AS territory_id, t.company_id, t.exclusive, t.zip_from, t.zip_to, t.zip_pattern,
                      COALESCE(s.country_id, c.country_id) AS country_id, s.id AS state_id,
                      (CASE WHEN t.exclusive THEN 8 ELSE 0 END
                       + CASE WHEN t.zip_from IS NOT NULL THEN 4 ELSE 0 END
                       + CASE WHEN s.id IS NOT NULL THEN 2 ELSE 0 END
                       + CASE WHEN c.country_id IS NOT NULL THEN 1 ELSE 0 END) AS priority,
                      t.sequence
                 FROM crm_loyalty_territory t
                 LEFT JOIN crm_loyalty_territory_state_rel sr ON sr.territory_id = t.id
                 LEFT JOIN res_country_state s ON s.id = sr.state_id
                 LEFT JOIN crm_loyalty_territory_country_rel c ON c.territory_id = t.id AND sr.state_id IS NULL
                WHERE t.active AND t.company_id = ANY(%s)""",
            list(company_ids))

    @api.model
    def _match_sql(self, addresses, company_ids):
        """Every (address, territory) match: ``addresses`` is an SQL query of rows
        ``(key, country_id, state_id, zip)``; returns rows ``(key, territory_id, company_id,
        exclusive, priority, sequence)``. Three equality joins, so that the planner hashes."""
        # lib/postcode.py's postcode_in_range: the postcode's first characters (padded when
        # of digits only) between the bounds, and only then, as it costs more, the postcode
        # of the bounds' form (CASE keeps that order)
        padded = SQL("lpad(a.digits, greatest(length(a.digits), length(t.zip_from)), '0')")
        zip_ok = SQL("""(t.zip_from IS NULL OR
                         CASE WHEN left(COALESCE(%(padded)s, a.bare), length(t.zip_from))
                                   BETWEEN t.zip_from AND t.zip_to
                              THEN COALESCE(%(padded)s, a.zip) ~ t.zip_pattern END)""", padded=padded)
        return SQL(
            """WITH a AS MATERIALIZED (
                    SELECT key, country_id, state_id, zip, replace(zip, ' ', '') AS bare,
                           CASE WHEN zip ~ '^[0-9]+$' THEN zip END AS digits
                      FROM (SELECT key, country_id, state_id,
                                   btrim(upper(regexp_replace(COALESCE(zip, ''), '[^A-Za-z0-9]+', ' ', 'g'))) AS zip
                              FROM (%(addresses)s) AS address (key, country_id, state_id, zip)) AS normalized),
                    t AS MATERIALIZED (%(flat)s)
               SELECT a.key, t.territory_id, t.company_id, t.exclusive, t.priority, t.sequence
                 FROM a JOIN t ON t.state_id = a.state_id WHERE %(zip_ok)s
               UNION ALL
               SELECT a.key, t.territory_id, t.company_id, t.exclusive, t.priority, t.sequence
                 FROM a JOIN t ON t.state_id IS NULL AND t.country_id = a.country_id WHERE %(zip_ok)s
               UNION ALL
               SELECT a.key, t.territory_id, t.company_id, t.exclusive, t.priority, t.sequence
                 FROM a JOIN t ON t.state_id IS NULL AND t.country_id IS NULL WHERE %(zip_ok)s""",
            addresses=addresses, flat=self._flat_sql(company_ids), zip_ok=zip_ok)

    @api.model
    def _match_partners(self, companies, partners=None):
        """Write the best territory of each partner (of ``partners``, default all) for
        each company: one UPDATE per company, writing only the partners whose territory
        changed. Returns the number of partners written."""
        where = SQL("p.id = ANY(%s)", partners.ids) if partners is not None else SQL("TRUE")
        return sum(self._match_where(company, where) for company in companies)

    @api.model
    def _match_where(self, company, where):
        """Write the best territory in ``company`` of its partners ``p`` that ``where``
        (an SQL condition) selects, in one UPDATE. Returns the number of partners written."""
        self._flush_match_fields()
        key = str(company.id)
        written = self.env.execute_query(SQL(
            """WITH m AS (%(match)s),
                    best AS (SELECT DISTINCT ON (key) key AS partner_id, territory_id
                               FROM m ORDER BY key, priority DESC, sequence, territory_id),
                    target AS (
                        SELECT p.id, best.territory_id
                          FROM res_partner p LEFT JOIN best ON best.partner_id = p.id
                         WHERE %(where)s AND (p.company_id IS NULL OR p.company_id = %(company)s)
                           AND (p.channel_territory_id ->> %(key)s)::int IS DISTINCT FROM best.territory_id)
               UPDATE res_partner p
                  SET channel_territory_id = COALESCE(p.channel_territory_id, '{}'::jsonb)
                                             || jsonb_build_object(%(key)s, target.territory_id)
                 FROM target WHERE p.id = target.id
            RETURNING p.id""",
            match=self._match_sql(
                SQL("SELECT p.id, p.country_id, p.state_id, p.zip FROM res_partner p WHERE %s "
                    "AND (p.company_id IS NULL OR p.company_id = %s)", where, company.id),
                [company.id]),
            where=where, company=company.id, key=key))
        self.env['res.partner'].invalidate_model(['channel_territory_id'])
        return len(written)

    def _flush_match_fields(self):
        """Flush what the matching reads: the territories and the partners' addresses."""
        self.flush_model()
        self.env['res.partner'].flush_model(['company_id', 'country_id', 'state_id', 'zip', 'channel_territory_id'])

    @api.model
    def _company_partners_sql(self, company):
        """The ids of the partners that have a territory in ``company``: its own and the shared ones."""
        return SQL("SELECT p.id FROM res_partner p WHERE p.company_id IS NULL OR p.company_id = %s", company.id)

    @api.model
    def _is_small(self, company):
        """Whether every partner of ``company`` is matched again at once, rather than by the job."""
        self.env['res.partner'].flush_model(['company_id'])
        [[count]] = self.env.execute_query(SQL("SELECT COUNT(*) FROM (%s LIMIT %s) AS partner",
                                               self._company_partners_sql(company), INLINE_PARTNERS + 1))
        return count <= INLINE_PARTNERS

    @api.model
    def _rematch_companies(self, companies):
        """Match every partner of ``companies`` again: at once in a small company, by the
        scheduled job in the others. Returns the number of partners written at once and the
        companies left to the job."""
        small = companies.filtered(self._is_small)
        if queued := companies - small:
            self.env['crm.loyalty.cron.position']._start(MATCH_CRON, queued, trigger=True)
        return self._match_partners(small), queued

    @api.model
    def _cron_match_partners(self):
        """One call of the matching of every partner of the companies queued for it, in
        committed batches of partners (by ranges of ids), going on where the last call stopped."""
        self.env['crm.loyalty.cron.position']._walk(
            MATCH_CRON, self._company_partners_sql, self._match_range, BATCH_SIZE,
            deadline=call_deadline(self.env, step_seconds()))

    @api.model
    def _match_range(self, company, _as_of, after_id, up_to_id):
        """Match the partners of ``company`` whose id is in (after_id, up_to_id]."""
        self._match_where(company, SQL("p.id > %s AND p.id <= %s", after_id, up_to_id))

    @api.model
    def _lookup(self, country=None, state=None, zip_code=None, company=None):
        """The territories that cover an address, best first (exclusive, then the most
        precise): "which distributor serves this address?"."""
        company = company or self.env.company
        self.flush_model()
        rows = self.env.execute_query(SQL(
            """SELECT territory_id FROM (%s) m
                ORDER BY priority DESC, sequence, territory_id""",
            self._match_sql(SQL("SELECT 0, %s::int, %s::int, %s::varchar",
                                country.id if country else None, state.id if state else None,
                                zip_code or ''), [company.id])))
        ids = list(dict.fromkeys(territory_id for territory_id, in rows))
        return self.browse(ids)

    def _compute_customer_count(self):
        """The customers of the territory's company whose address lies in it."""
        counts = {}
        for company, territories in self.grouped('company_id').items():
            Partner = self.env['res.partner'].with_company(company)
            counts.update(Partner._read_group(
                [*Partner._loyalty_customer_domain(), ('channel_territory_id', 'in', territories.ids)],
                ['channel_territory_id'], ['__count']))
        for territory in self:
            territory.customer_count = counts.get(territory, 0)

    def action_view_customers(self):
        """The territory's customers, its filters shown in the search bar."""
        self.ensure_one()
        self.check_access('read')
        action = self.env['ir.actions.act_window']._for_xml_id('crm_loyalty.action_loyalty_customers')
        action['context'] = {'res_partner_search_mode': 'customer', 'search_default_loyalty_customer': 1,
                             'search_default_channel_territory_id': self.id}
        return action

    def action_match_partners(self):
        """Match every address to its territory again: at once in a small company, else in
        the background (the scheduled job). Loyalty administrators."""
        check_group(self.env, LOYALTY_MANAGER, _("Only loyalty administrators can match addresses to territories."))
        self.check_access('read')
        written, queued = self._rematch_companies(self.company_id or self.env.company)
        message = _("The addresses of %(companies)s are being matched to their territories in the background: "
                    "it may take a few minutes.", companies=", ".join(queued.mapped('name'))) if queued \
            else _("%s addresses moved to another territory.", written)
        return {
            'type': 'ir.actions.client', 'tag': 'display_notification',
            'params': {'type': 'success', 'message': message},
        }
