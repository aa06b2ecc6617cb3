"""Export to Excel: the customers' loyalty figures, their segment and tier summary, care
actions, complaints and distributors, in one workbook.

The workbook is streamed: xlsxwriter in ``constant_memory`` mode writes each row to a
temporary file once the next row starts, and the rows are read in batches of
``BATCH_SIZE`` by increasing id (keyset pagination), so that memory does not grow with the
number of customers and no record goes through the ORM cache. Each sheet is one SQL query
built from the model's own search (access rights and record rules of the user included)
and its fields' SQL expressions (company-dependent figures of the current company,
translated names in the user's language).

Only the current company is exported (``self.env.company``), even when the user works in
several companies at once: the loyalty figures are per company, so a sheet mixing two
companies would show each customer with one company's figures only.
"""
import os
import re
import tempfile
import unicodedata

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, clean_context

from ..models.access import LOYALTY_USER, check_group
from ..models.local_day import company_today
from ..models.res_partner import COMMERCIAL_DOMAIN

BATCH_SIZE = 5000
XLSX_MIMETYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

# The columns of each sheet, as field names of its model (customers and distributors:
# res.partner); each column's header is the field's label in the user's language.
CUSTOMER_COLUMNS = (
    'name', 'ref', 'email', 'country_id', 'city', 'user_id',
    # purchase history
    'loyalty_first_purchase_date', 'loyalty_last_purchase_date', 'loyalty_purchase_count',
    'loyalty_purchase_count_total', 'loyalty_revenue', 'loyalty_revenue_total', 'loyalty_purchase_interval',
    'loyalty_scored_date',
    # scores and segments
    'rfm_recency_days', 'rfm_r_score', 'rfm_f_score', 'rfm_m_score', 'rfm_segment', 'abc_class',
    'loyalty_segment', 'value_segment', 'churn_risk', 'loyalty_churn_ratio', 'relationship_level',
    'relationship_level_manual',
    # satisfaction and value
    'satisfaction_score', 'satisfaction_date', 'relationship_months', 'clv_historical', 'clv_predicted',
    'clv_predicted_low', 'clv_predicted_high', 'expected_purchases', 'probability_alive',
    'loyalty_next_purchase_date', 'loyalty_purchase_probability_30d',
    # relationship value: capability, referrals, share of wallet
    'loyalty_revenue_growth', 'loyalty_referred_by_id', 'loyalty_referral_count', 'loyalty_referral_revenue',
    'loyalty_referral_revenue_total', 'loyalty_wallet_estimate', 'loyalty_wallet_estimated_by_id',
    'loyalty_wallet_potential', 'loyalty_wallet_category_id', 'loyalty_wallet_share', 'loyalty_wallet_low_share',
    # preference card (the favourite products are on the Loyalty tab)
    'loyalty_usual_weekday', 'loyalty_contact_channel', 'loyalty_preference_notes',
    # tier
    'loyalty_tier_id', 'loyalty_tier_computed_id', 'loyalty_tier_metric', 'loyalty_tier_below_since',
    'loyalty_tier_override_id', 'loyalty_tier_override_reason', 'loyalty_tier_override_until',
    # care, complaints, lost customers
    'birthday', 'care_opt_out', 'complaint_open_count', 'loyalty_lost', 'loyalty_lost_reason_id',
    'loyalty_lost_date', 'loyalty_lost_note',
    # channel
    'channel_role', 'channel_parent_id', 'channel_grade_id', 'channel_territory_id',
)
DISTRIBUTOR_COLUMNS = (
    'name', 'ref', 'email', 'country_id', 'city', 'user_id', 'channel_role', 'channel_parent_id',
    'channel_grade_id', 'channel_territory_ids', 'channel_partner_since', 'channel_contract_end', 'channel_target',
)
SCORECARD_COLUMNS = (
    'revenue_ytd', 'revenue_last_ytd', 'growth', 'target_achievement', 'customers_active', 'satisfaction',
    'complaints_open', 'conflicts_caused', 'conflicts_suffered',
)
CARE_ACTION_COLUMNS = ('date', 'partner_id', 'rule_id', 'trigger', 'occurrence', 'state', 'attempts', 'note')
COMPLAINT_COLUMNS = (
    'name', 'create_date', 'commercial_partner_id', 'partner_id', 'subject', 'kind', 'category_id', 'severity',
    'state', 'user_id', 'deadline', 'date_resolved', 'resolution_hours', 'sla_breached', 'root_cause',
    'sale_order_id',
)
SUMMARY_FIELDS = ('loyalty_tier_id', 'rfm_segment', 'abc_class', 'loyalty_segment', 'value_segment')
COHORT_GROUPS = ('cohort:month', 'months_since')
COHORT_MEASURES = ('cohort_size', 'buying', 'retention', 'revenue')

