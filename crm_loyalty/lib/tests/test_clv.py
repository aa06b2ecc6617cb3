"""lib/clv.py: the BG/NBD and Gamma-Gamma fitters find the published parameters of the
CDNOW data set, recover the parameters of data simulated from the models themselves,
give the same predictions in any currency and time unit, never predict a spend outside
the observed ones, and fall back to the documented baseline.

Run by pytest without Odoo (`make test` does); lib/clv.py is loaded from its file so
that the addon's package, which imports Odoo, is not."""
import csv
import importlib.util
import logging
from pathlib import Path

import numpy as np
import pytest
from simulation import simulate_bgnbd, simulate_spend

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)

CDNOW_BGNBD = {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}   # weeks, FHL 2005
CDNOW_GAMMA_GAMMA = {'p': 6.25, 'q': 3.74, 'v': 15.44}
# The optimiser stops within about 1e-6 of the optimum along the flat directions of the
# likelihood, so two fits of the same data in other units agree to that, not to the bit.
SAME = 1e-4


def cdnow_sample():
    """The CDNOW sample of 2 357 customers (x, t_x, T in weeks, zbar in US$), as shipped
    in the `Lifetimes` package on PyPI (installed for its data only: its code is not used)."""
    spec = importlib.util.find_spec('lifetimes')
    assert spec, "the Lifetimes data package is missing: run make setup"
    path = Path(spec.submodule_search_locations[0]) / 'datasets' / 'cdnow_customers_summary_with_transactions.csv'
    with path.open(newline='') as f:
        rows = list(csv.DictReader(f))
    return {column: np.array([float(row[column]) for row in rows]) for column in ('x', 't_x', 'T', 'zbar')}


def assert_params_close(fitted, expected, rel):
    for key, value in expected.items():
        assert fitted[key] == pytest.approx(value, rel=rel), key


def lifetime_value(bgnbd, gamma_gamma, horizon, frequency, recency, T, spend):
    """What the engine stores as clv_predicted: expected purchases times expected spend."""
    return (clv.expected_purchases(bgnbd, horizon, frequency, recency, T)
            * clv.expected_spend(gamma_gamma, frequency, spend))


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
    frequency, recency, T, _later = simulate_bgnbd(CDNOW_BGNBD, 20000, 39.0, seed=1)
    fitted = clv.fit_bgnbd(frequency, recency, T)
    assert fitted.converged
    assert set(fitted) == {'r', 'alpha', 'a', 'b'}
    assert_params_close(fitted, CDNOW_BGNBD, rel=0.15)


def test_fitted_likelihood_beats_the_true_parameters():
    frequency, recency, T, _later = simulate_bgnbd(CDNOW_BGNBD, 5000, 39.0, seed=2)
    fitted = clv.fit_bgnbd(frequency, recency, T)
    true_ll = clv.bgnbd_log_likelihood(tuple(CDNOW_BGNBD.values()), frequency, recency, T).sum()
    assert fitted.log_likelihood >= true_ll - 1e-6


def test_gamma_gamma_recovers_simulated_parameters():
    frequency, _recency, _T, _later = simulate_bgnbd(CDNOW_BGNBD, 40000, 39.0, seed=3)
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
    spend = clv.expected_spend(CDNOW_GAMMA_GAMMA, [0, 3, 1, 5], [0.0, 50.0, 10.0, 200.0])
    population = CDNOW_GAMMA_GAMMA['p'] * CDNOW_GAMMA_GAMMA['v'] / (CDNOW_GAMMA_GAMMA['q'] - 1)
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < 50.0     # shrunk towards the population mean


# --- never absurd: spends of every magnitude, any currency, any time unit -----------------

# Six customers of the issue, first purchase of 100 on 5 January, observed until 30 June
# (day 176), with one or two repeat purchases of mean 1, 10, ... 100 000; and a one-time
# buyer, whose expected spend is the population's mean.
SIX_CUSTOMERS = {
    'frequency': np.array([1, 2, 1, 2, 1, 2, 0]),
    'recency': np.array([40, 90, 60, 120, 30, 150, 0]),
    'T': np.full(7, 176),
    'spend': np.array([1, 10, 100, 1_000, 10_000, 100_000, 0]),
}


def test_spend_lies_between_the_own_and_the_population_mean_whatever_their_spread():
    c = SIX_CUSTOMERS
    fitted = clv.fit_gamma_gamma(c['frequency'], c['spend'])
    assert fitted['q'] > 1 or (not fitted.converged and fitted.reason)
    spend = clv.expected_spend(fitted, c['frequency'], c['spend'])
    population = spend[-1]
    assert 1 <= population <= 100_000
    for own, predicted in zip(c['spend'][:-1], spend[:-1], strict=True):
        assert min(own, population) <= predicted <= max(own, population)


