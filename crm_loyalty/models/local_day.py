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


def company_today(company, now=None):
    """The company's current day (a ``date``), at ``now`` (a naive UTC datetime, default:
    the real current time)."""
    now = now or fields.Datetime.now()
    return pytz.utc.localize(now).astimezone(pytz.timezone(company_tz(company))).date()


def day_start_utc(company, day):
    """The naive UTC datetime at which the company's ``day`` begins (for index-friendly
    bounds on datetime columns: ``column < day_start_utc(company, end)``)."""
    local = pytz.timezone(company_tz(company)).localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def local_day_sql(column, tz):
    """SQL: the day, in the time zone ``tz`` (a name, or an SQL expression of one), of the
    UTC datetime ``column`` (an SQL expression)."""
    return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", column, tz)
