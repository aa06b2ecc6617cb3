from . import controllers
from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """Queue the snapshots of the past months, built from the sales history by a job."""
    env['crm.loyalty.engine']._start_backfill(env['res.company'].search([]))


def uninstall_hook(env):
    """Drop the tables that unfinished recompute runs keep between steps (not models)."""
    from odoo.tools import SQL

    from .models.crm_loyalty_engine_run import run_table_names
    for name in run_table_names(env.cr):
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(name)))
