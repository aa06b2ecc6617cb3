"""lib/clv.py: the BG/NBD and Gamma-Gamma fitters find the published parameters of the
CDNOW data set, recover the parameters of data simulated from the models themselves,
and fall back to the documented baseline.

Run by pytest without Odoo (`make test` does); lib/clv.py is loaded from its file so
that the addon's package, which imports Odoo, is not."""
import csv
import importlib.util
import logging
from pathlib import Path

import numpy as np
import pytest

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)

CDNOW_BGNBD = {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}   # weeks, FHL 2005
CDNOW_GAMMA_GAMMA = {'p': 6.25, 'q': 3.74, 'v': 15.44}


def cdnow_sample():
    """The CDNOW sample of 2 357 customers (x, t_x, T in weeks, zbar in US$), as shipped
    in the `Lifetimes` package on PyPI (installed for its data only: its code is not used)."""
    spec = importlib.util.find_spec('lifetimes')
    assert spec, "the Lifetimes data package is missing: run make setup"
    path = Path(spec.submodule_search_locations[0]) / 'datasets' / 'cdnow_customers_summary_with_transactions.csv'
    with path.open(newline='') as f:
        rows = list(csv.DictReader(f))
    return {column: np.array([float(row[column]) for row in rows]) for column in ('x', 't_x', 'T', 'zbar')}


def simulate_bgnbd(params, n, T, seed):
    """Repeat purchases, recency and T of n customers observed for T time units."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params['r'], 1 / params['alpha'], n)
    dropout = rng.beta(params['a'], params['b'], n)
    frequency, recency, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1 / np.maximum(rate, 1e-12)), clock)
        bought = alive & (clock <= T)
        frequency += bought
        recency = np.where(bought, clock, recency)
        alive = bought & (rng.random(n) >= dropout)
    return frequency, recency, np.full(n, float(T))


def simulate_spend(params, frequency, seed):
    """Mean spend of each customer's repeat purchases under the Gamma-Gamma model."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(params['q'], 1 / params['v'], frequency.size)
    x = np.maximum(frequency, 1)
    return np.where(frequency > 0, rng.gamma(params['p'] * x, 1 / nu) / x, 0.0)


def assert_params_close(fitted, expected, rel):
    for key, value in expected.items():
        assert fitted[key] == pytest.approx(value, rel=rel), key


# --- the published figures and simulated data --------------------------------------------

def test_bgnbd_finds_the_published_cdnow_parameters():
    data = cdnow_sample()
    assert len(data['x']) == 2357
    fitted = clv.fit_bgnbd(data['x'], data['t_x'], data['T'])
    assert fitted.converged
    for key, value in CDNOW_BGNBD.items():
        assert fitted[key] == pytest.approx(value, abs=0.001 * max(1, value)), key
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.1)   # as published


def test_gamma_gamma_finds_the_published_cdnow_parameters():
    data = cdnow_sample()
    fitted = clv.fit_gamma_gamma(data['x'], data['zbar'])
    assert fitted.converged
    for key, value in CDNOW_GAMMA_GAMMA.items():
        assert fitted[key] == pytest.approx(value, abs=0.01), key


def test_bgnbd_recovers_simulated_parameters():
    frequency, recency, T = simulate_bgnbd(CDNOW_BGNBD, 20000, 39.0, seed=1)
    fitted = clv.fit_bgnbd(frequency, recency, T)
    assert fitted.converged
    assert set(fitted) == {'r', 'alpha', 'a', 'b'}
    assert_params_close(fitted, CDNOW_BGNBD, rel=0.15)


def test_fitted_likelihood_beats_the_true_parameters():
    frequency, recency, T = simulate_bgnbd(CDNOW_BGNBD, 5000, 39.0, seed=2)
    fitted = clv.fit_bgnbd(frequency, recency, T)
    true_ll = clv.bgnbd_log_likelihood(tuple(CDNOW_BGNBD.values()), frequency, recency, T).sum()
    assert fitted.log_likelihood >= true_ll - 1e-6