# How numbers are shown, by field name; the other fields by their type.
MONEY_FIELDS = {'loyalty_revenue', 'loyalty_revenue_total', 'clv_historical', 'clv_predicted',
                'clv_predicted_low', 'clv_predicted_high', 'channel_target', 'loyalty_referral_revenue',
                'loyalty_referral_revenue_total', 'loyalty_wallet_estimate', 'loyalty_wallet_potential'}
# 0 to 1 (a ratio), shown as a percentage
SHARE_FIELDS = {'probability_alive', 'loyalty_purchase_probability_30d', 'loyalty_wallet_share',
                'loyalty_revenue_growth'}
PERCENT_FIELDS = {'growth', 'target_achievement'}       # already in percent

STRFTIME_TO_EXCEL = {
    '%d': 'dd', '%m': 'mm', '%Y': 'yyyy', '%y': 'yy', '%b': 'mmm', '%B': 'mmmm', '%a': 'ddd', '%A': 'dddd',
    '%H': 'hh', '%I': 'hh', '%M': 'mm', '%S': 'ss', '%p': 'AM/PM',
}


def excel_date_format(pattern, default):
    """The Excel number format of a strftime pattern (a language's date format), its
    literal text quoted but for separators; ``default`` when the pattern has a directive
    Excel lacks."""
    parts = []
    for token in re.split(r'(%.)', pattern or ''):
        if token in STRFTIME_TO_EXCEL:
            parts.append(STRFTIME_TO_EXCEL[token])
        elif token.startswith('%') and len(token) == 2:
            return default
        elif re.fullmatch(r'[ ./:,-]+', token):
            parts.append(token)
        elif token:
            text = token.replace('"', '')
            parts.append(f'"{text}"')
    return ''.join(parts) or default


