"""Customers drawn from the models themselves, for the tests of lib/clv.py."""
import numpy as np


def simulate_bgnbd(params, n, T, seed, holdout=0.0):
    """(frequency, recency, T, later) of n customers drawn from BG/NBD and observed for T
    time units from their first purchase: repeat purchases and the age at the last one in
    the calibration, and the purchases in the ``holdout`` that follows (zeros without)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params['r'], 1 / params['alpha'], n)
    dropout = rng.beta(params['a'], params['b'], n)
    frequency, recency, clock, later = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1 / np.maximum(rate, 1e-12)), clock)
        early = alive & (clock <= T)
        late = alive & (clock > T) & (clock <= T + holdout)
        frequency += early
        later += late
        recency = np.where(early, clock, recency)
        # a customer may drop out right after each purchase
        alive = (early | late) & (rng.random(n) >= dropout)
    return frequency, recency, np.full(n, float(T)), later


def simulate_spend(params, frequency, seed):
    """Mean spend of each customer's repeat purchases under the Gamma-Gamma model."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(params['q'], 1 / params['v'], frequency.size)
    x = np.maximum(frequency, 1)
    return np.where(frequency > 0, rng.gamma(params['p'] * x, 1 / nu) / x, 0.0)