def test_gamma_gamma_recovers_simulated_parameters():
    frequency, _recency, _T = simulate_bgnbd(CDNOW_BGNBD, 40000, 39.0, seed=3)
    spend = simulate_spend(CDNOW_GAMMA_GAMMA, frequency, seed=4)
    fitted = clv.fit_gamma_gamma(frequency, spend)
    assert fitted.converged
    assert set(fitted) == {'p', 'q', 'v'}
    assert_params_close(fitted, CDNOW_GAMMA_GAMMA, rel=0.25)


def test_predictions_are_consistent():
    frequency = np.array([0, 2, 2, 10])
    recency = np.array([0, 30, 5, 38])
    T = np.array([39, 39, 39, 39])
    alive = clv.probability_alive(CDNOW_BGNBD, frequency, recency, T)
    assert alive[0] == 1.0                  # no repeat purchase: cannot have dropped out
    assert alive[1] > alive[2]              # a recent last purchase means more likely alive
    expected = clv.expected_purchases(CDNOW_BGNBD, 52, frequency, recency, T)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert expected[3] > expected[1]        # frequent buyers buy more
    spend = clv.expected_spend(CDNOW_GAMMA_GAMMA, np.array([0, 3]), np.array([0.0, 50.0]))
    population = CDNOW_GAMMA_GAMMA['p'] * CDNOW_GAMMA_GAMMA['v'] / (CDNOW_GAMMA_GAMMA['q'] - 1)
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < 50.0     # shrunk towards the population mean


# --- the baseline and bad input ---------------------------------------------------------

def test_too_few_repeat_buyers_fall_back_to_the_baseline(caplog):
    with caplog.at_level(logging.WARNING):
        fitted = clv.fit_bgnbd([0, 0, 1, 0], [0, 0, 10, 0], [30, 20, 40, 10])
    assert "baseline" in caplog.text
    assert not fitted.converged
    assert "only 1 customers with a repeat purchase" in fitted.reason
    assert all(np.isfinite(v) and v > 0 for v in fitted.values())
    alive = clv.probability_alive(fitted, [1], [10], [40])
    assert float(alive[0]) == pytest.approx(1.0, abs=1e-4)   # the baseline has no dropout
    expected = clv.expected_purchases(fitted, 30, [1], [10], [40])
    assert np.isfinite(expected[0]) and expected[0] > 0


def test_gamma_gamma_baseline_is_the_own_mean_spend():
    fitted = clv.fit_gamma_gamma([1, 0, 2], [40.0, 0.0, 60.0])
    assert not fitted.converged
    spend = clv.expected_spend(fitted, np.array([1, 0, 2]), np.array([40.0, 0.0, 60.0]))
    np.testing.assert_allclose(spend, [40.0, 50.0, 60.0], rtol=1e-3)


def test_no_customer_at_all_falls_back_without_nan():
    fitted = clv.fit_bgnbd([], [], [])
    assert all(np.isfinite(v) for v in fitted.values())


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        clv.fit_bgnbd([1, -1], [1, 1], [5, 5])
    with pytest.raises(ValueError, match="recency cannot exceed T"):
        clv.fit_bgnbd([1], [10], [5])
    with pytest.raises(ValueError, match="same length"):
        clv.fit_gamma_gamma([1, 2], [10.0])
    with pytest.raises(ValueError, match="finite"):
        clv.fit_gamma_gamma([1], [float('nan')])
    with pytest.raises(ValueError, match="horizon must be positive"):
        clv.expected_purchases(CDNOW_BGNBD, 0, [1], [1], [2])


def test_refunds_larger_than_purchases_leave_the_spend_fit_and_spend_nothing():
    """A mean repeat spend below zero (credit notes exceeding the orders) is no
    information for Gamma-Gamma: left out of the fit, predicted at zero or more."""
    data = cdnow_sample()
    frequency, spend = data['x'], data['zbar']
    reference = clv.fit_gamma_gamma(frequency, spend)
    with_refunds = clv.fit_gamma_gamma(np.append(frequency, [2, 1]), np.append(spend, [-400.0, -0.5]))
    assert with_refunds.converged
    assert_params_close(with_refunds, reference, 1e-6)
    predicted = clv.expected_spend(with_refunds, np.array([2, 1, 0]), np.array([-400.0, 35.0, 0.0]))
    assert np.all(np.isfinite(predicted)) and np.all(predicted >= 0)
    assert predicted[0] < predicted[1]
