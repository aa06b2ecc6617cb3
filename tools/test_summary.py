"""Turn the results of the test steps into one verdict and the closing summary line.

    python tools/test_summary.py RESULT [RESULT...]

Each RESULT is either the JSON written by `tools/odoo_tests.py` or a pytest JUnit XML
file. Prints what went wrong, then `N passed, N failed, N skipped`, and exits 1 when
anything failed, when a test was skipped (a skipped browser tour proves nothing: Odoo
skips tours silently when Chromium or websocket-client is missing), when an error was
logged outside the tests, or when no test ran at all.
"""
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list = field(default_factory=list)

    def __add__(self, other):
        return Counts(self.passed + other.passed, self.failed + other.failed,
                      self.skipped + other.skipped, self.problems + other.problems)


def odoo_counts(result):
    """Counts of one `tools/odoo_tests.py` run."""
    failed = result['failures'] + result['errors']
    skipped = result['skipped']
    passed = max(result['run'] - failed - skipped, 0)
    problems = [f"failed: {name}" for name in result['failed_tests']]
    problems += [f"skipped: {name}" for name in result['skipped_tests']]
    problems += [f"error logged outside tests: {line}" for line in result['stray_errors']]
    if result['stray_errors']:
        failed += len(result['stray_errors'])
    if result['exit_code'] and not failed:
        problems.append(f"Odoo exited with code {result['exit_code']}")
        failed += 1
    return Counts(passed, failed, skipped, problems)


def junit_counts(path):
    """Counts of one pytest run, from its JUnit XML report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else list(root.iter('testsuite'))
    counts = Counts()
    for suite in suites:
        tests, skipped = int(suite.get('tests', 0)), int(suite.get('skipped', 0))
        failed = int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        counts += Counts(tests - failed - skipped, failed, skipped)
        for case in suite.iter('testcase'):
            name = f"{case.get('classname')}.{case.get('name')}"
            if case.find('failure') is not None or case.find('error') is not None:
                counts.problems.append(f"failed: {name}")
            if case.find('skipped') is not None:
                counts.problems.append(f"skipped: {name}")
    return counts


def load(path):
    if path.endswith('.xml'):
        return junit_counts(path)
    with open(path, encoding='utf-8') as f:
        return odoo_counts(json.load(f))


def verdict(counts):
    """(ok, reasons): whether the whole run passes, and why not."""
    reasons = []
    if counts.failed:
        reasons.append(f"{counts.failed} test(s) failed or errors were logged")
    if counts.skipped:
        reasons.append(f"{counts.skipped} test(s) skipped: every test must run"
                       " (a skipped tour proves nothing)")
    if counts.passed + counts.failed + counts.skipped == 0:
        reasons.append("no test ran")
    return not reasons, reasons


def main(paths):
    total = Counts()
    for path in paths:
        try:
            total += load(path)
        except (OSError, ValueError, ET.ParseError, KeyError) as exc:
            total += Counts(failed=1, problems=[f"no usable result in {path}: {exc}"])
    ok, reasons = verdict(total)
    for line in total.problems:
        print(f"  - {line}")
    for reason in reasons:
        print(f"FAILED: {reason}")
    print(f"{total.passed} passed, {total.failed} failed, {total.skipped} skipped")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
