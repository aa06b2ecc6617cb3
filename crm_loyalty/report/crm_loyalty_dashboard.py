"""The figures of the loyalty dashboard, for the current company, each with the window
action that lists what it counts."""
from datetime import timedelta

from babel.dates import format_skeleton
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, get_lang

from ..lib.segments import LOYALTY_MATRIX, VALUE_MATRIX, level_direction
from ..models.access import LOYALTY_USER, check_group
from ..models.crm_loyalty_care import bought_again_sql
from ..models.local_day import company_today, day_start_utc
from ..models.purchases import flush_purchases


def format_month(env, day):
    """The month of ``day`` as the user's language writes it: "Nov 2026", "2026年11月"."""
    return format_skeleton('yMMM', day, locale=babel_locale_parse(get_lang(env).code))


class CrmLoyaltyDashboard(models.AbstractModel):
    _name = 'crm.loyalty.dashboard'
    _description = 'Loyalty Dashboard'

    @api.model
    def get_dashboard_data(self):
        """Everything the dashboard shows, in seven queries over the reporting models, the
        tiers and the care log of the current company, whatever its number of customers.
        Loyalty users."""
        check_group(self.env, LOYALTY_USER)
        company = self.env.company
        today = company_today(company)
        month = today.replace(day=1)
        # highest tier first
        tiers = self.env['crm.loyalty.tier'].search([('company_id', '=', company.id)], order='min_value desc')
        customers = self._customer_figures(company, tiers)
        trends = self._trends(company, month)
        return {
            'company': company.name,
            'multi_company': len(self.env.user.company_ids) > 1,
            'currency': {'id': company.currency_id.id, 'symbol': company.currency_id.symbol,
                         'position': company.currency_id.position},
            'today': fields.Date.to_string(today),
            'headline': self._headline(company, customers, trends, month, today),
            'tiers': customers['tiers'],
            'dick_basu': self._matrix(customers['segments'], LOYALTY_MATRIX, 'loyalty_segment'),
            'reinartz_kumar': self._matrix(customers['values'], VALUE_MATRIX, 'value_segment'),
            'rfm': self._rfm_grid(company),
            'migration': self._migration(company, tiers),
            'trends': trends['months'],
            'labels': self._axis_labels(),
        }

    def _axis_labels(self):
        """The values of the matrices' axes; the dashboard names each axis in its header."""
        return {'high': _("High"), 'low': _("Low"), 'long': _("Long"), 'short': _("Short")}

    # --- the list behind a figure -----------------------------------------------------

    def _customers_action(self, name, facets=None):
        """The loyalty customer list of what a figure counts, its filters shown in the
        search bar, where the user sees them and may remove them: the customers of the
        company (the rule the figures count by, ``res.partner._loyalty_customer_domain``)
        and ``facets``, the figure's own (``{filter name or field: value}`` of the
        partners' search view), rather than a domain he could not see."""
        list_view = self.env['ir.model.data']._xmlid_to_res_id('crm_loyalty.view_partner_list_loyalty')
        return {
            'type': 'ir.actions.act_window',
            'name': name,
            'res_model': 'res.partner',
            'views': [[list_view, 'list'], [False, 'kanban'], [False, 'form']],
            'domain': [],
            'context': {
                'res_partner_search_mode': 'customer',
                'search_default_loyalty_customer': 1,
                **{f'search_default_{key}': value for key, value in (facets or {}).items()},
            },
        }

    def _window_action(self, name, model, domain, views=('list', 'form'), context=None):
        return {
            'type': 'ir.actions.act_window',
            'name': name,
            'res_model': model,
            'views': [[False, view] for view in views],
            'domain': domain,
            'context': context or {},
        }

    # --- customers ----------------------------------------------------------------------

    def _customer_figures(self, company, tiers):
        """Counts and revenue by tier, ABC class, churn risk and the two matrices, from one
        grouped read of the customer analysis."""
        groups = self.env['crm.loyalty.report.customer']._read_group(
            [('company_id', '=', company.id)],
            ['tier_id', 'abc_class', 'churn_risk', 'loyalty_segment', 'value_segment'],
            ['__count', 'revenue:sum'])
        totals = {'count': 0, 'revenue': 0.0, 'a_revenue': 0.0, 'high_risk': 0}
        by_tier, segments, values = {}, {}, {}
        for tier, abc_class, risk, segment, value, count, revenue in groups:
            totals['count'] += count
            totals['revenue'] += revenue
            if abc_class == 'a':
                totals['a_revenue'] += revenue
            if risk == 'high':
                totals['high_risk'] += count
            for key, bucket in ((tier.id, by_tier), (segment, segments), (value, values)):
                figures = bucket.setdefault(key, {'count': 0, 'revenue': 0.0})
                figures['count'] += count
                figures['revenue'] += revenue
        rows = []
        for tier in tiers:
            figures = by_tier.get(tier.id, {'count': 0, 'revenue': 0.0})
            rows.append({'id': tier.id, 'name': tier.name, **figures,
                          'action': self._customers_action(tier.name, {'loyalty_tier_id': tier.id})})
        if by_tier.get(False):
            rows.append({'id': False, 'name': _('No tier'), **by_tier[False],
                          'action': self._customers_action(_('No tier'), {'loyalty_no_tier': 1})})
        return {'totals': totals, 'tiers': rows, 'segments': segments, 'values': values}

    def _matrix(self, figures, matrix, field_name):
        """The cells of a 2x2 matrix on the selection ``field_name`` of the customers, in
        reading order, named in the user's language."""
        labels = dict(self.env['res.partner']._fields[field_name]._description_selection(self.env))
        return [{
            'key': key, 'row': row, 'column': column, 'name': labels[key],
            **figures.get(key, {'count': 0, 'revenue': 0.0}),
            'action': self._customers_action(labels[key], {field_name: key}),
        } for key, row, column in matrix.reading_order()]

    def _rfm_grid(self, company):
        """Customers and revenue per recency (rows, 5 first) and frequency (columns) score."""
        groups = self.env['crm.loyalty.report.customer']._read_group(
            [('company_id', '=', company.id)], ['rfm_r_score', 'rfm_f_score'], ['__count', 'revenue:sum'])
        cells = {(r, f): (count, revenue) for r, f, count, revenue in groups}
        peak = max((count for count, _revenue in cells.values()), default=0)
        rows = []
        for r in range(5, 0, -1):
            row = []
            for f in range(1, 6):
                count, revenue = cells.get((r, f), (0, 0.0))
                row.append({
                    'r': r, 'f': f, 'count': count, 'revenue': revenue,
                    'heat': round(count / peak, 3) if peak else 0.0,
                    'action': self._customers_action(
                        _('R %(r)s × F %(f)s', r=r, f=f), {'rfm_r_score': r, 'rfm_f_score': f}),
                })
            rows.append({'r': r, 'cells': row})
        return {'rows': rows, 'peak': peak}

    # --- tier migration -------------------------------------------------------------------

    def _migration(self, company, tiers):
        """The latest month's snapshots against each customer's previous tier: rows are the
        previous tier (new customers first), columns the tier of the month."""
        Migration = self.env['crm.loyalty.report.tier.migration']
        latest = Migration.search([('company_id', '=', company.id)], order='date desc', limit=1).date
        if not latest:
            return {'month': False, 'rows': [], 'columns': []}
        groups = Migration._read_group(
            [('company_id', '=', company.id), ('date', '=', latest)],
            ['from_tier_id', 'to_tier_id', 'direction'], ['__count'])
        cells = {}
        for from_tier, to_tier, direction, count in groups:
            origin = 'new' if direction == 'new' else from_tier.id
            cells[origin, to_tier.id] = cells.get((origin, to_tier.id), 0) + count
        columns = [{'id': tier.id, 'name': tier.name, 'min_value': tier.min_value} for tier in tiers]
        columns.append({'id': False, 'name': _('No tier'), 'min_value': None})
        origins = [{'id': 'new', 'name': _('New customers'), 'min_value': None}, *columns]
        month_label = fields.Date.to_string(latest)
        rows = []
        for origin in origins:
            row = []
            for column in columns:
                if origin['id'] == 'new':
                    domain, kind = [('direction', '=', 'new')], 'new'
                else:
                    domain = [('direction', '!=', 'new'), ('from_tier_id', '=', origin['id'])]
                    kind = level_direction(origin['min_value'], column['min_value'])
                row.append({
                    'to': column['id'], 'count': cells.get((origin['id'], column['id']), 0), 'kind': kind,
                    'action': self._window_action(
                        _('Tier Migration %(month)s: %(from)s → %(to)s', month=format_month(self.env, latest), **{
                            'from': origin['name'], 'to': column['name']}),
                        'crm.loyalty.report.tier.migration',
                        [('company_id', '=', company.id), ('date', '=', month_label),
                         ('to_tier_id', '=', column['id']), *domain]),
                })
            if origin['id'] is not False or any(cell['count'] for cell in row):
                rows.append({'id': origin['id'], 'name': origin['name'], 'cells': row,
                             'total': sum(cell['count'] for cell in row)})
        return {'month': month_label, 'rows': rows, 'columns': columns}

    # --- trends -----------------------------------------------------------------------

    def _trends(self, company, month):
        """The last twelve months of the monthly trends; a month without snapshot or answer
        has no figure (None) rather than zeros."""
        first = month - relativedelta(months=11)
        records = self.env['crm.loyalty.report.trend'].search_read(
            [('company_id', '=', company.id), ('date', '>=', first), ('date', '<=', month)],
            ['date', 'customers', 'active_customers', 'churned_customers', 'answers', 'satisfaction',
             'nps_answers', 'nps'])
        by_month = {record['date']: record for record in records}
        months = []
        for index in range(12):
            date = first + relativedelta(months=index)
            record = by_month.get(date, {})
            months.append({
                'date': fields.Date.to_string(date),
                'customers': record.get('customers', 0),
                # no snapshot that month: unknown, not zero
                'active_customers': record['active_customers'] if record.get('customers') else None,
                'churned_customers': record['churned_customers'] if record.get('customers') else None,
                'answers': record.get('answers', 0),
                'satisfaction': record['satisfaction'] if record.get('answers') else None,
                'nps_answers': record.get('nps_answers', 0),
                'nps': record['nps'] if record.get('nps_answers') else None,
            })
        return {'months': months, 'by_month': {m['date']: m for m in months}}

    # --- headline figures ------------------------------------------------------------------

    def _headline(self, company, customers, trends, month, today):
        totals = customers['totals']
        this, last = (trends['by_month'][fields.Date.to_string(day)]
                      for day in (month, month - relativedelta(months=1)))

        def answers_action(name, day, extra=()):
            # as in the monthly trends: the month of the answer in the company's calendar
            return self._window_action(
                name, 'crm.loyalty.feedback',
                [('company_id', '=', company.id), ('state', '=', 'answered'),
                 ('date', '>=', fields.Datetime.to_string(day_start_utc(company, day))),
                 ('date', '<', fields.Datetime.to_string(day_start_utc(company, day + relativedelta(months=1)))),
                 *extra])

        week_start = day_start_utc(company, today - timedelta(days=today.weekday()))
        care = self._care_figures(company, week_start)
        return {
            'customers': {
                'count': totals['count'], 'revenue': totals['revenue'],
                'action': self._customers_action(_('Customers')),
            },
            'satisfaction': {
                'value': this['satisfaction'], 'previous': last['satisfaction'],
                'answers': this['answers'],
                'action': answers_action(_('Satisfaction answers this month'), month),
            },
            'nps': {
                'value': this['nps'], 'previous': last['nps'], 'answers': this['nps_answers'],
                'action': answers_action(_('Recommendation answers this month'), month, [('nps', '!=', False)]),
            },
            'a_share': {
                'value': 100.0 * totals['a_revenue'] / totals['revenue'] if totals['revenue'] else None,
                'revenue': totals['a_revenue'],
                'action': self._customers_action(_('A customers'), {'loyalty_abc_a': 1}),
            },
            'high_risk': {
                'count': totals['high_risk'],
                'action': self._customers_action(_('High churn risk'), {'loyalty_churn_high': 1}),
            },
            'care': {
                **care,
                'action': self._window_action(
                    _('Care actions done this week'), 'crm.loyalty.care.action',
                    [('company_id', '=', company.id), ('state', '=', 'done'),
                     ('date', '>=', fields.Datetime.to_string(week_start))],
                    views=('list', 'pivot', 'graph')),
                'results_action': self._window_action(
                    _('Care Results'), 'crm.loyalty.care.rule', [('company_id', '=', company.id)],
                    context={'active_test': False}),
            },
        }

    def _care_figures(self, company, week_start):
        """Care actions done since ``week_start`` and the measured uplift of all care so far:
        the share of treated customers who bought again within their rule's window, minus
        that of the holdout customers (in points), as in the Care Results report."""
        self.env['crm.loyalty.care.action'].flush_model()
        flush_purchases(self.env)
        [[week, treated, treated_bought, holdout, holdout_bought]] = self.env.execute_query(SQL(
            """SELECT COUNT(*) FILTER (WHERE a.state = 'done' AND a.date >= %(week)s),
                      COUNT(*) FILTER (WHERE a.state = 'done'),
                      COUNT(*) FILTER (WHERE a.state = 'done' AND bought),
                      COUNT(*) FILTER (WHERE a.state = 'holdout'),
                      COUNT(*) FILTER (WHERE a.state = 'holdout' AND bought)
                 FROM crm_loyalty_care_action a
                 JOIN crm_loyalty_care_rule r ON r.id = a.rule_id
                 CROSS JOIN LATERAL (SELECT %(bought)s AS bought) b
                WHERE a.company_id = %(company)s AND a.state IN ('done', 'holdout')""",
            week=week_start, company=company.id,
            bought=bought_again_sql('a', company, SQL('r.uplift_days'))))
        treated_rate = 100.0 * treated_bought / treated if treated else None
        holdout_rate = 100.0 * holdout_bought / holdout if holdout else None
        return {
            'week': week,
            'treated': treated, 'treated_rate': treated_rate,
            'holdout': holdout, 'holdout_rate': holdout_rate,
            'uplift': treated_rate - holdout_rate if treated and holdout else None,
        }
