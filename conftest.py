"""pytest over the repository: the unit tests of the tooling (tools/tests) and of the
addon's pure Python (crm_loyalty/lib/tests)."""
from pathlib import Path

import pytest

ADDON = Path(__file__).parent / 'crm_loyalty'


def pytest_collect_directory(path, parent):
    # The addon's __init__.py imports Odoo: walk its folders as plain directories, so that
    # pytest imports none of its packages on the way to lib/tests.
    if path == ADDON or ADDON in path.parents:
        return pytest.Dir.from_parent(parent, path=path)
    return None
