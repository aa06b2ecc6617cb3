"""The figures of `make bench`: one table on the terminal and .local/bench/bench.json.

    python tools/bench_report.py OUT_DIR MACHINE CUSTOMERS...

Reads OUT_DIR/gen-CUSTOMERS.json (the generator, written by tools/bench.sh),
OUT_DIR/engine-CUSTOMERS.json (tools/bench_engine.py), export-CUSTOMERS.json
(tools/bench_export.py) and workers-CUSTOMERS.json (tools/bench_workers.py) of each size.
"""
import json
import sys
from pathlib import Path


def load(path):
    return json.loads(path.read_text(encoding='utf-8')) if path.exists() else None


def fmt(value, spec):
    return '-' if value is None else format(value, spec)


def dig(data, *keys):
    for key in keys:
        if data is None:
            return None
        data = data.get(key)
    return data


ROWS = [
    # (label, function of (generator, engine) giving the cell)
    ("orders (confirmed)", lambda g, e: f"{g['orders']} ({fmt(dig(e, 'orders_confirmed'), 'd')})"),
    ("order lines", lambda g, e: str(g['order_lines'])),
    ("generator s / peak MB", lambda g, e: f"{g['generator_seconds']:.1f} / {g['generator_peak_mb']}"),
    ("database on disk MB", lambda g, e: fmt(g.get('disk_mb'), 'd')),
    ("partners written (rows)", lambda g, e: f"{fmt(dig(e, 'engine', 'commercial_partners_written'), 'd')} "
                                             f"({fmt(dig(e, 'engine', 'partner_rows_written'), 'd')})"),
    ("tier changes", lambda g, e: fmt(dig(e, 'engine', 'tier_changes'), 'd')),
    ("engine s (best of runs)", lambda g, e: e and f"{e['engine']['best_seconds']:.2f} "
                                                   f"({' '.join(f'{s:.2f}' for s in e['engine']['runs_seconds'])})"),
    ("  in SQL + in Python s", lambda g, e: e and f"{e['engine']['sql_seconds']:.2f} + "
                                                  f"{e['engine']['python_seconds']:.2f}"),
    ("  of which value part s / share", lambda g, e: dig(e, 'engine', 'value_seconds') is not None and
        f"{e['engine']['value_seconds']:.2f} / {100 * e['engine']['value_share_of_recompute']:.0f} %"),
    ("engine s / 1000 orders", lambda g, e: fmt(dig(e, 'engine', 'seconds_per_1000_orders'), '.4f')),
    ("engine SQL statements", lambda g, e: fmt(dig(e, 'engine', 'sql_statements'), 'd')),
    ("engine RSS before/peak MB", lambda g, e: e and f"{e['engine']['rss_before_mb']:.0f} / "
                                                     f"{e['engine']['peak_rss_mb']:.0f}"),
    ("engine re-run s", lambda g, e: fmt(dig(e, 'engine', 'rerun_seconds'), '.2f')),
    ("  of which value part s / share", lambda g, e: dig(e, 'engine', 'rerun_value_seconds') is not None and
        f"{e['engine']['rerun_value_seconds']:.2f} / {100 * e['engine']['rerun_value_share_of_recompute']:.0f} %"),
    ("  of which backtest s / share", lambda g, e: dig(e, 'backtest') and f"{e['backtest']['seconds']:.2f} / "
                                                   f"{100 * e['backtest']['share_of_recompute']:.0f} %"),
    ("floor s (best of runs)", lambda g, e: e and f"{e['floor']['best_seconds']:.2f} "
                                                  f"({' '.join(f'{s:.2f}' for s in e['floor']['runs_seconds'])})"),
    ("  aggregate + update s", lambda g, e: e and f"{e['floor']['aggregate_seconds']:.2f} + "
                                                  f"{e['floor']['update_seconds']:.2f}"),
    ("engine / floor", lambda g, e: e and f"x{e['engine_over_floor']:.1f}"),
    ("ORM loop s (extrapolated)", lambda g, e: dig(e, 'orm') and f"{e['orm']['seconds']:.0f} "
                                                             f"(from {e['orm']['extrapolated_from']})"),
    ("ORM / engine", lambda g, e: dig(e, 'orm') and f"x{e['orm_over_engine']:.0f}"),
    ("hook alone ms / queries", lambda g, e: dig(e, 'confirm') and _ms_queries(e['confirm']['refresh_alone'])),
    ("confirm ms / queries", lambda g, e: dig(e, 'confirm') and _ms_queries(e['confirm']['confirm'])),
    ("  without hook", lambda g, e: dig(e, 'confirm') and _ms_queries(e['confirm']['confirm_without_hook'])),
    ("  hook's extra", lambda g, e: dig(e, 'confirm') and f"{e['confirm']['hook_extra_ms']:.1f} / "
                                                          f"{e['confirm']['hook_extra_queries']:g}"),
]
ROWS += [
    ("territory match s (partners)", lambda g, e: dig(e, 'channel') and
        f"{e['channel']['match_seconds']:.2f} ({e['channel']['partners']})"),
    ("  statements / again s", lambda g, e: dig(e, 'channel') and
        f"{e['channel']['match_sql_statements']} / {e['channel']['match_again_seconds']:.2f}"),
    ("conflict detection s (orders)", lambda g, e: dig(e, 'channel') and
        f"{e['channel']['detect_seconds']:.2f} ({e['channel']['detect_orders']})"),
]
ROWS += [
    ("Excel export s (customers)", lambda g, e: dig(e, 'export') and
        f"{e['export']['seconds']:.1f} ({e['export']['customers']})"),
    ("  peak RSS over baseline MB", lambda g, e: dig(e, 'export') and
        f"+{e['export']['peak_rss_over_baseline_mb']:.0f} (over {e['export']['rss_before_mb']:.0f})"),
    ("  file MB / statements", lambda g, e: dig(e, 'export') and
        f"{e['export']['file_mb']} / {e['export']['sql_statements']}"),
    ("dashboard s median / max", lambda g, e: dig(e, 'export', 'dashboard') and
        f"{e['export']['dashboard']['seconds_median']:.2f} / {e['export']['dashboard']['seconds_max']:.2f}"),
    ("  statements / answer kB", lambda g, e: dig(e, 'export', 'dashboard') and
        f"{e['export']['dashboard']['sql_statements']} / {e['export']['dashboard']['answer_kb']}"),
]
CARE_RULES = [('dormant', 180), ('churn_risk_high', 0), ('birthday', 0)]  # as tools/bench_engine.py


