"""lib/clv.py: when a customer buys next, under BG/NBD: the chance of a purchase within a
horizon and the median wait of a customer still active, by hand on small cases and against
purchases simulated from the model itself. Run by pytest without Odoo."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from simulation import simulate_bgnbd

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)

NO_DROPOUT = {'r': 1.0, 'alpha': 10.0, 'a': 1e-9, 'b': 1e9}


def test_chance_of_a_purchase_within_a_horizon_by_hand():
    # no dropout: P = 1 - ((alpha + T) / (alpha + T + t))^(r + x)
    p = clv.probability_purchase_within(NO_DROPOUT, 30, [0, 1], [0, 5], [10, 10])
    np.testing.assert_allclose(p, [1 - (20 / 50), 1 - (20 / 50) ** 2], rtol=1e-6)

def test_a_customer_likely_gone_is_unlikely_to_buy():
    params = {'r': 1.0, 'alpha': 10.0, 'a': 1.0, 'b': 1.0}
    recent, gone = clv.probability_purchase_within(params, 30, [3, 3], [99, 20], [100, 100])
    alive = clv.probability_alive(params, [3, 3], [99, 20], [100, 100])
    assert recent > gone
    assert gone < alive[1]

def test_median_wait_by_hand():
    wait = clv.time_to_next_purchase(NO_DROPOUT, [0, 1], [10, 10])
    np.testing.assert_allclose(wait, [20.0, 20 * (2 ** 0.5 - 1)], rtol=1e-9)
    # by then, an active customer has bought again half the time
    np.testing.assert_allclose(clv.probability_purchase_within(NO_DROPOUT, wait[1], [1], [5], [10]), 0.5)

def test_a_frequent_buyer_is_expected_sooner():
    wait = clv.time_to_next_purchase(NO_DROPOUT, [1, 10], [100, 100])
    assert wait[1] < wait[0]

def test_predicted_chances_match_simulated_purchases():
    params = {'r': 0.25, 'alpha': 4.4, 'a': 0.8, 'b': 2.4}   # CDNOW's, in weeks
    x, t_x, T, later = simulate_bgnbd(params, 40000, 39, 3, holdout=13)
    bought = later > 0
    predicted = clv.probability_purchase_within(params, 13, x, t_x, T)
    assert predicted.mean() == pytest.approx(bought.mean(), abs=0.01)
    # and per decile of the prediction
    order = np.argsort(predicted)
    for chunk in np.array_split(order, 10):
        assert predicted[chunk].mean() == pytest.approx(bought[chunk].mean(), abs=0.03)

def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="horizon must be positive"):
        clv.probability_purchase_within(NO_DROPOUT, 0, [1], [1], [2])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        clv.time_to_next_purchase(NO_DROPOUT, [1], [2], probability=1)
    with pytest.raises(ValueError, match="non-negative"):
        clv.time_to_next_purchase(NO_DROPOUT, [-1], [2])
