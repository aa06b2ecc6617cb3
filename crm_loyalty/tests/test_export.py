import io
import re
import zipfile
from collections import Counter
from datetime import date, datetime

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase

# The lifetime value models warn that so few customers make a thin population.
QUIET = ('odoo.addons.crm_loyalty.lib.clv', 'odoo.addons.crm_loyalty.models.crm_loyalty_engine')
SCALAR_TYPES = ('char', 'text', 'date', 'datetime', 'integer', 'float', 'monetary', 'boolean', 'selection', 'many2one')


@tagged('post_install', '-at_install', 'is_query_count')
class TestExport(LoyaltyCase):
    """Four customers of known figures (AS_OF = 2026-11-22, tiers Silver 300 and Gold 800
    on the window revenue): Golden Dragon 900 (Gold), Silver Needle 350 (Silver), Small Cup
    100 and Lotus Tea House nothing (no tier)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['crm.loyalty.tier'].search([('company_id', '=', cls.company.id)]).active = False  # demo data's
        cls.silver, cls.gold = cls._tiers(Silver=300, Gold=800)
        cls.dragon = cls._create_customer('Golden Dragon Teas', email='buy@dragon.example.com', city='Hangzhou')
        cls.needle = cls._create_customer('Silver Needle Shop')
        cls.cup = cls._create_customer('Small Cup Café')
        cls._order(cls.dragon, 500, 10)
        cls._order(cls.dragon, 400, 40)
        cls._order(cls.needle, 350, 20)
        cls._order(cls.cup, 100, 30)
        cls.customers = cls.dragon | cls.needle | cls.cup | cls.customer
        cls.outsider = cls._create_customer('Far Away Trading')
        with mute_logger(*QUIET):
            cls.env['crm.loyalty.engine']._recompute(as_of=cls.AS_OF)

    # --- helpers ----------------------------------------------------------------------------

    def _wizard(self, partners=None, env=None, **values):
        """The wizard as opened from the list of customers with ``partners`` (default: the
        four customers) selected among the customers it shows."""
        partners = self.customers if partners is None else partners
        return (env or self.env)['crm.loyalty.export'].with_context(
            active_model='res.partner', active_domain=[('customer_rank', '>', 0)], active_ids=partners.ids,
        ).create(values)

    def _download(self, action):
        self.assertEqual(action['type'], 'ir.actions.act_url')
        # the web client downloads it in a new tab and closes the wizard (not with the
        # target "download", which ignores ``close``)
        self.assertTrue(action['close'])
        self.assertNotEqual(action.get('target'), 'download')
        attachment_id = re.fullmatch(r'/web/content/(\d+)\?download=true', action['url'])[1]
        return self.env['ir.attachment'].browse(int(attachment_id)).raw

    def _open(self, action):
        return openpyxl.load_workbook(io.BytesIO(self._download(action)))

    def _export(self, partners=None, env=None, **values):
        """Export and open the workbook."""
        return self._open(self._wizard(partners, env, **values).action_export())

    def _rows(self, sheet):
        headers = [cell.value for cell in sheet[1]]
        return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]

    def _by_name(self, sheet):
        return {row['Name']: row for row in self._rows(sheet)}

    def _table(self, sheet, title):
        """{label: (customers, share, revenue, revenue share)} of a table of the summary."""
        rows = list(sheet.iter_rows(values_only=True))
        start = next(i for i, row in enumerate(rows) if row[0] == title)
        table = {}
        for row in rows[start + 1:]:
            if row[0] == 'Total':
                return table, row
            table[row[0]] = row[1:5]
        raise AssertionError(f"no total under {title}")

    # --- the customers sheet ----------------------------------------------------------------

    def test_workbook_has_one_sheet_per_choice(self):
        book = self._export()
        self.assertEqual(book.sheetnames, ['Customers', 'Summary', 'Retention by Cohort', 'Care Actions',
                                           'Complaints and Suggestions', 'Distributors'])
        book = self._export(sheet_summary=False, sheet_cohorts=False, sheet_care_actions=False,
                            sheet_distributors=False)
        self.assertEqual(book.sheetnames, ['Customers', 'Complaints and Suggestions'])

    def test_customers_sheet_has_the_figures(self):
        sheet = self._export()['Customers']
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(headers[:6], ['Name', 'Reference', 'Email', 'Country', 'City', 'Salesperson'])
        for header in ('Revenue (window)', 'Last Purchase', 'RFM Segment', 'Tier', 'Loyalty Matrix', 'Churn Risk',
                       'Predicted Value', 'Channel Role', 'Upstream Distributor', 'Territory'):
            self.assertIn(header, headers)
        rows = self._by_name(sheet)
        self.assertEqual(set(rows), {'Golden Dragon Teas', 'Silver Needle Shop', 'Small Cup Café', 'Lotus Tea House'})
        dragon = rows['Golden Dragon Teas']
        self.assertEqual(dragon['Email'], 'buy@dragon.example.com')
        self.assertEqual(dragon['City'], 'Hangzhou')
        self.assertEqual(dragon['Revenue (window)'], 900)
        self.assertEqual(dragon['Purchases (window)'], 2)
        self.assertEqual(dragon['Tier'], 'Gold')
        self.assertEqual(dragon['Qualifying Tier'], 'Gold')
        self.assertEqual(dragon['Last Purchase'], datetime(2026, 11, 12))
        self.assertEqual(dragon['First Purchase'], datetime(2026, 10, 13))
        self.assertEqual(dragon['Recency (days)'], 10)
        labels = dict(self.env['res.partner']._fields['rfm_segment']._description_selection(self.env))
        self.assertEqual(dragon['RFM Segment'], labels[self.dragon.rfm_segment])
        self.assertEqual(rows['Silver Needle Shop']['Tier'], 'Silver')
        self.assertEqual(rows['Small Cup Café']['Revenue (window)'], 100)
        self.assertIsNone(rows['Small Cup Café']['Tier'])
        self.assertIsNone(rows['Lotus Tea House']['Last Purchase'])

    def test_cells_are_formatted(self):
        sheet = self._export()['Customers']
        headers = [cell.value for cell in sheet[1]]
        self.assertTrue(all(cell.font.b for cell in sheet[1]))
        self.assertEqual(sheet.freeze_panes, 'A2')
        self.assertEqual(sheet.auto_filter.ref, f"A1:{sheet.cell(1, len(headers)).column_letter}5")
        row = next(cell.row for cell in sheet['A'] if cell.value == 'Golden Dragon Teas')
        revenue = sheet.cell(row, headers.index('Revenue (window)') + 1)
        self.assertIn(self.company.currency_id.symbol, revenue.number_format)
        self.assertTrue(sheet.cell(row, headers.index('Last Purchase') + 1).is_date)
        self.assertIn('%', sheet.cell(row, headers.index('Probability Active') + 1).number_format)
        self.assertGreater(sheet.column_dimensions['A'].width, 10)

    def test_every_loyalty_field_of_partners_is_exported(self):
        """Each stored field crm_loyalty adds to partners is a column of the customers or
        of the distributors sheet."""
        fields_ = self.env['ir.model.fields'].search([
            ('model', '=', 'res.partner'), ('store', '=', True), ('ttype', 'in', (*SCALAR_TYPES, 'many2many'))])
        ours = fields_.filtered(lambda field: 'crm_loyalty' in field.modules.split(', '))
        self.assertIn('loyalty_revenue', ours.mapped('name'))
        book = self._export()
        headers = {cell.value for cell in book['Customers'][1]} | {cell.value for cell in book['Distributors'][1]}
        missing = [field.name for field in ours
                   if field.ttype != 'many2many' or field.name == 'channel_territory_ids'
                   if field.field_description not in headers]
        self.assertEqual(missing, [])

    def test_headers_and_labels_in_the_users_language(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'], overwrite=True)
        env = self.env(context=dict(self.env.context, lang='zh_CN'))
        Partner = env['res.partner']
        header = Partner._fields['loyalty_revenue']._description_string(env)
        self.assertEqual(header, '收入（窗口期）')
        sheet = self._export(env=env).worksheets[0]
        self.assertRegex(sheet.title, r'[\u4e00-\u9fff]', "the sheet names are translated too")
        rows = {row[0]: dict(zip([cell.value for cell in sheet[1]], row, strict=True))
                for row in sheet.iter_rows(min_row=2, values_only=True)}
        dragon = rows['Golden Dragon Teas']
        self.assertEqual(dragon[header], 900)
        segment = dict(Partner._fields['rfm_segment']._description_selection(env))[self.dragon.rfm_segment]
        self.assertEqual(dragon[Partner._fields['rfm_segment']._description_string(env)], segment)
        self.assertRegex(segment, r'[\u4e00-\u9fff]')
        # untranslated tier names fall back to English; dates stay dates
        self.assertEqual(dragon[Partner._fields['loyalty_tier_id']._description_string(env)], 'Gold')
        self.assertEqual(dragon[Partner._fields['loyalty_last_purchase_date']._description_string(env)],
                         datetime(2026, 11, 12))

    # --- which customers --------------------------------------------------------------------

    def test_selected_rows_only(self):
        rows = self._by_name(self._export(self.dragon | self.cup)['Customers'])
        self.assertEqual(set(rows), {'Golden Dragon Teas', 'Small Cup Café'})

    def test_whole_search_selected_uses_the_search(self):
        """Every record of the search selected: the web client sends the search and only
        its first ``web.active_ids_limit`` ids; all the search is exported."""
        self.env['ir.config_parameter'].set_param('web.active_ids_limit', 1)
        domain = [('id', 'in', self.customers.ids), ('loyalty_tier_id', '!=', False)]
        wizard = self.env['crm.loyalty.export'].with_context(
            active_model='res.partner', active_domain=domain,
            active_ids=self.env['res.partner'].search(domain, limit=1).ids).create({})
        self.assertEqual(wizard.customer_count, 2)
        rows = self._by_name(self._open(wizard.action_export())['Customers'])
        self.assertEqual(set(rows), {'Golden Dragon Teas', 'Silver Needle Shop'})

    def test_default_is_every_customer_of_the_company(self):
        """By default, the customers of the company as every figure counts them: who bought,
        whatever his customer rank; not a prospect, a contact or a vendor."""
        before = self.env['crm.loyalty.export'].create({}).customer_count
        buyer = self.env['res.partner'].create({'name': 'Buys Without Rank'})   # a purchase, no customer rank
        self._order(buyer, 60, 5)
        with mute_logger(*QUIET):
            self._recompute(partners=buyer)
        self._create_customer('New Customer')
        self.env['res.partner'].create({'name': 'A Contact', 'parent_id': self.dragon.id, 'customer_rank': 1})
        self.env['res.partner'].create({'name': 'A Supplier', 'is_company': True, 'supplier_rank': 1})
        wizard = self.env['crm.loyalty.export'].create({})
        self.assertEqual(wizard.customer_domain, "[('loyalty_customer', '=', True)]")
        self.assertEqual(wizard.customer_count, before + 1)
        Partner = self.env['res.partner']
        self.assertEqual(wizard.customer_count, Partner.search_count(Partner._loyalty_customer_domain()))
        names = set(self._by_name(self._open(wizard.action_export())['Customers']))
        self.assertLessEqual({'Buys Without Rank', 'Golden Dragon Teas', 'Silver Needle Shop'}, names)
        self.assertFalse({'New Customer', 'A Contact', 'A Supplier', 'Lotus Tea House'} & names)

    def test_other_company_is_left_out(self):
        other = self.env['res.company'].create({'name': 'Tea Export Ltd'})
        self._tiers(company=other, Gold=10)
        self._order(self.dragon, 5000, 5, company=other)
        theirs = self._create_customer('Their Own Customer', company_id=other.id)
        self._order(theirs, 700, 5, company=other)
        with mute_logger(*QUIET):
            self._recompute()
        user = new_test_user(self.env, 'export_user', groups='crm_loyalty.group_loyalty_user',
                             company_id=self.company.id, company_ids=[Command.set((self.company | other).ids)])
        env = self.env(user=user, context={'allowed_company_ids': [self.company.id, other.id]})
        book = self._export(partners=self.customers | theirs, env=env)
        rows = self._by_name(book['Customers'])
        self.assertNotIn('Their Own Customer', rows)
        self.assertEqual(rows['Golden Dragon Teas']['Revenue (window)'], 900)
        self.assertEqual(rows['Golden Dragon Teas']['Tier'], 'Gold')
        tiers, total = self._table(book['Summary'], 'Tier')
        self.assertEqual(total[1], 4)
        self.assertEqual(total[3], 1350)
        # the same export in the other company shows its own figures
        env = self.env(user=user, context={'allowed_company_ids': [other.id, self.company.id]})
        rows = self._by_name(self._export(partners=self.customers | theirs, env=env)['Customers'])
        self.assertEqual(rows['Their Own Customer']['Revenue (window)'], 700)
        self.assertEqual(rows['Golden Dragon Teas']['Revenue (window)'], 5000)

    def test_only_loyalty_users_export(self):
        clerk = new_test_user(self.env, 'clerk', groups='base.group_user')
        with self.assertRaises(AccessError):
            self.env['crm.loyalty.export'].with_user(clerk).create({})

    def test_invalid_filter_refused(self):
        wizard = self.env['crm.loyalty.export'].create({'customer_domain': "[('no_such_field', '=', 1)]"})
        self.assertEqual(wizard.customer_count, 0)
        attachments = self.env['ir.attachment'].search_count([('res_model', '=', 'crm.loyalty.export')])
        with self.assertRefused("not a valid domain", UserError):
            wizard.action_export()
        self.assertEqual(self.env['ir.attachment'].search_count([('res_model', '=', 'crm.loyalty.export')]),
                         attachments)

    def test_no_sheet_refused(self):
        wizard = self._wizard(sheet_customers=False, sheet_summary=False, sheet_cohorts=False,
                              sheet_care_actions=False, sheet_complaints=False, sheet_distributors=False)
        with self.assertRefused("at least one sheet", UserError):
            wizard.action_export()

    # --- streaming --------------------------------------------------------------------------

    def test_batches_export_every_customer_once(self):
        env = self.env(context=dict(self.env.context, crm_loyalty_export_batch_size=2))
        for partners in (self.customers, self.customers - self.customer):   # 4 and 3 rows: even and odd
            rows = self._rows(self._export(partners, env=env)['Customers'])
            self.assertEqual(sorted(row['Name'] for row in rows), sorted(partners.mapped('name')))

    def test_query_count_does_not_grow_with_customers(self):
        many = self.env['res.partner'].create([
            {'name': f'Customer {n:02d}', 'is_company': True, 'customer_rank': 1} for n in range(50)])
        self.env['crm.loyalty.complaint'].create([
            {'partner_id': partner.id, 'subject': 'Late delivery'} for partner in many])
        self._wizard(many[:5]).action_export()    # warm-up: the ORM's caches
        self.env.flush_all()
        queries = self.cr.sql_log_count
        self._wizard(many[:5]).action_export()
        self.env.flush_all()
        queries = self.cr.sql_log_count - queries
        with self.assertQueryCount(queries):
            action = self._wizard(many).action_export()
        book = self._open(action)
        self.assertEqual(book['Customers'].max_row, 51)
        self.assertEqual(book['Complaints and Suggestions'].max_row, 51)

    # --- the other sheets -------------------------------------------------------------------

    def test_summary_counts_and_revenue_per_tier(self):
        sheet = self._export()['Summary']
        tiers, total = self._table(sheet, 'Tier')
        self.assertEqual(list(tiers), ['Silver', 'Gold', 'No Tier'])
        self.assertEqual(tiers['Gold'][0], 1)
        self.assertEqual(tiers['Gold'][2], 900)
        self.assertAlmostEqual(tiers['Gold'][3], 900 / 1350)
        self.assertEqual(tiers['Silver'][:3:2], (1, 350))
        self.assertEqual(tiers['No Tier'][0], 2)
        self.assertAlmostEqual(tiers['No Tier'][1], 0.5)
        self.assertEqual(tiers['No Tier'][2], 100)
        self.assertEqual((total[1], total[3]), (4, 1350))

    def test_summary_of_each_segment_matches_the_customers(self):
        sheet = self._export()['Summary']
        Partner = self.env['res.partner']
        for fname in ('rfm_segment', 'abc_class', 'loyalty_segment', 'value_segment'):
            field = Partner._fields[fname]
            labels = dict(field._description_selection(self.env))
            table, total = self._table(sheet, field.string)
            self.assertEqual(list(table)[:len(labels)], list(labels.values()), fname)
            customers, revenue = Counter(), Counter()
            for partner in self.customers:
                label = labels.get(partner[fname], 'Not Set')
                customers[label] += 1
                revenue[label] += partner.loyalty_revenue
            self.assertEqual({label: (row[0], row[2]) for label, row in table.items() if row[0]},
                             {label: (customers[label], revenue[label]) for label in customers}, fname)
            self.assertEqual((total[1], total[3]), (4, 1350), fname)

    def test_summary_has_a_chart_of_the_tiers(self):
        raw = self._download(self._wizard().action_export())
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            charts = [name for name in archive.namelist() if name.startswith('xl/charts/chart')]
            self.assertEqual(len(charts), 1)
            chart = archive.read(charts[0]).decode()
        self.assertIn('<c:barChart>', chart)
        self.assertIn('Summary!$A$2:$A$4', chart)
        self.assertIn('Summary!$B$2:$B$4', chart)

    def test_retention_by_cohort_of_the_customers(self):
        """The report's figures of the customers of the search: Golden Dragon (first bought
        400 on 13 October, 500 on 12 November) and Small Cup (100 on 23 October) make the
        October cohort, Silver Needle (350 on 2 November) November's."""
        sheet = self._export()['Retention by Cohort']
        rows = self._rows(sheet)
        self.assertEqual(list(rows[0]), ['Cohort', 'Months Since First Purchase', 'Cohort Size', 'Customers Buying',
                                         'Retention (%)', 'Revenue'])
        figures = {(row['Cohort'], row['Months Since First Purchase']): tuple(list(row.values())[2:]) for row in rows}
        october, november = datetime(2026, 10, 1), datetime(2026, 11, 1)
        self.assertEqual(figures[october, 0], (2, 2, 1.0, 500))
        self.assertEqual(figures[october, 1], (2, 1, 0.5, 500))
        self.assertEqual(figures[november, 0], (1, 1, 1.0, 350))
        # every figure is the report's, for these customers
        report = self.env['crm.loyalty.report.cohort']._read_group(
            [('partner_id', 'in', self.customers.ids)], ['cohort:month', 'months_since'],
            ['cohort_size:count_distinct', 'buying:sum', 'retention:avg', 'revenue:sum'])
        self.assertEqual(
            figures, {(datetime.combine(cohort, datetime.min.time()), since): (size, buying, retention / 100, revenue)
                      for cohort, since, size, buying, retention, revenue in report})
        self.assertEqual(sheet.cell(2, 1).number_format, 'yyyy-mm')
        self.assertIn('%', sheet.cell(2, 5).number_format)
        self.assertIn(self.company.currency_id.symbol, sheet.cell(2, 6).number_format)

    def test_care_actions_and_complaints_of_the_customers(self):
        rule = self.env['crm.loyalty.care.rule'].create({'name': 'Dormant Customers', 'trigger': 'dormant',
                                                         'days': 5})
        self.env['crm.loyalty.care.action'].create([{
            'rule_id': rule.id, 'partner_id': partner.id, 'company_id': self.company.id, 'state': 'done',
            'occurrence': 'since 2026-11-12', 'date': datetime(2026, 11, 20, 9, 30),
        } for partner in (self.dragon, self.outsider)])
        contact = self.env['res.partner'].create({'name': 'Mei Chen', 'parent_id': self.dragon.id})
        complaint = self.env['crm.loyalty.complaint'].create({
            'partner_id': contact.id, 'subject': 'Broken teapot', 'severity': 'high', 'kind': 'complaint'})
        self.env['crm.loyalty.complaint'].create({'partner_id': self.outsider.id, 'subject': 'Elsewhere'})
        env = self.env(context=dict(self.env.context, tz='Asia/Shanghai'))
        book = self._export(env=env)
        [action] = self._rows(book['Care Actions'])
        self.assertEqual(action['Customer'], 'Golden Dragon Teas')
        self.assertEqual(action['Rule'], 'Dormant Customers')
        self.assertEqual(action['Trigger'], 'Dormant')
        self.assertEqual(action['State'], 'Done')
        self.assertEqual(action['Date'], datetime(2026, 11, 20, 17, 30))    # in the user's time zone
        [row] = self._rows(book['Complaints and Suggestions'])
        self.assertEqual(row['Reference'], complaint.name)
        self.assertEqual(row['Customer Company'], 'Golden Dragon Teas')
        self.assertEqual(row['Customer'], 'Mei Chen')
        self.assertEqual((row['Subject'], row['Severity'], row['Status'], row['Kind']),
                         ('Broken teapot', 'High', 'New', 'Complaint'))
        headers = [cell.value for cell in book['Complaints and Suggestions'][1]]
        self.assertTrue(book['Complaints and Suggestions'].cell(2, headers.index('Deadline') + 1).is_date)
        self.assertEqual(row['SLA Breached'], False)

    def test_distributors_sheet(self):
        grade = self.env['crm.loyalty.channel.grade'].create({'name': 'Premier', 'level': 7})
        territory = self.env['crm.loyalty.territory'].create({
            'name': 'East China', 'country_ids': [Command.set(self.env.ref('base.cn').ids)]})
        self.dragon.write({'channel_role': 'distributor', 'channel_grade_id': grade.id,
                           'channel_territory_ids': [Command.set(territory.ids)],
                           'channel_contract_end': date(2027, 6, 30), 'channel_target': 20000})
        self.needle.write({'channel_role': 'reseller', 'channel_parent_id': self.dragon.id})
        self.env['res.partner'].create({'name': 'Dragon Buyer', 'parent_id': self.dragon.id})   # inherits the role
        sheet = self._export(self.cup)['Distributors']
        rows = self._by_name(sheet)
        self.assertEqual(len(rows), self.env['res.partner'].search_count([
            ('channel_role', '!=', False), '|', ('is_company', '=', True), ('parent_id', '=', False)]))
        self.assertNotIn('Dragon Buyer', rows)
        dragon, needle = rows['Golden Dragon Teas'], rows['Silver Needle Shop']
        self.assertEqual((dragon['Channel Role'], dragon['Channel Grade'], dragon['Territories']),
                         ('Distributor', 'Premier', 'East China'))
        self.assertEqual(dragon['Contract Ends'], datetime(2027, 6, 30))
        self.assertEqual(dragon['Annual Target'], 20000)
        self.assertEqual((needle['Channel Role'], needle['Upstream Distributor']), ('Reseller', 'Golden Dragon Teas'))
        scorecard = self.env['crm.loyalty.channel.scorecard'].search([
            ('partner_id', '=', self.dragon.id), ('company_id', '=', self.company.id)])
        self.assertEqual(dragon['Revenue This Year'], scorecard.revenue_ytd)
        self.assertEqual(dragon['Open Complaints'], 0)
