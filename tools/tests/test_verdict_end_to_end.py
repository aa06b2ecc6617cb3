"""A real Odoo test run whose tests fail and skip must fail `make test`'s verdict.

Installs a throwaway addon (one passing test, one failing test, one tour test skipped
the way Odoo skips tours when Chromium is missing) in a scratch database of the
tooling's PostgreSQL, runs it through tools/odoo_tests.py, and reads the verdict of
tools/test_summary.py. Needs the environment tools/test.sh sets (ODOO_SRC, PG*,
CRM_LOYALTY_CONF).
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]

ADDON_TESTS = '''
import unittest

from odoo.tests import HttpCase, TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestSelf(TransactionCase):
    def test_passes(self):
        self.assertEqual(self.env['res.partner'].browse().ids, [])

    def test_fails(self):
        self.assertEqual(1, 2, "deliberate failure")


@tagged('post_install', '-at_install')
class TestSelfTour(HttpCase):
    def test_tour_without_chrome(self):
        raise unittest.SkipTest("chromium not found")  # what Odoo does without a browser
'''


def make_addon(root):
    addon = root / 'crm_loyalty_selftest'
    (addon / 'tests').mkdir(parents=True)
    (addon / '__init__.py').write_text('')
    (addon / '__manifest__.py').write_text(
        "{'name': 'selftest', 'version': '18.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}")
    (addon / 'tests' / '__init__.py').write_text('from . import test_self\n')
    (addon / 'tests' / 'test_self.py').write_text(textwrap.dedent(ADDON_TESTS))


def test_failing_and_skipped_tests_fail_the_verdict(tmp_path):
    odoo_src, conf = os.environ['ODOO_SRC'], os.environ['CRM_LOYALTY_CONF']
    make_addon(tmp_path)
    addons_path = f"{odoo_src}/odoo/addons,{odoo_src}/addons,{tmp_path}"
    db = 'crm_loyalty_selftest'
    subprocess.run(['dropdb', '--if-exists', db], check=True)
    result = tmp_path / 'odoo.json'
    try:
        subprocess.run([sys.executable, 'odoo_tests.py', str(result), '-c', conf, '-d', db,
                        f'--addons-path={addons_path}', '-i', 'crm_loyalty_selftest', '--without-demo=all',
                        '--test-enable', '--test-tags', '/crm_loyalty_selftest', '--stop-after-init',
                        '--http-port=0', '--log-level=info', f'--logfile={tmp_path / "odoo.log"}'],
                       cwd=TOOLS, check=False, timeout=600)
    finally:
        subprocess.run(['dropdb', '--if-exists', db], check=False)
    verdict = subprocess.run([sys.executable, 'test_summary.py', str(result)], cwd=TOOLS,
                             capture_output=True, text=True, check=False)
    lines = verdict.stdout.splitlines()
    assert verdict.returncode == 1, verdict.stdout
    assert lines[-1] == "1 passed, 1 failed, 1 skipped"
    assert "  - failed: FAIL TestSelf.test_fails" in lines
    assert "  - skipped: TestSelfTour.test_tour_without_chrome: chromium not found" in lines
