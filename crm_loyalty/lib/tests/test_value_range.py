"""lib/clv.py: the range of the predicted value, from the covariance of the fitted
parameters: it holds the point estimate, is never negative, narrows as customers
accumulate, follows the currency, agrees with drawing the parameters themselves, holds the
value under the true parameters about as often as its percentiles say, and is not given
for a baseline. Run by pytest without Odoo."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)

BGNBD = {'r': 0.243, 'alpha': 4.414 * 7, 'a': 0.793, 'b': 2.426}   # CDNOW's, in days
GAMMA_GAMMA = {'p': 6.25, 'q': 3.74, 'v': 15.44}
HORIZON = 365.0


def simulate(n, seed, T=273.0):
    """(frequency, recency, T, mean repeat spend) of n customers simulated from the models."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(BGNBD['r'], 1 / BGNBD['alpha'], n)
    dropout = rng.beta(BGNBD['a'], BGNBD['b'], n)
    frequency, recency, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1 / np.maximum(rate, 1e-12)), clock)
        bought = alive & (clock <= T)
        frequency += bought
        recency = np.where(bought, clock, recency)
        alive = bought & (rng.random(n) >= dropout)
    nu = rng.gamma(GAMMA_GAMMA['q'], 1 / GAMMA_GAMMA['v'], n)
    x = np.maximum(frequency, 1)
    spend = np.where(frequency > 0, rng.gamma(GAMMA_GAMMA['p'] * x, 1 / nu) / x, 0.0)
    return frequency, recency, np.full(n, T), spend


def fit_and_range(frequency, recency, T, spend):
    bgnbd = clv.fit_bgnbd(frequency, recency, T)
    gamma_gamma = clv.fit_gamma_gamma(frequency, spend)
    value = clv.predicted_value(bgnbd, gamma_gamma, HORIZON, frequency, recency, T, spend)
    low, high = clv.value_range(bgnbd, bgnbd.covariance, gamma_gamma, gamma_gamma.covariance, HORIZON,
                                frequency, recency, T, spend)
    return value, low, high, bgnbd, gamma_gamma


def test_converged_fits_give_a_positive_definite_covariance():
    frequency, recency, T, spend = simulate(3000, seed=1)
    _value, _low, _high, bgnbd, gamma_gamma = fit_and_range(frequency, recency, T, spend)
    for fit, size in ((bgnbd, 4), (gamma_gamma, 3)):
        covariance = np.array(fit.covariance)
        assert covariance.shape == (size, size)
        np.testing.assert_allclose(covariance, covariance.T, atol=1e-12)
        assert np.all(np.linalg.eigvalsh(covariance) > 0)


def test_range_holds_the_point_estimate_and_is_never_negative():
    value, low, high, _bgnbd, _gamma_gamma = fit_and_range(*simulate(2000, seed=2))
    assert np.all(np.isfinite(low) & np.isfinite(high))
    assert np.all((low >= 0) & (low <= value) & (value <= high))
    assert np.all(high > low)


def test_range_narrows_as_customers_accumulate():
    frequency, recency, T, spend = simulate(8000, seed=3)
    widths = []
    for n in (500, 8000):
        value, low, high, _bgnbd, _gamma_gamma = fit_and_range(frequency[:n], recency[:n], T[:n], spend[:n])
        widths.append(np.median((high - low) / value))
    assert widths[1] < widths[0] / 2   # sixteen times the customers: about a quarter of the width


def test_range_follows_the_currency():
    frequency, recency, T, spend = simulate(2000, seed=4)
    value, low, high, _bgnbd, _gamma_gamma = fit_and_range(frequency, recency, T, spend)
    value_k, low_k, high_k, _bgnbd, _gamma_gamma = fit_and_range(frequency, recency, T, spend * 1000)
    for yuan, thousandths in ((value, value_k), (low, low_k), (high, high_k)):
        np.testing.assert_allclose(thousandths, yuan * 1000, rtol=1e-3)


