"""Purchases: one definition for every figure that counts what customers bought.

A purchase is a confirmed sale order or, when the company counts invoices
(``res.company.loyalty_purchase_source = 'invoice'``), a posted customer invoice, its
credit notes netted. The customer's history (the engine), the distributors' scorecards,
the grade review, the care triggers and the uplift of care all read them here, so that
they count the same documents, amounts and days.

Each row is one document of the company, on the customer's commercial entity:

- ``moment``: a UTC datetime, for index-friendly bounds (an order's date; an invoice's,
  dated by day only, is the moment its day begins in the company's time zone);
- ``day``: the company's day (``local_day``; an invoice's date is one already);
- ``reference``: ``order <id>`` or ``invoice <id>``, as care occurrences name it.
"""
from odoo.tools import SQL

from .local_day import companies_tz_sql, company_tz, day_start_utc, day_start_utc_sql, local_day_sql

# An order's rate to the company currency (amounts in company currency are untaxed ÷ rate).
ORDER_RATE_SQL = SQL("COALESCE(NULLIF(so.currency_rate, 0), 1)::numeric")

# The fields purchases_sql reads: flushed before reading it, and the dependencies of the SQL
# views built on it.
PURCHASE_FIELDS = {
    'sale.order': ['state', 'date_order', 'partner_id', 'company_id', 'amount_untaxed', 'currency_rate'],
    'account.move': ['state', 'move_type', 'invoice_date', 'partner_id', 'company_id', 'amount_untaxed_signed'],
    'res.partner': ['commercial_partner_id', 'tz'],
    'res.company': ['loyalty_purchase_source', 'partner_id'],
}


def purchases_sql(company=None, date_from=None, date_to=None, partners=None, margin=False):
    """SQL: rows (company_id, partner_id, moment, day, reference, amount, margin,
    is_purchase), one per document: a confirmed order, or a posted customer invoice or
    credit note.

    ``amount`` is untaxed in the company's currency, a credit note's negative; ``margin``
    the order's margin in company currency when ``margin`` (the sale margin is stored),
    else NULL; ``is_purchase`` says whether the document is a purchase at all (an order or
    an invoice of a positive amount; not a free order, not a credit note).

    ``company`` (a ``res.company``): its own source, its days in its time zone
    (``company_tz``). None: every company, each from its own source, its days in the time
    zone of its contact card (``company_tz_sql``, as SQL views count them).
    ``date_from`` (included) and ``date_to`` (excluded) bound the days: dates or SQL
    expressions of dates. ``partners``: only these commercial partners (a list of ids, or
    an SQL query of them)."""
    amounts = {
        'sale': SQL(
            "so.amount_untaxed / %(rate)s AS amount, %(margin)s AS margin, so.amount_untaxed > 0 AS is_purchase",
            rate=ORDER_RATE_SQL,
            margin=SQL("so.margin / %s", ORDER_RATE_SQL) if margin else SQL("NULL::numeric")),
        'invoice': SQL(
            """m.amount_untaxed_signed::numeric AS amount, NULL::numeric AS margin,
               m.move_type = 'out_invoice' AND m.amount_untaxed_signed > 0 AS is_purchase"""),
    }
    return _documents_sql(company, date_from, date_to, partners, columns=amounts, tables={
        'sale': SQL("sale_order so"),
        'invoice': SQL("account_move m"),
    }, conditions={
        'sale': SQL("TRUE"),
        'invoice': SQL("m.move_type IN ('out_invoice', 'out_refund')"),
    })


def purchase_lines_sql(company=None, date_from=None, date_to=None, partners=None):
    """SQL: rows (company_id, partner_id, moment, day, reference, product_id, quantity),
    one per product line of a purchase (see :func:`purchases_sql`, same arguments): the
    lines of confirmed orders, or the product lines of posted customer invoices (a credit
    note buys nothing)."""
    return _documents_sql(company, date_from, date_to, partners, columns={
        'sale': SQL("l.product_id, l.product_uom_qty AS quantity"),
        'invoice': SQL("l.product_id, l.quantity"),
    }, tables={
        'sale': SQL("sale_order_line l JOIN sale_order so ON so.id = l.order_id"),
        'invoice': SQL("account_move_line l JOIN account_move m ON m.id = l.move_id"),
    }, conditions={
        'sale': SQL("l.product_id IS NOT NULL"),
        'invoice': SQL("m.move_type = 'out_invoice' AND l.display_type = 'product' AND l.product_id IS NOT NULL"),
    })


