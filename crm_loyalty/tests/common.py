"""Fixtures shared by every test file of crm_loyalty."""
import base64
import logging
import re
import threading
from contextlib import contextmanager, suppress
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

from ..models import cron_step

_logger = logging.getLogger(__name__)
SCREENSHOT_SIGNAL = re.compile(r'^crm_loyalty:screenshot:(\w+)$')


def action_domain(env, action):
    """The domain of what a window action lists, as the web client searches it: the
    action's domain and the facets its context's ``search_default_<name>`` put in the search
    bar, each a filter of the model's search view by that name or, else, a field of it
    equal to the value. Fails on a name the search view lacks."""
    model = env[action['res_model']]
    arch = etree.fromstring(model.get_views([(False, 'search')])['views']['search']['arch'])
    domains = [action.get('domain') or []]
    for key, value in (action.get('context') or {}).items():
        name = key.removeprefix('search_default_')
        if name == key or not value:
            continue
        if arch.xpath(f"//filter[@name='{name}']"):
            domains.append(safe_eval(arch.xpath(f"//filter[@name='{name}']")[0].get('domain')))
        elif arch.xpath(f"//field[@name='{name}']"):
            domains.append([(name, '=', value)])
        else:
            raise AssertionError(f"the search view of {model._name} has no filter or field {name}")
    return expression.AND(domains)


class Interrupted(Exception):
    """A cron call killed before it committed."""


class Rollback(Exception):
    """Raised to undo a trial (``LoyaltyCase._trial``)."""