def _care_rule(engine, trigger, days):
    return next((r for r in dig(engine, 'care', 'rules') or () if (r['trigger'], r['days']) == (trigger, days)),
                None)


def _care_rows(trigger, days):
    """Rows of one care rule: candidates, preview, real run and the run's part per actioned
    partner (the server actions), each s (SQL statements)."""
    def cell(func):
        def figure(_g, e):
            rule = _care_rule(e, trigger, days)
            return rule and func(rule)
        return figure

    def run(rule):
        if not rule['run_capped']:
            return f"{rule['run_seconds']:.2f} ({rule['run_sql_statements']})"
        return (f"~{rule['run_seconds_full']:.0f} (on {rule['run_actioned']}: {rule['run_seconds']:.2f}, "
                f"{rule['run_sql_statements']})")

    return [
        (f"care rule {trigger} {days}d", cell(lambda r: f"{r['candidates']} candidates")),
        ("  preview s (statements)", cell(lambda r: f"{r['preview_seconds']:.3f} ({r['preview_sql_statements']})")),
        ("  run s (statements)", cell(run)),
        ("  per actioned: ms / stmts", cell(lambda r: r['run_actioned'] and (
            f"{r['run_ms_per_actioned_partner']:.2f} / {r['run_sql_statements_per_actioned_partner']:.1f}"))),
    ]


ROWS += [row for trigger, days in CARE_RULES for row in _care_rows(trigger, days)]


def _workers(job, cell):
    """A cell of the workers-mode figures of ``job`` ('recompute' or 'care')."""
    return lambda g, e: dig(e, 'workers', job) and cell(e['workers'][job], e['workers'])


ROWS += [
    ("workers mode: recompute s", _workers('recompute', lambda r, w: f"{r['wall_seconds']:.0f} "
                                                                     f"({r['customers']} customers)")),
    ("  cron calls / steps / longest s", _workers('recompute', lambda r, w: f"{r['cron_calls']} / {r['steps']} / "
                                                                           f"{r['longest_step_seconds']:.1f}")),
    ("  workers killed", _workers('recompute', lambda r, w: str(len(r['killed']) + len(w['care']['killed'])))),
    ("workers mode: care dormant s", _workers('care', lambda c, w: f"{c['wall_seconds']:.0f} "
                                                                   f"({c['done']} customers)")),
    ("  customers/s / stmts each", _workers('care', lambda c, w: f"{c['customers_per_second'] or 0:.0f} / "
                                                                f"{c['sql_statements_per_customer'] or 0:.2f}")),
    ("  acted on twice", _workers('care', lambda c, w: f"{c['occurrences_twice']} occurrences, "
                                                      f"{c['customers_with_two_activities']} activities")),
]


def _ms_queries(figure):
    return f"{figure['ms_median']:.1f} / {figure['queries_median']:g}"


def main():
    out, machine, sizes = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pairs = [(load(out / f'gen-{customers}.json'), load(out / f'engine-{customers}.json')) for customers in sizes]
    for customers, (_gen, eng) in zip(sizes, pairs, strict=True):
        if eng is not None:
            eng['export'] = load(out / f'export-{customers}.json')
            eng['workers'] = load(out / f'workers-{customers}.json')
    cells = [[f(gen, eng) or '-' for gen, eng in pairs] for _label, f in ROWS]
    width = max(len(label) for label, _f in ROWS) + 2
    col = max(len(cell) for row in cells for cell in row) + 3
    print()
    print('customers'.ljust(width) + ''.join(str(gen['customers']).ljust(col) for gen, _e in pairs))
    for (label, _f), row in zip(ROWS, cells, strict=True):
        print(label.ljust(width) + ''.join(cell.ljust(col) for cell in row))
    figures = {
        'machine': machine,
        'generator': [gen for gen, _e in pairs],
        'engine': [{'customers': gen['customers'], 'orders': gen['orders'], **eng} for gen, eng in pairs if eng],
    }
    (out / 'bench.json').write_text(json.dumps(figures, indent=4) + '\n', encoding='utf-8')


if __name__ == '__main__':
    main()
