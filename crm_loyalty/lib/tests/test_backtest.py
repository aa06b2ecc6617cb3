"""lib/clv.py: the backtest of the models — fitted on a calibration period, their
predictions for the holdout against what customers really bought — on the classic CDNOW
split and on a population drawn from known parameters. Run by pytest without Odoo."""
import collections
import importlib.util
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from simulation import simulate_bgnbd

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)


def cdnow_split(calibration_end=date(1997, 9, 30), weeks=39):
    """The CDNOW sample (2 357 customers; `Lifetimes` package data), same-day purchases
    merged, split at the end of September 1997 with a 39-week holdout, in weeks."""
    spec = importlib.util.find_spec('lifetimes')
    assert spec, "the Lifetimes data package is missing: run make setup"
    path = Path(spec.submodule_search_locations[0]) / 'datasets' / 'CDNOW_sample.txt'
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    for line in path.read_text().splitlines():
        _master, customer, day, _cds, amount = line.split()
        days[customer][datetime.strptime(day, '%Y%m%d').date()] += float(amount)
    end = calibration_end + timedelta(weeks=weeks)
    rows = []
    for amounts in days.values():
        before = sorted(d for d in amounts if d <= calibration_end)
        after = [d for d in amounts if calibration_end < d <= end]
        repeat = [amounts[d] for d in before[1:]]
        rows.append((len(before) - 1, (before[-1] - before[0]).days / 7, (calibration_end - before[0]).days / 7,
                     len(after), np.mean(repeat) if repeat else 0.0, sum(amounts[d] for d in after)))
    return [np.array(column) for column in zip(*rows, strict=True)]


def test_cdnow_classic_split_beats_the_naive_baseline():
    frequency, recency, age, actual, spend, revenue = cdnow_split()
    test = clv.backtest(frequency, recency, age, 39, actual, spend, revenue)
    assert test['customers'] == 2357
    assert test['actual'] == 1882
    assert test['predicted'] == pytest.approx(1653, abs=2)
    # the model beats each customer repeating his past rate
    assert test['mae'] == pytest.approx(0.79, abs=0.01)
    assert test['mae_naive'] == pytest.approx(1.02, abs=0.01)
    assert test['grade'] == 'A'
    assert test['actual_revenue'] == pytest.approx(70976.39, abs=0.01)
    assert len(test['deciles']) == 10
    assert sum(d['customers'] for d in test['deciles']) == 2357
    predicted = [d['predicted'] for d in test['deciles']]
    assert predicted == sorted(predicted)
    assert test['deciles'][0]['actual'] < test['deciles'][-1]['actual']


def test_a_population_drawn_from_the_model_finds_its_own_holdout():
    params = {'r': 0.5, 'alpha': 10.0, 'a': 0.8, 'b': 2.5}   # in days
    x, t_x, T, actual = simulate_bgnbd(params, 20000, 365, 5, holdout=182)
    test = clv.backtest(x, t_x, T, 182, actual)
    assert test['predicted'] / test['actual'] == pytest.approx(1.0, abs=0.10)
    assert test['mae'] < test['mae_naive']
    assert test['grade'] == 'A'


def test_grades():
    assert clv.grade(0.8, 1.0, -0.12) == 'A'
    assert clv.grade(0.8, 1.0, 0.20) == 'B'
    assert clv.grade(1.2, 1.0, 0.20) == 'B'
    assert clv.grade(1.2, 1.0, 0.30) == 'C'


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="holdout must be positive"):
        clv.backtest([1], [1], [2], 0, [1])
    with pytest.raises(ValueError, match="same length"):
        clv.backtest([1, 2], [1, 1], [2, 2], 10, [1])
