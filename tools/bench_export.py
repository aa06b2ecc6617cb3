"""Time and memory of the Excel export, and time of the loyalty dashboard, on a database
filled by tools/demo_data.py.

    python tools/bench_export.py --out RESULT.json [--user LOGIN] -- -c odoo.conf -d DATABASE

One Odoo process exports, as the administrator (record rules apply) and in the main
company, every customer of the company with every sheet (customers, summary, care
actions, complaints, distributors): the Export to Excel wizard opened from the menu, then
its Export button, which writes the workbook and stores it as an attachment. Measured:
wall seconds of the button (the workbook, the queries and the attachment), SQL
statements, rows per sheet and file size (read back from the workbook's XML), and the
process's peak RSS during the call minus its RSS just before it (the high-water mark is
reset just before the call where the kernel allows it). Then the dashboard's figures
(crm.loyalty.dashboard.get_dashboard_data, what the Loyalty app opens on) are read five
times: median and slowest wall seconds, SQL statements and size of the answer. Everything
is rolled back.

The figures should be computed first, or the loyalty columns are empty and the export
looks cheaper than it is: run it after tools/bench_engine.py (which commits a full
recompute), or on a database made with `demo_data.py --loyalty`.
"""
import argparse
import io
import json
import os
import re
import sys
import time
import zipfile

from bench_engine import mb, reset_peak_rss, status_kb


def sheet_rows(raw):
    """{sheet name: data rows (header excluded)} of an xlsx file, from each sheet's
    dimension, without loading the workbook."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = re.findall(r'<sheet name="([^"]*)"', archive.read('xl/workbook.xml').decode())
        rows = {}
        for number, name in enumerate(names, start=1):   # xlsxwriter's sheetN.xml, in tab order
            with archive.open(f'xl/worksheets/sheet{number}.xml') as sheet:
                head = sheet.read(2000).decode(errors='replace')
            ref = re.search(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
            rows[name] = int(ref[1]) - 1 if ref and ref[1] else 0
    return rows


def dashboard(env):
    """The dashboard's figures read five times in a row (the first one with cold caches)."""
    timings, statements = [], []
    for _i in range(5):
        env.invalidate_all()
        count = env.cr.sql_log_count
        start = time.perf_counter()
        data = env['crm.loyalty.dashboard'].get_dashboard_data()
        timings.append(time.perf_counter() - start)
        statements.append(env.cr.sql_log_count - count)
    return {
        'customers': data['headline']['customers']['count'],
        'seconds_median': sorted(timings)[2], 'seconds_max': max(timings),
        'sql_statements': max(statements), 'answer_kb': round(len(json.dumps(data, default=str)) / 1024, 1),
    }


def run(env, login):
    from odoo import api

    user = env['res.users'].search([('login', '=', login)], limit=1) if login else env.ref('base.user_admin')
    env = api.Environment(env.cr, user.id, {'lang': user.lang, 'tz': user.tz})
    company = env.company
    wizard = env['crm.loyalty.export'].create({})
    env.flush_all()
    env.invalidate_all()
    customers = wizard.customer_count
    statements = env.cr.sql_log_count
    peak_reset = reset_peak_rss()
    baseline = status_kb('VmRSS')
    start = time.perf_counter()
    action = wizard.action_export()
    env.flush_all()
    seconds = time.perf_counter() - start
    peak = status_kb('VmHWM')
    statements = env.cr.sql_log_count - statements
    attachment = env['ir.attachment'].browse(int(re.search(r'/web/content/(\d+)', action['url'])[1]))
    raw = attachment.raw
    return {
        'company': company.name, 'user': user.login, 'customers': customers,
        'seconds': seconds, 'sql_statements': statements,
        'rows': sheet_rows(raw), 'file_mb': round(len(raw) / 1024 / 1024, 2),
        'rss_before_mb': mb(baseline), 'peak_rss_mb': mb(peak), 'peak_rss_over_baseline_mb': mb(peak - baseline),
        'peak_rss_scope': 'this call' if peak_reset else 'process lifetime (peak reset not allowed)',
        'note': "crm.loyalty.export opened from the menu (every customer of the company, every sheet), "
                "action_export() timed with its flush; rolled back",
        'dashboard': dashboard(env),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help="where the figures go (JSON)")
    parser.add_argument('--user', help="login of the user who exports (default: the administrator)")
    args, odoo_args = parser.parse_known_args()
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([a for a in odoo_args if a != '--'], setup_logging=True)
    with Registry(odoo.tools.config['db_name']).cursor() as cr:
        result = run(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), args.user)
        cr.rollback()
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, default=str)
    rows = ', '.join(f"{name} {count}" for name, count in result['rows'].items())
    print(f"export: {result['customers']} customers in {result['seconds']:.2f} s ({result['sql_statements']} "
          f"statements), peak RSS +{result['peak_rss_over_baseline_mb']} MB over {result['rss_before_mb']} MB, "
          f"{result['file_mb']} MB file ({rows})")
    board = result['dashboard']
    print(f"dashboard: {board['customers']} customers in {board['seconds_median']:.2f} s (median of 5, slowest "
          f"{board['seconds_max']:.2f} s), {board['sql_statements']} statements, {board['answer_kb']} kB")


if __name__ == '__main__':
    main()