def test_range_agrees_with_drawing_the_parameters():
    """The linearised range against the percentiles of the value over 2 000 parameter sets
    drawn from the same normal law of their logarithms."""
    frequency, recency, T, spend = simulate(3000, seed=5)
    value, low, high, bgnbd, gamma_gamma = fit_and_range(frequency, recency, T, spend)
    rng = np.random.default_rng(0)
    customers = np.flatnonzero(frequency > 0)[:50].tolist() + np.flatnonzero(frequency == 0)[:50].tolist()
    bg_logs = rng.multivariate_normal(np.log([bgnbd[k] for k in ('r', 'alpha', 'a', 'b')]), bgnbd.covariance, 2000)
    gg_logs = rng.multivariate_normal(np.log([gamma_gamma['p'], gamma_gamma['q'] - 1, gamma_gamma['v']]),
                                      gamma_gamma.covariance, 2000)
    draws = np.array([
        clv.predicted_value(dict(zip(('r', 'alpha', 'a', 'b'), np.exp(bg), strict=True)),
                            {'p': np.exp(gg[0]), 'q': 1 + np.exp(gg[1]), 'v': np.exp(gg[2])},
                            HORIZON, frequency, recency, T, spend)[customers]
        for bg, gg in zip(bg_logs, gg_logs, strict=True)])
    drawn_low, drawn_high = np.quantile(draws, (0.1, 0.9), axis=0)
    width = high[customers] - low[customers]
    assert np.all(np.abs(low[customers] - drawn_low) < 0.1 * width)
    assert np.all(np.abs(high[customers] - drawn_high) < 0.1 * width)
    assert value[customers] == pytest.approx(np.median(draws, axis=0), rel=0.02)


def test_range_holds_the_true_value_about_four_times_in_five():
    """Forty samples of 1 000 customers: the value of a fixed customer under the true
    parameters lies in his 10th-90th percentile range in about 80 % of the samples."""
    profiles = (np.array([0.0, 2.0, 6.0]), np.array([0.0, 100.0, 250.0]), np.array([273.0, 273.0, 273.0]),
                np.array([0.0, 30.0, 20.0]))
    inside = []
    for seed in range(40):
        frequency, recency, T, spend = simulate(1000, seed=100 + seed)
        # the profiles join the sample (a customer's value depends on the population's spends)
        columns = [np.concatenate([profile, column]) for profile, column in
                   zip(profiles, (frequency, recency, T, spend), strict=True)]
        true = clv.predicted_value(BGNBD, GAMMA_GAMMA, HORIZON, *columns)[:3]
        _value, low, high, _bgnbd, _gamma_gamma = fit_and_range(*columns)
        inside.append((low[:3] <= true) & (true <= high[:3]))
    share = np.mean(inside)
    assert 0.65 <= share <= 0.95, share


def test_a_baseline_gives_no_range():
    frequency, recency, T, _spend = simulate(2000, seed=6)
    bgnbd = clv.fit_bgnbd(frequency, recency, T)
    # every repeat purchase of 100: q runs to the optimiser's bound, the spend fit is the baseline
    frequency, recency, T = np.arange(10.0), np.arange(10.0) * 20, np.full(10, 200.0)
    flat = np.where(frequency > 0, 100.0, 0.0)
    gamma_gamma = clv.fit_gamma_gamma(frequency, flat)
    assert bgnbd.covariance is not None and not gamma_gamma.converged and gamma_gamma.covariance is None
    low, high = clv.value_range(bgnbd, bgnbd.covariance, gamma_gamma, gamma_gamma.covariance, HORIZON,
                                frequency, recency, T, flat)
    assert np.all(np.isnan(low)) and np.all(np.isnan(high))
    thin = clv.fit_bgnbd([0, 0, 1], [0, 0, 5], [10, 10, 10])
    assert not thin.converged and thin.covariance is None
