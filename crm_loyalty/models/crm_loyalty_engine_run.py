"""A recompute run of the loyalty engine: one company, one as-of day, done in steps.

The nightly job recomputes a company in steps, each committed (see ``cron_step``): the
purchase history, the population scores, the lifetime-value fit, the backtest, then the
customers in batches. Between steps, a run keeps its phase and its intermediate results in
two real (unlogged) tables of its own, ``crm_loyalty_run_<id>_hist`` and
``crm_loyalty_run_<id>_scores``, so that a call killed by the cron's time limit loses one
step only, and the next call, in any worker, continues where the last committed step
stopped. A new day starts a new run.
"""
from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

PHASES = [
    ('history', "Purchase history"),
    ('scores', "Scores"),
    ('predict', "Predictions"),
    ('backtest', "Backtest"),
    ('write', "Customers"),
    ('done', "Done"),
]
KEEP_DAYS = 30      # finished runs are kept this long, as the log of the nightly job


def run_table_names(cr):
    """Names of the tables of every run in the database (for clean-up)."""
    cr.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'crm\\_loyalty\\_run\\_%'")
    return [row[0] for row in cr.fetchall()]


class CrmLoyaltyEngineRun(models.Model):
    _name = 'crm.loyalty.engine.run'
    _description = 'Loyalty Recompute Run'
    _order = 'as_of desc, id desc'
    _rec_name = 'as_of'

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True, ondelete='cascade')
    as_of = fields.Date("As of", required=True, readonly=True, help="The day whose figures the run computes.")
    phase = fields.Selection(PHASES, required=True, default='history', readonly=True,
                             help="The next step to do, or Done.")
    customers = fields.Integer(readonly=True, help="Customers to write: the company's scored customers.")
    written = fields.Integer(readonly=True, help="Customers written so far.")
    next_partner_id = fields.Integer(readonly=True, help="Customers are written by increasing id, from this one.")
    batch_size = fields.Integer(readonly=True, help="Customers of the next batch, adapted to the step's time budget.")
    batch_seconds = fields.Float(readonly=True, help="The time the last batch of customers took, in seconds.")
    steps = fields.Integer(readonly=True, help="Steps done, each in its own transaction.")
    longest_step = fields.Float("Longest Step (s)", readonly=True, digits=(16, 1))
    duration = fields.Float("Time Spent (s)", readonly=True, digits=(16, 1),
                            help="The sum of the steps' times, in seconds.")
    date_done = fields.Datetime("Done On", readonly=True)
    median_revenue = fields.Float(readonly=True)
    median_interval = fields.Float(readonly=True)

    _sql_constraints = [
        ('company_day_unique', 'UNIQUE(company_id, as_of)', "A company has one recompute run per day."),
    ]

    def _run_table(self, kind):
        """The table of this run's ``kind`` ('hist' or 'scores'), as an SQL identifier."""
        self.ensure_one()
        return SQL.identifier(f'crm_loyalty_run_{self.id}_{kind}')

    def _tables_exist(self):
        """Whether any table of these runs is still in the database."""
        names = [f'crm_loyalty_run_{run.id}_{kind}' for run in self for kind in ('hist', 'scores')]
        return bool(self.env.execute_query(SQL("SELECT 1 FROM pg_tables WHERE tablename = ANY(%s) LIMIT 1", names)))

    def _drop_tables(self):
        for run in self:
            self.env.execute_query(SQL("DROP TABLE IF EXISTS %s, %s", run._run_table('hist'), run._run_table('scores')))

    def unlink(self):
        self._drop_tables()
        return super().unlink()

    @api.model
    def _current(self, company, as_of):
        """The run of ``company`` for ``as_of``: the one started, else a new one (the
        unfinished runs of other days are dropped: a new day starts a new run, and the
        finished ones older than a month go). None when the day's run is done."""
        run = self.search([('company_id', '=', company.id), ('as_of', '=', as_of)])
        if run:
            return None if run.phase == 'done' else run
        self.search([('company_id', '=', company.id), '|', ('phase', '!=', 'done'),
                     ('as_of', '<', fields.Date.subtract(as_of, days=KEEP_DAYS))]).unlink()
        return self.create({'company_id': company.id, 'as_of': as_of})

    @api.model
    def _restart(self, company, as_of):
        """The run of ``company`` for ``as_of`` started again from its first step (a new
        one if none). A step under way in another worker ends first: each step locks its
        run's row."""
        run = self.search([('company_id', '=', company.id), ('as_of', '=', as_of)])
        if not run:
            return self.create({'company_id': company.id, 'as_of': as_of})
        run.write({'phase': 'history', 'customers': 0, 'written': 0, 'next_partner_id': 0, 'batch_size': 0,
                   'batch_seconds': 0,
                   'steps': 0, 'longest_step': 0, 'duration': 0, 'date_done': False})
        return run

    def _units_left(self):
        """Work left, in the units the cron's progress reports: a step per phase before the
        customers, then a customer each (one, while their number is not known yet)."""
        phases = [key for key, _label in PHASES]
        left = 0
        for run in self.filtered(lambda r: r.phase != 'done'):
            index = phases.index(run.phase)
            left += max(phases.index('write') - index, 0)
            left += run.customers - run.written if index > phases.index('scores') else 1
        return left

    @api.depends('company_id', 'as_of')
    def _compute_display_name(self):
        for run in self:
            run.display_name = _("%(company)s, as of %(date)s", company=run.company_id.name,
                                 date=format_date(self.env, run.as_of))
