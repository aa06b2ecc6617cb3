"""The segment distribution and the prediction backtest of the CDNOW customer base
(23 570 customers, 1997-01 to 1998-06), scored by the loyalty engine itself.

Loads CDNOW_master.txt (shipped in the `Lifetimes` package, installed by `make setup` for
its data) as confirmed sale orders of a scratch transaction, runs the engine as of
1998-06-30 with the company's settings, prints the distributions, and rolls everything
back: the database is left as it was.

    ODOO_SRC=/opt/odoo .local/venv/bin/python tools/cdnow_segments.py -- -c .local/odoo.conf -d DB

DB must have crm_loyalty installed (for instance the test database after `make test`).
"""
import argparse
import collections
import importlib.util
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from demo_data import copy_rows, reserve_ids, template_row

AS_OF = date(1998, 6, 30)


def cdnow_transactions():
    """(customer, day, amount) of CDNOW_master.txt: one line per customer and day."""
    spec = importlib.util.find_spec('lifetimes')
    if not spec:
        sys.exit("the Lifetimes data package is missing: run make setup")
    path = Path(spec.submodule_search_locations[0]) / 'datasets' / 'CDNOW_master.txt'
    for line in path.read_text().splitlines()[1:]:   # after the header line
        customer, day, _quantity, amount = line.split()
        yield int(customer), datetime.strptime(day, '%Y%m%d').date(), float(amount)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    _args, odoo_args = parser.parse_known_args()
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([a for a in odoo_args if a != '--'], setup_logging=True)
    with Registry(odoo.tools.config['db_name']).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        # a company of its own, so that nothing else of the database is in its population
        # a horizon of 9 months: the backtest's holdout is then CDNOW's classic 39 weeks
        company = env['res.company'].create({'name': 'CDNOW', 'currency_id': env.ref('base.USD').id,
                                             'loyalty_clv_horizon_months': 9})
        env = env(context={'allowed_company_ids': [company.id]})
        customer = env['res.partner'].create({'name': 'CDNOW template', 'customer_rank': 1})
        product = env['product.product'].create({'name': 'CD', 'type': 'consu', 'taxes_id': False})
        order = env['sale.order'].create({
            'partner_id': customer.id, 'company_id': company.id,
            'order_line': [(0, 0, {'product_id': product.id, 'price_unit': 1.0, 'tax_id': False})]})
        order.action_confirm()
        env.flush_all()

        rows = list(cdnow_transactions())
        customers = sorted({c for c, _d, _a in rows})
        first_partner = reserve_ids(cr, 'res_partner', len(customers))
        partner_of = {c: first_partner + i for i, c in enumerate(customers)}
        template = template_row(cr, 'res_partner', customer.id)
        copy_rows(cr, 'res_partner', template, (
            {'id': pid, 'name': f'CDNOW {c}', 'complete_name': f'CDNOW {c}', 'commercial_partner_id': pid}
            for c, pid in partner_of.items()))
        first_order = reserve_ids(cr, 'sale_order', len(rows))
        template = template_row(cr, 'sale_order', order.id)
        copy_rows(cr, 'sale_order', template, (
            {'id': first_order + i, 'name': f'CD{i:06d}', 'partner_id': partner_of[c],
             'partner_invoice_id': partner_of[c], 'partner_shipping_id': partner_of[c],
             'date_order': datetime.combine(day, datetime.min.time()) + timedelta(hours=12),
             'amount_untaxed': amount, 'amount_total': amount, 'currency_rate': 1.0}
            for i, (c, day, amount) in enumerate(rows)))
        cr.execute("DELETE FROM sale_order WHERE id = %s", [order.id])
        env.invalidate_all()

        started = time.time()
        env['crm.loyalty.engine']._recompute(as_of=AS_OF)
        seconds = time.time() - started
        partners = env['res.partner'].with_company(company).browse(partner_of.values())
        partners.fetch(['loyalty_purchase_count_total', 'rfm_f_score', 'rfm_segment', 'value_segment'])
        scored = partners.filtered('rfm_segment')
        n = len(scored)
        print(f"CDNOW: {len(customers)} customers, {len(rows)} order lines, scored as of {AS_OF} "
              f"(window {company.loyalty_window_months} months) in {seconds:.1f} s")
        one_time = sum(1 for p in scored if p.loyalty_purchase_count_total == 1)
        print(f"one-time buyers: {one_time} ({100 * one_time / n:.1f} %)")
        for field in ('rfm_f_score', 'rfm_segment', 'value_segment', 'churn_risk'):
            counts = collections.Counter(scored.mapped(field))
            print(f"{field}: " + ", ".join(f"{value} {count} ({100 * count / n:.1f} %)"
                                           for value, count in counts.most_common()))
        test = company.loyalty_clv_backtest
        print(f"backtest: fitted up to {test['calibration_end']}, {test['customers']} customers, checked on "
              f"{test['holdout']:.0f} days: purchases predicted {test['predicted']:.0f}, actual {test['actual']:.0f} "
              f"({100 * test['error']:+.1f} %); mean absolute error {test['mae']:.3f} (naive {test['mae_naive']:.3f}); "
              f"revenue predicted {test['predicted_revenue']:.0f}, actual {test['actual_revenue']:.0f} "
              f"({100 * test['revenue_error']:+.1f} %); grade {test['grade']}")
        cr.rollback()


if __name__ == '__main__':
    main()