def display_width(text):
    """Width of a text in Excel's character units (East Asian characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in text)


class Column:
    """One column of a sheet: its header, its SQL expression and how its cells are shown
    (kind: text, selection, integer, decimal, money, percent, date, datetime, boolean)."""
    __slots__ = ('header', 'sql', 'kind', 'labels')
    WIDTHS = {'text': 20, 'selection': 18, 'date': 12, 'datetime': 17, 'boolean': 10}

    def __init__(self, header, sql, kind, labels=None):
        self.header, self.sql, self.kind, self.labels = header, sql, kind, labels

    @property
    def width(self):
        return min(max(self.WIDTHS.get(self.kind, 13), display_width(self.header) + 4), 45)


class CrmLoyaltyExport(models.TransientModel):
    _name = 'crm.loyalty.export'
    _description = 'Export to Excel'

    sheet_customers = fields.Boolean('Customers', default=True,
                                     help="Every loyalty figure of each customer of the search.")
    sheet_summary = fields.Boolean(
        'Segment and Tier Summary', default=True,
        help="Customers and revenue per tier, RFM segment, ABC class and matrix cell, with a "
             "chart of the tier distribution.")
    sheet_cohorts = fields.Boolean(
        'Retention by Cohort', default=True,
        help="The customers of the search by month of first purchase, followed month by month: the "
             "cohort's size, the customers buying, the retention and the revenue, as in the report.")
    sheet_care_actions = fields.Boolean('Care Actions', default=True,
                                        help="The care log of the customers of the search.")
    sheet_complaints = fields.Boolean('Complaints', default=True,
                                      help="The complaints and suggestions of the customers of the search.")
    sheet_distributors = fields.Boolean(
        'Distributors', default=True,
        help="Every channel partner of the company with his grade, territories, contract and scorecard.")
    customer_domain = fields.Char(
        'Customer Filter', required=True, default=lambda self: self._default_customer_domain(),
        help="The customers to export: the search or the selection of the list the export was "
             "started from, else every customer of the company.")
    customer_count = fields.Integer('Customers in the Search', compute='_compute_customer_count')

    # --- which customers ------------------------------------------------------------------

    @api.model
    def _default_customer_domain(self):
        """The list's selection, or its whole search when every record of it is selected
        (the web client then sends the search as ``active_domain`` and the first
        ``web.active_ids_limit`` ids as ``active_ids``), else every customer."""
        context = self.env.context
        if context.get('active_model') == 'res.partner':
            ids = context.get('active_ids') or []
            domain = context.get('active_domain')
            if domain is not None:
                limit = int(self.env['ir.config_parameter'].sudo().get_param('web.active_ids_limit', 20000))
                if len(ids) >= min(self.env['res.partner'].search_count(domain, limit=limit), limit):
                    return repr(domain)
            if ids:
                return repr([('id', 'in', ids)])
        return repr([('loyalty_customer', '=', True)])

    def _customers_domain(self):
        """The customers to export, among the partners of the current company (see the
        module's docstring)."""
        self.ensure_one()
        try:
            domain = self.env['res.partner']._loyalty_parse_domain(self.customer_domain)
        except Exception as error:  # any parse error is the user's invalid domain
            raise UserError(self.env._("The customers' filter is not a valid domain: %(error)s",
                                       error=error)) from error
        return expression.AND([domain, self.env['res.partner']._check_company_domain(self.env.company)])

    @api.depends('customer_domain')
    @api.depends_context('company')
    def _compute_customer_count(self):
        for wizard in self:
            try:
                wizard.customer_count = self.env['res.partner'].search_count(wizard._customers_domain())
            except UserError:
                wizard.customer_count = 0

    # --- the workbook -----------------------------------------------------------------------

    def action_export(self):
        """Write the workbook and return its download. Loyalty users."""
        self.ensure_one()
        check_group(self.env, LOYALTY_USER)
        if not (self.sheet_customers or self.sheet_summary or self.sheet_cohorts or self.sheet_care_actions
                or self.sheet_complaints or self.sheet_distributors):
            raise UserError(self.env._("Choose at least one sheet to export."))
        domain = self._customers_domain()
        # The planner overestimates the batches (a subquery per row for each company-dependent
        # many2one) and would JIT-compile each one, which costs more than running it.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        with tempfile.TemporaryDirectory(prefix='crm_loyalty_export_') as folder:
            path = os.path.join(folder, 'export.xlsx')
            with xlsxwriter.Workbook(path, {'constant_memory': True, 'tmpdir': folder}) as workbook:
                styles = self._styles(workbook)
                if self.sheet_customers:
                    self._write_customers(workbook, styles, domain)
                if self.sheet_summary:
                    self._write_summary(workbook, styles, domain)
                if self.sheet_cohorts:
                    self._write_cohorts(workbook, styles, domain)
                if self.sheet_care_actions:
                    self._write_care_actions(workbook, styles, domain)
                if self.sheet_complaints:
                    self._write_complaints(workbook, styles, domain)
                if self.sheet_distributors:
                    self._write_distributors(workbook, styles)
            with open(path, 'rb') as file:
                raw = file.read()
        name = self.env._("Loyalty %(company)s %(date)s",
                          company=self.env.company.name, date=company_today(self.env.company))
        attachment = self.env(context=clean_context(self.env.context))['ir.attachment'].create({
            'name': f"{name}.xlsx", 'raw': raw, 'mimetype': XLSX_MIMETYPE,
            'res_model': self._name, 'res_id': self.id,
        })
        # the web client opens the download, then closes the wizard (Odoo ignores ``close``
        # with the target "download")
        return {
            'type': 'ir.actions.act_url',
            'url': f'/web/content/{attachment.id}?download=true',
            'close': True,
        }

    def _styles(self, workbook):
        """The cell formats: bold headers; money in the company's currency; dates in the
        user's language's format."""
        currency = self.env.company.currency_id
        number = '#,##0' + ('.' + '0' * currency.decimal_places if currency.decimal_places else '')
        symbol = (currency.symbol or currency.name).replace('"', '')
        money = f'"{symbol}"{number}' if currency.position == 'before' else f'{number} "{symbol}"'
        lang = self.env['res.lang']._get_data(code=self.env.lang or 'en_US')
        date = excel_date_format(lang.date_format, 'yyyy-mm-dd')
        time = excel_date_format(lang.time_format, 'hh:mm:ss')
        return {
            'header': workbook.add_format({'bold': True, 'bg_color': '#E9ECEF', 'border': 1, 'text_wrap': True,
                                           'valign': 'top'}),
            'bold': workbook.add_format({'bold': True}),
            'money': workbook.add_format({'num_format': money}),
            'money_bold': workbook.add_format({'num_format': money, 'bold': True}),
            'decimal': workbook.add_format({'num_format': '#,##0.00'}),
            'integer': workbook.add_format({'num_format': '0'}),
            'percent': workbook.add_format({'num_format': '0.0%'}),
            'date': workbook.add_format({'num_format': date}),
            'month': workbook.add_format({'num_format': 'yyyy-mm'}),
            'datetime': workbook.add_format({'num_format': f'{date} {time}'}),
        }

    # --- columns --------------------------------------------------------------------------

    def _field_column(self, model, alias, fname, query):
        """The column of a field of ``model`` (table ``alias`` of ``query``)."""
        field = model._fields[fname]
        header = field._description_string(self.env)
        if field.type in ('many2one', 'many2many'):
            return Column(header, self._names_sql(model, alias, field, query), 'text')
        sql = model._field_to_sql(alias, fname, query)
        labels = None
        if field.type == 'selection':
            kind, labels = 'selection', dict(field._description_selection(self.env))
        elif field.type == 'datetime':
            tz = self.env.context.get('tz') or self.env.user.tz or 'UTC'
            kind, sql = 'datetime', SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", sql, tz)
        elif fname in MONEY_FIELDS or field.type == 'monetary':
            kind = 'money'
        elif fname in SHARE_FIELDS:
            kind = 'percent'
        elif fname in PERCENT_FIELDS:
            kind, sql = 'percent', SQL("%s / 100.0", sql)
        else:
            kind = {'date': 'date', 'boolean': 'boolean', 'integer': 'integer', 'float': 'decimal'}.get(
                field.type, 'text')
        return Column(header, sql, kind, labels)

    def _names_sql(self, model, alias, field, query):
        """The name of the record of a many2one field, joined to ``query``; the names of the
        records of a many2many field that the user may read, in one cell."""
        comodel = self.env[field.comodel_name]
        if field.type == 'many2one':
            coalias = query.make_alias(alias, field.name)
            query.add_join('LEFT JOIN', coalias, comodel._table, SQL(
                "%s = %s", SQL.identifier(coalias, 'id'), model._field_to_sql(alias, field.name, query)))
            return comodel._field_to_sql(coalias, comodel._rec_name, query)
        related = comodel._search([])
        name = comodel._field_to_sql(related.table, comodel._rec_name, related)
        related.add_where(SQL(
            "%s IN (SELECT %s FROM %s WHERE %s = %s)", SQL.identifier(related.table, 'id'),
            SQL.identifier(field.column2), SQL.identifier(field.relation), SQL.identifier(field.column1),
            SQL.identifier(alias, 'id')))
        return related.subselect(SQL("string_agg(%s, ', ' ORDER BY %s)", name, name))

    def _cell_writers(self, sheet, styles, columns):
        """Per column, the function that writes a (non-empty) value into a cell."""
        def writer(column):
            style = styles.get(column.kind)
            if column.kind == 'selection':
                labels = column.labels
                return lambda row, col, value: sheet.write_string(row, col, labels.get(value, value))
            if column.kind in ('date', 'datetime'):
                return lambda row, col, value: sheet.write_datetime(row, col, value, style)
            if column.kind == 'boolean':
                return sheet.write_boolean
            if column.kind == 'text':
                return lambda row, col, value: sheet.write_string(row, col, str(value))
            return lambda row, col, value: sheet.write_number(row, col, value, style)
        return [writer(column) for column in columns]

    # --- sheets ---------------------------------------------------------------------------

    @staticmethod
    def _add_worksheet(workbook, title):
        """A sheet named ``title``, without the characters and length Excel refuses."""
        return workbook.add_worksheet(re.sub(r'[\[\]:*?/\\]', ' ', title)[:31])

    def _add_sheet(self, workbook, styles, title, columns):
        """A sheet with its column widths and its frozen header row (before any data row:
        the streamed workbook is written in row order)."""
        sheet = self._add_worksheet(workbook, title)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
        sheet.write_row(0, 0, [column.header for column in columns], styles['header'])
        sheet.freeze_panes(1, 0)
        return sheet

    def _stream_rows(self, workbook, styles, title, query, columns):
        """A list sheet of ``query``'s records in id order, read by batches."""
        sheet = self._add_sheet(workbook, styles, title, columns)
        writers = self._cell_writers(sheet, styles, columns)
        record_id = SQL.identifier(query.table, 'id')
        batch_size = self.env.context.get('crm_loyalty_export_batch_size') or BATCH_SIZE
        where = query.where_clause or SQL("TRUE")
        row, last_id = 0, 0
        while True:
            records = self.env.execute_query(SQL(
                "SELECT %s, %s FROM %s WHERE %s AND %s > %s ORDER BY %s LIMIT %s",
                record_id, SQL(", ").join(column.sql for column in columns), query.from_clause, where,
                record_id, last_id, record_id, batch_size))
            for record in records:
                row += 1
                for col, value in enumerate(record[1:]):
                    if value is not None and value != '':
                        writers[col](row, col, value)
            if len(records) < batch_size:
                break
            last_id = records[-1][0]
        sheet.autofilter(0, 0, row, len(columns) - 1)

    def _write_customers(self, workbook, styles, domain):
        Partner = self.env['res.partner']
        query = Partner._search(domain)
        columns = [self._field_column(Partner, query.table, fname, query) for fname in CUSTOMER_COLUMNS]
        self._stream_rows(workbook, styles, self.env._("Customers"), query, columns)

    def _write_care_actions(self, workbook, styles, domain):
        Action = self.env['crm.loyalty.care.action']
        query = Action._search([('company_id', '=', self.env.company.id), ('partner_id', 'any', domain)])
        columns = [self._field_column(Action, query.table, fname, query) for fname in CARE_ACTION_COLUMNS]
        self._stream_rows(workbook, styles, self.env._("Care Actions"), query, columns)

    def _write_complaints(self, workbook, styles, domain):
        Complaint = self.env['crm.loyalty.complaint']
        query = Complaint._search([('company_id', '=', self.env.company.id),
                                   ('commercial_partner_id', 'any', domain)])
        columns = [self._field_column(Complaint, query.table, fname, query) for fname in COMPLAINT_COLUMNS]
        self._stream_rows(workbook, styles, self.env._("Complaints and Suggestions"), query, columns)

    def _write_distributors(self, workbook, styles):
        """Every channel partner of the company (whatever the customers' search), with his
        scorecard of the company."""
        Partner = self.env['res.partner']
        Scorecard = self.env['crm.loyalty.channel.scorecard']
        Scorecard.check_access('read')
        query = Partner._search([
            ('channel_role', '!=', False), ('company_id', 'in', [False, self.env.company.id]),
            *COMMERCIAL_DOMAIN])
        columns = [self._field_column(Partner, query.table, fname, query) for fname in DISTRIBUTOR_COLUMNS]
        scorecard = query.make_alias(query.table, 'scorecard')
        query.add_join('LEFT JOIN', scorecard, Scorecard._table, SQL(
            "%s = %s AND %s = %s", SQL.identifier(scorecard, 'partner_id'), SQL.identifier(query.table, 'id'),
            SQL.identifier(scorecard, 'company_id'), self.env.company.id))
        columns += [self._field_column(Scorecard, scorecard, fname, query) for fname in SCORECARD_COLUMNS]
        self._stream_rows(workbook, styles, self.env._("Distributors"), query, columns)

    def _write_summary(self, workbook, styles, domain):
        """Customers and window revenue per tier, RFM segment, ABC class and matrix cell
        (one GROUP BY each), one table under the other, with a chart of the tiers."""
        Partner = self.env['res.partner']
        sheet = self._add_worksheet(workbook, self.env._("Summary"))
        revenue_header = Partner._fields['loyalty_revenue']._description_string(self.env)
        headers = [self.env._("Customers"), self.env._("Share of Customers"), revenue_header,
                   self.env._("Share of Revenue")]
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, len(headers), max(14, *(display_width(header) + 2 for header in headers)))
        row = 0
        tier_rows = None
        for fname in SUMMARY_FIELDS:
            field = Partner._fields[fname]
            groups = self._summary_groups(domain, fname)
            lines = self._summary_lines(field, groups)
            total_count = sum(count for _label, count, _revenue in lines)
            total_revenue = sum(revenue for _label, _count, revenue in lines)
            sheet.write_row(row, 0, [field._description_string(self.env), *headers], styles['header'])
            first = row + 1
            for label, count, revenue in lines:
                row += 1
                sheet.write_string(row, 0, label)
                sheet.write_number(row, 1, count)
                sheet.write_number(row, 2, count / total_count if total_count else 0, styles['percent'])
                sheet.write_number(row, 3, revenue, styles['money'])
                sheet.write_number(row, 4, revenue / total_revenue if total_revenue else 0, styles['percent'])
            if fname == 'loyalty_tier_id':
                tier_rows = (first, row)
            row += 1
            sheet.write_string(row, 0, self.env._("Total"), styles['bold'])
            sheet.write_number(row, 1, total_count, styles['bold'])
            sheet.write_number(row, 3, total_revenue, styles['money_bold'])
            row += 2
        if tier_rows[1] < tier_rows[0]:
            return
        chart = workbook.add_chart({'type': 'column'})
        chart.add_series({
            'name': self.env._("Customers"),
            'categories': [sheet.name, tier_rows[0], 0, tier_rows[1], 0],
            'values': [sheet.name, tier_rows[0], 1, tier_rows[1], 1],
            'data_labels': {'value': True},
        })
        chart.set_title({'name': self.env._("Customers per Tier")})
        chart.set_legend({'none': True})
        sheet.insert_chart(0, len(headers) + 2, chart)

    def _write_cohorts(self, workbook, styles, domain):
        """The Retention by Cohort report of the customers of the search: one row per cohort
        and month since its first, with the report's own figures (its grouped read)."""
        Cohort = self.env['crm.loyalty.report.cohort']
        groups = Cohort._read_group(
            [('company_id', '=', self.env.company.id), ('partner_id', 'any', domain)], COHORT_GROUPS,
            [f'{name}:{Cohort._fields[name].aggregator}' for name in COHORT_MEASURES],
            order='cohort:month, months_since')
        names = [spec.split(':')[0] for spec in (*COHORT_GROUPS, *COHORT_MEASURES)]
        kinds = {'cohort': 'month', 'months_since': 'integer', 'cohort_size': 'integer', 'buying': 'integer',
                 'retention': 'percent', 'revenue': 'money'}
        columns = [Column(Cohort._fields[name]._description_string(self.env), None, kinds[name]) for name in names]
        sheet = self._add_sheet(workbook, styles, self.env._("Retention by Cohort"), columns)
        for row, values in enumerate(groups, start=1):
            for col, (name, value) in enumerate(zip(names, values, strict=True)):
                if name == 'cohort':
                    sheet.write_datetime(row, col, value, styles['month'])
                else:   # the report's retention is in percent
                    sheet.write_number(row, col, value / 100 if name == 'retention' else value or 0,
                                       styles[kinds[name]])
        sheet.autofilter(0, 0, len(groups), len(columns) - 1)

    def _summary_groups(self, domain, fname):
        """{value: (customers, window revenue)} of the customers, grouped by ``fname``."""
        Partner = self.env['res.partner']
        query = Partner._search(domain)
        value = Partner._field_to_sql(query.table, fname, query)
        query.groupby = value
        return {key: (count, revenue or 0.0) for key, count, revenue in self.env.execute_query(query.select(
            value, SQL("COUNT(*)"), SQL("SUM(%s)", Partner._field_to_sql(query.table, 'loyalty_revenue', query))))}

    def _summary_lines(self, field, groups):
        """(label, customers, revenue) for each value of the field, in its order (every
        value, empty ones included), then the customers without value."""
        if field.type == 'many2one':
            # the company's tiers, and the archived ones customers still hold
            tiers = self.env[field.comodel_name].with_context(active_test=False).search([
                '|', '&', ('active', '=', True), ('company_id', '=', self.env.company.id),
                ('id', 'in', [key for key in groups if key])])
            labels = [(tier.id, tier.display_name) for tier in tiers]
            none_label = self.env._("No Tier")
        else:
            labels = field._description_selection(self.env)
            none_label = self.env._("Not Set")
        lines = [(label, *groups.get(key, (0, 0.0))) for key, label in labels]
        if None in groups:
            lines.append((none_label, *groups[None]))
        return lines
