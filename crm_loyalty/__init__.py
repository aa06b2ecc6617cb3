from . import controllers
from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """Queue the snapshots of the past months, built from the sales history by a job."""
    env['crm.loyalty.engine']._start_backfill(env['res.company'].search([]))


def uninstall_hook(env):
    """Drop the tables that unfinished recompute runs keep between steps (not models), and
    the server actions of the care rules' lines, which would outlive their rules."""
    from odoo.tools import SQL

    env['ir.actions.server'].search([('loyalty_care_step_id', '!=', False)]).unlink()
    from .models.crm_loyalty_engine_run import run_table_names
    for name in run_table_names(env.cr):
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(name)))