class LoyaltyCase(TransactionCase):
    """A company with a few customers, and helpers to make more."""

    @contextmanager
    def _trial(self):
        """A trial whose every write is undone afterwards."""
        with self.assertRaises(Rollback), self.env.cr.savepoint():
            yield
            raise Rollback
        self.env.invalidate_all()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.customer = cls._create_customer('Lotus Tea House')
        cls.product = cls.env['product.product'].create({
            'name': 'Oolong Tea', 'type': 'consu', 'list_price': 10.0, 'taxes_id': False})

    AS_OF = date(2026, 11, 22)

    @classmethod
    def _create_customer(cls, name, **values):
        return cls.env['res.partner'].create({
            'name': name, 'is_company': True, 'customer_rank': 1, **values,
        })

    @classmethod
    def _order(cls, partner, amount, day, state='sale', company=None, pricelist=None):
        """A sale order of one untaxed line of ``amount`` dated ``day`` (a date, or days
        before AS_OF), created in ``state`` as Odoo stores it (no confirmation hook)."""
        if isinstance(day, int):
            day = cls.AS_OF - timedelta(days=day)
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=[(company or cls.env.company).id]))
        values = {
            'partner_id': partner.id, 'state': state, 'date_order': datetime.combine(day, time(10)),
            'order_line': [(0, 0, {'product_id': cls.product.id, 'product_uom_qty': 1,
                                   'price_unit': amount, 'tax_id': False})],
        }
        if company:
            values['company_id'] = company.id
        if pricelist:
            values['pricelist_id'] = pricelist.id
        return env['sale.order'].create(values)

    def _recompute(self, as_of=None, partners=None):
        return self.env['crm.loyalty.engine']._recompute(partners=partners, as_of=as_of or self.AS_OF)

    LEVELS = {'Bronze': 'reactive', 'Silver': 'accountable', 'Gold': 'proactive', 'Platinum': 'partnership'}

    @classmethod
    def _tiers(cls, company=None, **thresholds):
        """Tiers by name and threshold: ``_tiers(Silver=300, Gold=800)``."""
        return cls.env['crm.loyalty.tier'].create([
            {'name': name, 'min_value': value, 'company_id': (company or cls.env.company).id,
             'relationship_level': cls.LEVELS[name]}
            for name, value in thresholds.items()])

    # --- Scheduled jobs ---------------------------------------------------------------

    def _cron_calls(self, cron_xmlid, method, calls):
        """Call the method ``method`` of the job ``cron_xmlid`` ``calls`` times, each call
        with a progress of its own, as Odoo calls a job while it reports work left. Returns
        the (done, remaining) each call reported."""
        cron = self.env.ref(cron_xmlid)
        progress = []
        for _call in range(calls):
            cron, step = cron._add_progress()
            getattr(self.env[cron.model_id.model].with_context(ir_cron_progress_id=step.id), method)()
            progress.append((step.done, step.remaining))
        return progress

    @contextmanager
    def _interrupted(self):
        """Undo what the block did, as a cron call killed before its commit loses it."""
        with suppress(Interrupted), self.env.cr.savepoint():
            yield
            raise Interrupted
        self.env.invalidate_all()

    def _spend_the_window(self):
        """The cron window of this cursor has used its time, as after a long call of a job."""
        setattr(self.env.cr, cron_step.WINDOW_START, monotonic() - 10000)
        self.addCleanup(delattr, self.env.cr, cron_step.WINDOW_START)

    def _triggers(self, cron_xmlid):
        return self.env['ir.cron.trigger'].search([('cron_id', '=', self.env.ref(cron_xmlid).id)])

    @contextmanager
    def assertRefused(self, regex, exception=ValidationError):
        """The block raises ``exception`` with a message matching ``regex``; what it did is
        rolled back, as the user's request would be."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)


class DashboardHistory:
    """The history behind the dashboard's tests and tours, relative to a day ``as_of``.

    Tiers Silver from 300, Gold from 800 of window revenue (12 months). The engine runs 35
    days before ``as_of`` and on ``as_of``; satisfaction answers are given on ``as_of`` and
    in the month before; a birthday rule acted 30 days before and on ``as_of``. D has a
    contact, D Purchasing.

    ========  ======================  ==========  ==========  =================  ===========
    customer  orders (days before,    answers     answers     care action        earlier run
              amount)                 this month  last month
    ========  ======================  ==========  ==========  =================  ===========
    A         5: 500                  5, NPS 10               done today         (none)
    A2        5: 500                                          done today         (none)
    B         10, 40, 70, 100, 800:   4, NPS 9    5, NPS 10   done 30 days ago   Silver
              100 each                                        (bought after)
    C         20, 50, 80, 900: 100    2, NPS 3                done 30 days ago   no tier
              each                                            (bought after)
    D         200, 250: 50 each       1           3, NPS 6    holdout 30 days    no tier
    E         420: 1000, 1000: 100    3                       holdout 30 days    no tier
    ========  ======================  ==========  ==========  =================  ===========
    """

    @classmethod
    def _dashboard_history(cls, as_of):
        env = cls.env
        Partner, Feedback = env['res.partner'], env['crm.loyalty.feedback']
        product = env['product.product'].create({'name': 'Pu-erh Tea', 'type': 'consu', 'taxes_id': False})
        env['crm.loyalty.tier'].create([
            {'name': 'Silver', 'min_value': 300, 'relationship_level': 'accountable'},
            {'name': 'Gold', 'min_value': 800, 'relationship_level': 'proactive'}])
        orders = {
            'A': [(5, 500)], 'A2': [(5, 500)], 'B': [(10, 100), (40, 100), (70, 100), (100, 100), (800, 100)],
            'C': [(20, 100), (50, 100), (80, 100), (900, 100)], 'D': [(200, 50), (250, 50)],
            'E': [(420, 1000), (1000, 100)],
        }
        customers = {name: Partner.create({'name': name, 'is_company': True, 'customer_rank': 1})
                     for name in orders}
        # a contact carries his company's figures, but is not a customer of his own
        Partner.create({'name': 'D Purchasing', 'parent_id': customers['D'].id})
        env['sale.order'].create([{
            'partner_id': customers[name].id, 'state': 'sale',
            'date_order': datetime.combine(as_of - timedelta(days=days), time(10)),
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': amount, 'tax_id': False})],
        } for name, lines in orders.items() for days, amount in lines])
        now = datetime.combine(as_of, time(9))
        last_month = datetime.combine((as_of.replace(day=1) - timedelta(days=1)).replace(day=10), time(12))
        Feedback.create([
            {'partner_id': customers[name].id, 'score': str(score), 'nps': str(nps) if nps is not None else False,
             'channel': 'phone', 'date': when}
            for name, score, nps, when in (
                ('A', 5, 10, now), ('B', 4, 9, now), ('C', 2, 3, now), ('D', 1, None, now), ('E', 3, None, now),
                ('B', 5, 10, last_month), ('D', 3, 6, last_month))])
        engine = env['crm.loyalty.engine']
        engine._recompute(as_of=as_of - timedelta(days=35))
        engine._recompute(as_of=as_of)
        activity = env['ir.actions.server'].create({
            'name': 'Birthday call', 'model_id': env['ir.model']._get_id('res.partner'),
            'state': 'next_activity', 'activity_type_id': env.ref('mail.mail_activity_data_call').id,
            'activity_summary': 'Birthday call', 'activity_user_type': 'specific', 'activity_user_id': env.user.id})
        rule = env['crm.loyalty.care.rule'].create({
            'name': 'Birthday wishes', 'trigger': 'birthday', 'days': 3, 'uplift_days': 60,
            'action_server_ids': [(6, 0, activity.ids)]})
        month_ago = now - timedelta(days=30)
        env['crm.loyalty.care.action'].create([
            {'rule_id': rule.id, 'partner_id': customers[name].id, 'company_id': env.company.id,
             'occurrence': str(when.year), 'state': state, 'date': when}
            for name, state, when in (('A', 'done', now), ('A2', 'done', now), ('B', 'done', month_ago),
                                      ('C', 'done', month_ago), ('D', 'holdout', month_ago),
                                      ('E', 'holdout', month_ago))])
        return customers


@tagged('post_install', '-at_install')
class LoyaltyTourCase(HttpCase):
    """Browser tours; a tour step that logs `crm_loyalty:screenshot:NAME` saves NAME.png
    in the screenshots folder of Odoo's configuration, under crm_loyalty/."""

    def start_tour_with_screenshots(self, url, tour, **kwargs):
        folder = Path(config['screenshots']) / 'crm_loyalty'
        folder.mkdir(parents=True, exist_ok=True)
        pending = []
        handle_console = ChromeBrowser._handle_console

        def handle_console_and_screenshots(browser, type, args=None, stackTrace=None, **kw):
            if type == 'log' and args and (m := SCREENSHOT_SIGNAL.match(str(args[0].get('value', '')))):
                path = folder / f"{m[1]}.png"
                done = threading.Event()

                def save(future):
                    try:
                        path.write_bytes(base64.b64decode(future.result()['data']))
                    finally:
                        done.set()

                browser._websocket_send('Page.captureScreenshot', with_future=True).add_done_callback(save)
                pending.append((path, done))
            return handle_console(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, '_handle_console', handle_console_and_screenshots):
            self.start_tour(url, tour, **kwargs)
        for path, done in pending:
            self.assertTrue(done.wait(10), f"the screenshot {path.name} was never taken")
            self.assertTrue(path.stat().st_size > 0, f"the screenshot {path.name} is empty")
            _logger.info("screenshot saved: %s", path)
        return [path for path, _done in pending]
