"""The verdict of `make test`: failures, skips, stray errors and empty runs all fail it."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import test_summary


def odoo_result(tmp_path, **values):
    result = {'exit_code': 0, 'run': 10, 'failures': 0, 'errors': 0, 'skipped': 0,
              'failed_tests': [], 'skipped_tests': [], 'stray_errors': [], **values}
    path = tmp_path / 'odoo.json'
    path.write_text(json.dumps(result))
    return str(path)


def junit(tmp_path, tests=3, failures=0, errors=0, skipped=0):
    path = tmp_path / 'pytest.xml'
    path.write_text(f'<testsuites><testsuite name="pytest" tests="{tests}" failures="{failures}" '
                    f'errors="{errors}" skipped="{skipped}"></testsuite></testsuites>')
    return str(path)


def run(capsys, *paths):
    code = test_summary.main(list(paths))
    return code, capsys.readouterr().out.splitlines()[-1]


def test_all_passed_exits_zero_with_the_summary_line(tmp_path, capsys):
    assert run(capsys, odoo_result(tmp_path), junit(tmp_path)) == (0, "13 passed, 0 failed, 0 skipped")


def test_a_failed_test_fails_the_run(tmp_path, capsys):
    path = odoo_result(tmp_path, failures=1, failed_tests=['FAIL TestX.test_y'])
    assert run(capsys, path) == (1, "9 passed, 1 failed, 0 skipped")


def test_an_error_in_a_test_fails_the_run(tmp_path, capsys):
    assert run(capsys, odoo_result(tmp_path, errors=2)) == (1, "8 passed, 2 failed, 0 skipped")


def test_a_skipped_tour_fails_the_run(tmp_path, capsys):
    path = odoo_result(tmp_path, skipped=1, skipped_tests=['TestTours.test_x: Chrome not found'])
    assert run(capsys, path) == (1, "9 passed, 0 failed, 1 skipped")


def test_an_error_logged_outside_tests_fails_the_run(tmp_path, capsys):
    path = odoo_result(tmp_path, stray_errors=['odoo.modules.loading: invalid view'])
    assert run(capsys, path) == (1, "10 passed, 1 failed, 0 skipped")


def test_odoo_exiting_with_an_error_fails_the_run(tmp_path, capsys):
    assert run(capsys, odoo_result(tmp_path, exit_code=1)) == (1, "10 passed, 1 failed, 0 skipped")


def test_no_test_run_fails_the_run(tmp_path, capsys):
    code, line = run(capsys, odoo_result(tmp_path, run=0), junit(tmp_path, tests=0))
    assert (code, line) == (1, "0 passed, 0 failed, 0 skipped")


def test_pytest_failures_and_skips_count(tmp_path, capsys):
    path = junit(tmp_path, tests=5, failures=1, skipped=1)
    assert run(capsys, path) == (1, "3 passed, 1 failed, 1 skipped")


def test_a_missing_result_file_fails_the_run(tmp_path, capsys):
    code, line = run(capsys, odoo_result(tmp_path), str(tmp_path / 'absent.json'))
    assert (code, line) == (1, "10 passed, 1 failed, 0 skipped")
