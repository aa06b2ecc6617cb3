"""Run Odoo with its usual command-line arguments and report what its test run did.

    python tools/odoo_tests.py RESULT.json [odoo server arguments...]

Odoo logs test results but has no machine-readable summary; this runs the same server
entry point as odoo-bin, in-process, and reads the registry's test report afterwards.
It writes RESULT.json with the counts, the names of failed and skipped tests and the
errors logged outside any test (a broken view, a failed install...). Judging the counts
is `tools/test_summary.py`'s job.
"""
import json
import logging
import os
import re
import sys

SKIP_RE = re.compile(r'^skipped (?P<test>\S+) : (?P<reason>.*)$', re.S)
FAIL_RE = re.compile(r'^(?P<kind>FAIL|ERROR): (?P<test>\S+)')
# Odoo's own closing count of the failures above, logged as an error
REPORT_RE = re.compile(r'^\d+ failed, \d+ error\(s\) of \d+ tests')


class ResultCollector(logging.Handler):
    """Keeps the skipped and failed test names and every other ERROR+ record."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.skipped, self.failed, self.stray_errors = [], [], []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is still an error
            message = str(record.msg)
        if record.levelno == logging.INFO:
            if m := SKIP_RE.match(message):
                self.skipped.append(f"{m['test']}: {m['reason'].strip()}")
            return
        if record.levelno < logging.ERROR:
            return
        if m := FAIL_RE.match(message):
            self.failed.append(f"{m['kind']} {m['test']}")
        elif not REPORT_RE.match(message):
            self.stray_errors.append(f"{record.name}: {message.splitlines()[0][:300]}")


def main():
    result_path, odoo_args = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.cli import server as server_cli
    from odoo.modules.registry import Registry

    collector = ResultCollector()
    logging.getLogger().addHandler(collector)
    reports = {}
    preload = odoo.service.server.preload_registries

    def preload_and_keep_report(dbnames):
        rc = preload(dbnames)
        for dbname in dbnames:
            registry = Registry.registries.get(dbname)
            reports[dbname] = registry and registry._assertion_report
        return rc

    odoo.service.server.preload_registries = preload_and_keep_report
    try:
        server_cli.main(odoo_args)
        rc = 0
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1

    report = next(iter(reports.values()), None)
    result = {
        'exit_code': rc,
        'run': report.testsRun if report else 0,
        'failures': report.failures_count if report else 0,
        'errors': report.errors_count if report else 0,
        'skipped': report.skipped if report else 0,
        'failed_tests': collector.failed,
        'skipped_tests': collector.skipped,
        'stray_errors': collector.stray_errors,
    }
    with open(result_path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2)
    logging.getLogger().removeHandler(collector)
    return rc


if __name__ == '__main__':
    sys.exit(main())
