"""Where a scheduled job that walks each company's partners stands.

The grade review and the matching of addresses to territories work through a company's
partners by ranges of ids, one committed batch at a time (``cron_step.py``). Their
position is a row here, written in the transaction of each batch: a killed call loses
only its current batch, and the next call goes on from the last one committed. A row
exists while the job has work left in the company.
"""
import time

from odoo import api, fields, models
from odoo.tools import SQL

from .cron_step import committing, continue_later, next_batch_size, window_spent


class CrmLoyaltyCronPosition(models.Model):
    _name = 'crm.loyalty.cron.position'
    _description = 'Scheduled Job Position'
    _order = 'cron_id, company_id, id'

    cron_id = fields.Many2one('ir.cron', 'Scheduled Action', required=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', 'Company', required=True, ondelete='cascade')
    as_of = fields.Date('As Of', help="The day the job computes its figures for in this company.")
    last_partner_id = fields.Integer(
        'Done Up To', help="The id of the last partner done: the job goes on with the next ones.")

    _sql_constraints = [
        ('cron_company_unique', 'UNIQUE(cron_id, company_id)', "A scheduled job has one position per company."),
    ]

    @api.model
    def _positions(self, cron_xmlid):
        return self.sudo().search([('cron_id', '=', self.env.ref(cron_xmlid).id)])

    @api.model
    def _start(self, cron_xmlid, companies, as_of=None, trigger=False):
        """Let the job walk the partners of ``companies`` from the first one: the position
        of a walk under way goes back to the start. ``as_of``: a function of the company
        giving its day. ``trigger``: ask for a call of the job at once."""
        cron = self.env.ref(cron_xmlid)
        positions = self._positions(cron_xmlid)
        for company in companies:
            values = {'as_of': as_of(company) if as_of else False, 'last_partner_id': 0}
            position = positions.filtered(lambda p, c=company: p.company_id == c)
            if position:
                position.write(values)
            else:
                self.sudo().create({'cron_id': cron.id, 'company_id': company.id, **values})
        if trigger:
            cron.sudo()._trigger()

    @api.model
    def _walk(self, cron_xmlid, partners_sql, run_batch, batch_size, deadline, finish=None):
        """One call of the job ``cron_xmlid``: in each company where it has a position,
        the next partners of ``partners_sql(company)`` (an SQL query of partner ids) in
        order of id, by batches, each committed with the new position, until
        ``time.monotonic()`` passes ``deadline`` (one batch at least). ``run_batch(company,
        as_of, after_id, up_to_id)`` does the work of the partners of the range; ``finish
        (company, as_of)``, once all are done, in the transaction that removes the position.
        Reports the progress in partners (Odoo calls again while some are left)."""
        positions = self._positions(cron_xmlid)
        self.env.flush_all()    # partners_sql reads the database
        if window_spent(self.env):
            continue_later(self.env, cron_xmlid, 0,
                           sum(max(1, position._left(partners_sql)) for position in positions))
            return
        done, size = 0, batch_size
        for position in positions:
            company = position.company_id
            while not (done and time.monotonic() > deadline):
                ids = [partner_id for partner_id, in self.env.execute_query(SQL(
                    "SELECT id FROM (%s) AS partner (id) WHERE id > %s ORDER BY id LIMIT %s",
                    partners_sql(company), position.last_partner_id, size))]
                if not ids:
                    break
                started = time.monotonic()
                run_batch(company, position.as_of, position.last_partner_id, ids[-1])
                position.last_partner_id = ids[-1]
                self._commit()
                done += len(ids)
                size = next_batch_size(size, time.monotonic() - started)
        left = 0
        for position in positions:
            if remaining := position._left(partners_sql):
                left += remaining
                continue
            if finish:
                finish(position.company_id, position.as_of)
            position.unlink()
            self._commit()
        continue_later(self.env, cron_xmlid, done, left)

    def _left(self, partners_sql):
        """The partners the job still has to do in the position's company."""
        self.ensure_one()
        [[count]] = self.env.execute_query(SQL("SELECT COUNT(*) FROM (%s) AS partner (id) WHERE id > %s",
                                               partners_sql(self.company_id), self.last_partner_id))
        return count

    def _commit(self):
        if committing():
            self.env.flush_all()
            self.env.cr.commit()  # pylint: disable=invalid-commit (one batch at a time)
