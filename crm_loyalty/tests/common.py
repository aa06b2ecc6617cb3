"""Fixtures shared by every test file of crm_loyalty."""
import base64
import logging
import re
import threading
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config

_logger = logging.getLogger(__name__)
SCREENSHOT_SIGNAL = re.compile(r'^crm_loyalty:screenshot:(\w+)$')


class LoyaltyCase(TransactionCase):
    """A company with a few customers, and helpers to make more."""

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
        return self.env['crm.loyalty.engine'].recompute(partners=partners, as_of=as_of or self.AS_OF)

    LEVELS = {'Bronze': 'reactive', 'Silver': 'accountable', 'Gold': 'proactive', 'Platinum': 'partnership'}

    @classmethod
    def _tiers(cls, company=None, **thresholds):
        """Tiers by name and threshold: ``_tiers(Silver=300, Gold=800)``."""
        return cls.env['crm.loyalty.tier'].create([
            {'name': name, 'min_value': value, 'company_id': (company or cls.env.company).id,
             'relationship_level': cls.LEVELS[name]}
            for name, value in thresholds.items()])

    @contextmanager
    def assertRefused(self, regex, exception=ValidationError):
        """The block raises ``exception`` with a message matching ``regex``; what it did is
        rolled back, as the user's request would be."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)


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