def _documents_sql(company, date_from, date_to, partners, columns, tables, conditions):
    """The rows of the company's source (one company), or the UNION ALL of the orders of
    the companies that count orders and the invoices of those that count invoices."""
    sources = ['sale', 'invoice'] if company is None else [company.loyalty_purchase_source]
    return SQL(" UNION ALL ").join(
        _source_sql(source, company, date_from, date_to, partners, columns[source], tables[source],
                    conditions[source])
        for source in sources)


def _source_sql(source, company, date_from, date_to, partners, columns, tables, condition):
    """The documents of one source: orders (``so``) or invoices (``m``)."""
    document = SQL.identifier('so' if source == 'sale' else 'm')
    if company is None:
        # each company whose purchases come from this source, and its time zone
        join = SQL(
            """JOIN res_company c ON c.id = %(document)s.company_id AND c.loyalty_purchase_source = %(source)s
               JOIN (%(zones)s) zone ON zone.company_id = c.id""",
            document=document, source=source, zones=companies_tz_sql())
        only_company, tz = SQL(), SQL("zone.tz")
    else:
        join, only_company, tz = SQL(), SQL("AND %s.company_id = %s", document, company.id), company_tz(company)
    if source == 'sale':
        day = local_day_sql(SQL("so.date_order"), tz)
        moment = SQL("so.date_order")
        state = SQL("so.state = 'sale'")
        bounds = _order_bounds(company, day, date_from, date_to)
    else:
        day = SQL("m.invoice_date")
        moment = day_start_utc_sql(day, tz)
        state = SQL("m.state = 'posted'")
        bounds = SQL(" ").join(
            SQL("AND m.invoice_date %s %s", SQL(operator), bound)
            for operator, bound in (('>=', date_from), ('<', date_to)) if bound is not None)
    if partners is None:
        only_partners = SQL()
    elif isinstance(partners, SQL):
        only_partners = SQL("AND %s.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id IN (%s))",
                            document, partners)
    else:
        only_partners = SQL("AND %s.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                            document, list(partners))
    return SQL(
        """SELECT %(document)s.company_id, p.commercial_partner_id AS partner_id, %(moment)s AS moment,
                  %(day)s AS day, %(kind)s || %(document)s.id AS reference, %(columns)s
             FROM %(tables)s
             JOIN res_partner p ON p.id = %(document)s.partner_id
             %(join)s
            WHERE %(state)s AND %(condition)s %(only_company)s %(bounds)s %(only_partners)s""",
        document=document, moment=moment, day=day, kind='order ' if source == 'sale' else 'invoice ',
        columns=columns, tables=tables, join=join, state=state, condition=condition,
        only_company=only_company, bounds=bounds, only_partners=only_partners)


def _order_bounds(company, day, date_from, date_to):
    """Bounds of the orders' days on ``date_order``, so that its index serves: exact for
    one company and dates; else a day's margin either way (no time zone is further from
    UTC), then the days themselves."""
    bounds = []
    for operator, bound, margin in (('>=', date_from, "-"), ('<', date_to, "+")):
        if bound is None:
            continue
        if company is not None and not isinstance(bound, SQL):
            bounds.append(SQL("AND so.date_order %s %s", SQL(operator), day_start_utc(company, bound)))
        else:
            bounds.append(SQL("AND so.date_order %s %s::timestamp %s INTERVAL '1 day' AND %s %s %s",
                              SQL(operator), bound, SQL(margin), day, SQL(operator), bound))
    return SQL(" ").join(bounds)


def flush_purchases(env):
    """Write to the database the pending changes of what the purchases are read from."""
    for model_name, field_names in PURCHASE_FIELDS.items():
        env[model_name].flush_model(field_names)
