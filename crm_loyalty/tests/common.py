"""Fixtures shared by every test file of crm_loyalty."""
import base64
import logging
import re
import threading
from pathlib import Path
from unittest.mock import patch

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

    @classmethod
    def _create_customer(cls, name, **values):
        return cls.env['res.partner'].create({
            'name': name, 'is_company': True, 'customer_rank': 1, **values,
        })


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
