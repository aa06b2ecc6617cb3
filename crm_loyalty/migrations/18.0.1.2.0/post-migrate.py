"""The preference card lost its log columns (``_log_access = False``): the engine is its only
author, and their two foreign keys to the users were checked on every row it wrote. Odoo
never drops log columns itself, so they go here, with their foreign keys. And a preference
is now a habit, bought on two days at least: the one-off purchases leave the card now,
not at the next recompute (the replenishment rule reads the card)."""
from odoo.tools import SQL

LOG_COLUMNS = ('create_uid', 'create_date', 'write_uid', 'write_date')


def migrate(cr, version):
    cr.execute(SQL("ALTER TABLE crm_loyalty_preference %s", SQL(", ").join(
        SQL("DROP COLUMN IF EXISTS %s", SQL.identifier(column)) for column in LOG_COLUMNS)))
    cr.execute("DELETE FROM crm_loyalty_preference WHERE purchase_count < 2")