def test_lifetime_value_is_never_negative_whatever_the_spread_of_spends():
    c = SIX_CUSTOMERS
    bgnbd = clv.fit_bgnbd(c['frequency'], c['recency'], c['T'])
    gamma_gamma = clv.fit_gamma_gamma(c['frequency'], c['spend'])
    value = lifetime_value(bgnbd, gamma_gamma, 365, c['frequency'], c['recency'], c['T'], c['spend'])
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert value[0] > 0                     # -24 when q < 1 was allowed


def test_a_fit_near_q_one_cannot_inflate_the_population_mean():
    """Stored parameters with q just above 1 (or below, from before the constraint) put
    p v / (q - 1) anywhere: it is held within the observed means."""
    frequency, spend = [1, 2, 0], [10.0, 30.0, 0.0]
    for q in (1 + 1e-9, 0.5):
        predicted = clv.expected_spend({'p': 1.0, 'q': q, 'v': 20.0}, frequency, spend)
        assert np.all((predicted >= 10.0) & (predicted <= 30.0)), q


def test_identical_spends_leave_q_on_the_bound_and_fall_back(caplog):
    """Every repeat purchase of 100: no spread to fit, the likelihood grows without end
    in q; a parameter on the optimiser's bound is no optimum."""
    frequency, spend = np.arange(10), np.where(np.arange(10) > 0, 100.0, 0.0)
    with caplog.at_level(logging.WARNING):
        fitted = clv.fit_gamma_gamma(frequency, spend)
    assert not fitted.converged
    assert "bound" in fitted.reason and "q - 1" in fitted.reason
    assert "baseline" in caplog.text
    np.testing.assert_allclose(clv.expected_spend(fitted, frequency, spend), 100.0, rtol=1e-6)


def test_predictions_scale_with_the_currency():
    """The same sales in yuan and in a currency worth a thousandth (amounts x 1 000):
    spend and lifetime value x 1 000, expected purchases and P(alive) unchanged."""
    in_days = {**CDNOW_BGNBD, 'alpha': CDNOW_BGNBD['alpha'] * 7}
    frequency, recency, T, _later = simulate_bgnbd(in_days, 3000, 273.0, seed=5)
    spend = simulate_spend({'p': 6.25, 'q': 12.0, 'v': 8800.0}, frequency, seed=6)   # about 5 000 a purchase
    bgnbd = clv.fit_bgnbd(frequency, recency, T)
    yuan = clv.fit_gamma_gamma(frequency, spend)
    thousandths = clv.fit_gamma_gamma(frequency, spend * 1000)
    assert yuan.converged and thousandths.converged
    assert thousandths['p'] == pytest.approx(yuan['p'], rel=SAME)
    assert thousandths['q'] == pytest.approx(yuan['q'], rel=SAME)
    assert thousandths['v'] == pytest.approx(yuan['v'] * 1000, rel=SAME)
    np.testing.assert_allclose(clv.expected_spend(thousandths, frequency, spend * 1000),
                               clv.expected_spend(yuan, frequency, spend) * 1000, rtol=SAME)
    np.testing.assert_allclose(lifetime_value(bgnbd, thousandths, 365, frequency, recency, T, spend * 1000),
                               lifetime_value(bgnbd, yuan, 365, frequency, recency, T, spend) * 1000, rtol=SAME)


def test_predictions_do_not_depend_on_the_time_unit():
    """The same histories in days and in weeks: alpha x 7, the other parameters, P(alive)
    and the expected purchases of a year unchanged."""
    frequency, days, T, _later = simulate_bgnbd({**CDNOW_BGNBD, 'alpha': CDNOW_BGNBD['alpha'] * 7}, 3000, 273.0, seed=7)
    in_days = clv.fit_bgnbd(frequency, days, T)
    in_weeks = clv.fit_bgnbd(frequency, days / 7, T / 7)
    assert in_days.converged and in_weeks.converged
    assert_params_close(in_days, {**in_weeks, 'alpha': in_weeks['alpha'] * 7}, rel=SAME)
    np.testing.assert_allclose(clv.probability_alive(in_days, frequency, days, T),
                               clv.probability_alive(in_weeks, frequency, days / 7, T / 7), rtol=SAME)
    np.testing.assert_allclose(clv.expected_purchases(in_days, 364, frequency, days, T),
                               clv.expected_purchases(in_weeks, 52, frequency, days / 7, T / 7), rtol=SAME)


def test_cdnow_fits_the_same_in_days_and_in_cents():
    data = cdnow_sample()
    in_weeks = clv.fit_bgnbd(data['x'], data['t_x'], data['T'])
    in_days = clv.fit_bgnbd(data['x'], data['t_x'] * 7, data['T'] * 7)
    assert in_days['alpha'] == pytest.approx(in_weeks['alpha'] * 7, rel=SAME)
    dollars = clv.fit_gamma_gamma(data['x'], data['zbar'])
    cents = clv.fit_gamma_gamma(data['x'], data['zbar'] * 100)
    assert cents['v'] == pytest.approx(dollars['v'] * 100, rel=SAME)


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
