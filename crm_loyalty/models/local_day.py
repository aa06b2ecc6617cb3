"""The company's local day: one definition for every figure that counts days.

A purchase, a recency, a complaint's date, a birthday or a report's month is a day of the
company's calendar, not of UTC: an order confirmed at 23:30 UTC is on the next day in
Shanghai and on the same day in New York. Odoo stores datetimes in UTC; these helpers
turn them into the company's days, in Python and in SQL.

The company's time zone is its partner's ``tz``, else the current user's, else UTC.
"""
from datetime import datetime, time

import pytz

from odoo import fields
from odoo.tools import SQL


def company_tz(company):
    """Name of the time zone the company's days are counted in (an IANA name)."""
    return company.partner_id.tz or company.env.user.tz or 'UTC'


def company_day(company, moment):
    """The company's day (a ``date``) of ``moment``, a naive UTC datetime as Odoo stores them."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(company_tz(company))).date()


def company_today(company, now=None):
    """The company's current day (a ``date``), at ``now`` (a naive UTC datetime, default:
    the real current time)."""
    return company_day(company, now or fields.Datetime.now())


def day_start_utc(company, day):
    """The naive UTC datetime at which the company's ``day`` begins (for index-friendly
    bounds on datetime columns: ``column < day_start_utc(company, end)``)."""
    local = pytz.timezone(company_tz(company)).localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def local_day_sql(column, tz):
    """SQL: the day, in the time zone ``tz`` (a name, or an SQL expression of one), of the
    UTC datetime ``column`` (an SQL expression)."""
    return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", column, tz)


def day_start_utc_sql(day, tz):
    """SQL: the UTC datetime at which ``day`` (an SQL expression of a date) begins in the
    time zone ``tz`` (a name, or an SQL expression of one)."""
    return SQL("(%s::timestamp AT TIME ZONE %s AT TIME ZONE 'UTC')", day, tz)


def companies_tz_sql():
    """SQL: rows (company_id, tz) of every company, for the reports' SQL views, which know
    no user: the time zone of its contact card, else UTC."""
    return SQL(
        """SELECT tz_company.id AS company_id, COALESCE(NULLIF(tz_partner.tz, ''), 'UTC') AS tz
             FROM res_company tz_company
             JOIN res_partner tz_partner ON tz_partner.id = tz_company.partner_id""")


def company_tz_sql(company_id):
    """SQL: the time zone of the company whose id is the SQL expression ``company_id`` (see
    :func:`companies_tz_sql`)."""
    return SQL("COALESCE((SELECT zones.tz FROM (%s) zones WHERE zones.company_id = %s), 'UTC')",
               companies_tz_sql(), company_id)
