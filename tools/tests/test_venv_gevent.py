"""The virtualenv can run Odoo's websocket process (workers mode).

In workers mode Odoo spawns `odoo-bin gevent ...`, whose first act (importing odoo, in
odoo/_monkeypatches/evented.py) is gevent's monkey-patching. On Python < 3.12 gevent
loads its plugins there through pkg_resources, which resolves gevent's dependencies by
name; zope.interface installed from a wheel with normalized metadata
(zope_interface-8.7.dist-info) is then not found, and the process dies at start, again
and again. Both checks run in a fresh interpreter of the virtualenv, as Odoo does.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(code, **kwargs):
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120, cwd='/', check=False, **kwargs)


def test_gevent_patch_all():
    """gevent's monkey-patching resolves gevent's requirements."""
    result = run('import gevent.monkey; gevent.monkey.patch_all(); print("patched")')
    assert result.returncode == 0 and 'patched' in result.stdout, result.stderr[-2000:]


def test_odoo_evented_entry():
    """What `odoo-bin gevent` does first: import odoo in evented mode."""
    odoo_src = Path(os.environ.get('ODOO_SRC', '/opt/odoo'))
    if not (odoo_src / 'odoo-bin').is_file():
        pytest.fail(f"no Odoo source at {odoo_src} (tools/test.sh sets ODOO_SRC)")
    code = (f"import sys; sys.path.insert(0, {str(odoo_src)!r}); sys.argv = ['odoo-bin', 'gevent']\n"
            "import odoo; print('evented' if odoo.evented else 'not evented')")
    result = run(code)
    assert result.returncode == 0 and result.stdout.split()[-1:] == ['evented'], result.stderr[-2000:]
