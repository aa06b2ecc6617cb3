"""Customer lifetime value: BG/NBD purchase counts and Gamma-Gamma spend per purchase.

- BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an
  alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.
- Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
  customer base analysis", Journal of Marketing Research 42(4), 415-430.

Per customer, in one time unit throughout (the engine uses days):

- ``frequency``: repeat purchases, i.e. purchases after the first one;
- ``recency``: the customer's age at his last purchase (first to last purchase);
- ``T``: the customer's age at the end of observation (first purchase to the end);
- ``monetary_value``: mean spend of the repeat purchases.

The fits maximise the log-likelihood with SciPy's L-BFGS-B over the logarithms of the
parameters (so they stay positive; Gamma-Gamma's ``q - 1``, so that ``q > 1`` and the
population's mean spend exists), from several starting points. SciPy is used because
it is maintained and already a dependency of the scientific Python stack; the
``lifetimes`` package that popularised these models is unmaintained.

The fits run on normalised data, time divided by the mean ``T`` and spend by the mean
spend, and scale the parameters back (``alpha`` is a time, ``v`` an amount; the others
have no unit): the results do not depend on the time unit or the currency, and the
optimiser's box (``LOG_BOUND`` on each logarithm) is wide around any sensible value.

When the data cannot support a fit (fewer than ``MIN_REPEAT_CUSTOMERS`` customers with a
repeat purchase), the optimiser does not converge, or its best point lies on the box (a
parameter running off to zero or infinity, e.g. ``q`` to 1 for spends too dispersed for
the model), the fitters return the **baseline** instead and say so in the result's
``reason``:

- BG/NBD baseline: purchase rates gamma-distributed with the mean and variance of the
  observed rates (``frequency / T``), and no dropout (``a`` tiny, ``b`` huge, so every
  customer is alive): predictions become each customer's shrunken historical run rate.
- Gamma-Gamma baseline: each customer's own mean spend, the population mean for
  customers without repeat purchases.

A converged fit also gives the **covariance** of the logarithms it optimised (the inverse
of the observed information, the numerical Hessian of the negative log-likelihood at the
optimum); ``value_range`` turns it into a range of each customer's predicted value. A
baseline, or a Hessian that is not positive definite, gives none.

Nothing here imports Odoo.
"""
import logging

import numpy as np
from scipy import optimize, special

_logger = logging.getLogger(__name__)

MIN_REPEAT_CUSTOMERS = 5
BASELINE_DROPOUT = {'a': 1e-6, 'b': 1e6}
BASELINE_SPEND_SHRINK = 1e-6
LOG_BOUND = 15.0   # the optimiser's box on each logarithm of a normalised parameter
HESSIAN_STEP = 1e-3   # finite-difference step on the logarithms
GRADIENT_STEP = 1e-5
BGNBD_LOGS = ('r', 'alpha', 'a', 'b')   # the covariance's order: log r, log alpha, log a, log b
GAMMA_GAMMA_LOGS = ('p', 'q - 1', 'v')  # log p, log(q - 1), log v


class FitResult(dict):
    """The fitted parameters (the dict's keys), with how they were obtained."""

    def __init__(self, params, converged, reason='', log_likelihood=None, covariance=None):
        super().__init__(params)
        self.converged = converged
        self.reason = reason
        self.log_likelihood = log_likelihood
        # covariance of the logarithms of the parameters (BGNBD_LOGS, GAMMA_GAMMA_LOGS), as
        # nested lists; None for a baseline or a likelihood not curved at the optimum
        self.covariance = covariance

    @property
    def is_baseline(self):
        return not self.converged


def _arrays(*columns, signed=()):
    """The columns as float arrays, checked: one-dimensional, of one length, finite, and
    non-negative except the columns whose positions are in ``signed``."""
    arrays = [np.asarray(c, dtype=float) for c in columns]
    lengths = {a.shape for a in arrays}
    if len(lengths) != 1 or arrays[0].ndim != 1:
        raise ValueError("the columns must be one-dimensional and of the same length")
    for position, a in enumerate(arrays):
        if not np.all(np.isfinite(a)) or (position not in signed and np.any(a < 0)):
            raise ValueError("the columns must hold finite, non-negative numbers")
    return arrays


def _log_covariance(neg_log_likelihood, optimum):
    """Inverse of the central finite-difference Hessian of ``neg_log_likelihood`` at
    ``optimum`` (the logarithms), as nested lists; None unless it is positive definite.
    Rescaling a parameter shifts its logarithm only, so this holds in any unit."""
    n, h = optimum.size, HESSIAN_STEP
    steps = np.eye(n) * h
    f = neg_log_likelihood
    centre = f(optimum)
    hessian = np.empty((n, n))
    for i in range(n):
        hessian[i, i] = (f(optimum + steps[i]) - 2 * centre + f(optimum - steps[i])) / (h * h)
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                f(optimum + steps[i] + steps[j]) - f(optimum + steps[i] - steps[j])
                - f(optimum - steps[i] + steps[j]) + f(optimum - steps[i] - steps[j])) / (4 * h * h)
    if not np.all(np.isfinite(hessian)) or np.abs(hessian).max() >= 1e250:
        return None
    try:
        np.linalg.cholesky(hessian)
        covariance = np.linalg.inv(hessian)
        np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        return None
    return covariance.tolist()


def _maximise(neg_log_likelihood, starts, names):
    """Best L-BFGS-B optimum over the starting points, given as the logarithms of the
    quantities ``names``: (those quantities, their logarithms' covariance, '') or
    (None, None, why there is no optimum)."""
    best = None
    for start in starts:
        with np.errstate(all='ignore'):
            result = optimize.minimize(neg_log_likelihood, np.log(start), method='L-BFGS-B',
                                       bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start))
        if result.success and np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        return None, None, "the optimiser did not converge"
    values = dict(zip(names, (float(v) for v in np.exp(best.x)), strict=True))
    # the box is not the model's: an optimum on it means the likelihood still rises beyond
    on_bound = [name for name, x in zip(names, best.x, strict=True) if abs(x) > LOG_BOUND - 1e-3]
    if on_bound:
        return None, None, "the best fit lies on the optimiser's bound ({}): the data do not determine it".format(
            ", ".join(f"{name} = {values[name]:.3g}" for name in on_bound))
    with np.errstate(all='ignore'):
        covariance = _log_covariance(neg_log_likelihood, best.x)
    return values, covariance, ''


def _sample(size, *columns):
    """The columns restricted to a uniform random sample of ``size`` customers (the same
    draw for the same data: seeded by their number), with the factor that scales the
    sample's covariance to the whole population's (the observed information grows with
    the customers); the columns and 1 when there are no more than ``size``."""
    n = columns[0].size
    if not size or n <= size:
        return columns, 1.0
    keep = np.sort(np.random.default_rng(n).choice(n, size, replace=False))
    return tuple(c[keep] for c in columns), size / n


def _scaled(covariance, factor):
    return None if covariance is None else (np.asarray(covariance) * factor).tolist()


# --- BG/NBD ------------------------------------------------------------------------------

def bgnbd_log_likelihood(params, frequency, recency, T):
    """Per-customer log-likelihood of the BG/NBD model."""
    r, alpha, a, b = params
    x, t_x = frequency, recency
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide='ignore', invalid='ignore'):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(frequency, recency, T, sample_size=None):
    """Fit the BG/NBD model; returns a FitResult with keys ``r``, ``alpha``, ``a``, ``b``.

    With ``sample_size``, a larger population is fitted on a uniform random sample of that
    many customers (the fit's time grows with the customers; its precision, as 1/√n, is
    already far finer than the data's own at 100 000), its covariance scaled to the whole
    population; the log-likelihood is the population's."""
    x_all, t_all, age_all = _arrays(frequency, recency, T)
    if np.any(t_all > age_all):
        raise ValueError("recency cannot exceed T")
    repeaters = int(np.count_nonzero(x_all > 0))
    if repeaters < MIN_REPEAT_CUSTOMERS:
        return _bgnbd_baseline(x_all, age_all, f"only {repeaters} customers with a repeat purchase "
                                                f"(at least {MIN_REPEAT_CUSTOMERS} needed)")
    (x, t_x, age), factor = _sample(sample_size, x_all, t_all, age_all)

    unit = float(np.mean(age[age > 0])) if np.any(age > 0) else 1.0

    def neg_ll(log_params):
        value = -np.sum(bgnbd_log_likelihood(np.exp(log_params), x, t_x / unit, age / unit))
        return value if np.isfinite(value) else 1e300

    starts = [(1.0, 1.0, 1.0, 1.0), (0.5, 0.25, 0.5, 2.0), (2.0, 2.0, 2.0, 5.0)]
    fitted, covariance, why = _maximise(neg_ll, starts, ('r', 'alpha / mean T', 'a', 'b'))
    if fitted is None:
        return _bgnbd_baseline(x_all, age_all, f"BG/NBD: {why}")
    params = {'r': fitted['r'], 'alpha': fitted['alpha / mean T'] * unit, 'a': fitted['a'], 'b': fitted['b']}
    ll = float(np.sum(bgnbd_log_likelihood(tuple(params.values()), x_all, t_all, age_all)))
    return FitResult(params, converged=True, log_likelihood=ll, covariance=_scaled(covariance, factor))


def _bgnbd_baseline(x, age, reason):
    observed = age > 0
    rates = x[observed] / age[observed] if np.any(observed) else np.array([])
    mean = float(np.mean(rates)) if rates.size else 0.0
    var = float(np.var(rates)) if rates.size > 1 else 0.0
    if mean <= 0:
        r, alpha = 1.0, 1e6   # nobody bought again: a rate close to zero
    elif var <= 0:
        r, alpha = 1e3, 1e3 / mean   # everybody at the same rate: a narrow gamma
    else:
        r, alpha = mean * mean / var, mean / var
    _logger.warning("BG/NBD baseline used: %s", reason)
    return FitResult({'r': r, 'alpha': alpha, **BASELINE_DROPOUT}, converged=False, reason=reason)


def probability_alive(params, frequency, recency, T):
    """P(the customer is still active | his history) under BG/NBD."""
    r, alpha, a, b = (params[k] for k in ('r', 'alpha', 'a', 'b'))
    x, t_x, age = _arrays(frequency, recency, T)
    with np.errstate(divide='ignore', over='ignore', invalid='ignore'):
        odds = a / np.maximum(b + x - 1, 1e-300) * np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + t_x)))
    return np.where(x > 0, 1.0 / (1.0 + odds), 1.0)


def expected_purchases(params, t, frequency, recency, T):
    """Expected purchases in the next ``t`` time units given the history."""
    r, alpha, a, b = (params[k] for k in ('r', 'alpha', 'a', 'b'))
    x, t_x, age = _arrays(frequency, recency, T)
    if t <= 0:
        raise ValueError("the horizon must be positive")
    with np.errstate(all='ignore'):
        z = t / (alpha + age + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        factor = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + t)))
        numerator = (a + b + x - 1) / (a - 1) * (1 - factor * hyp)
        odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300)
                        * np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + t_x))), 0.0)
        result = numerator / (1 + odds)
    # Where the hypergeometric series is out of numerical reach, use the run rate the
    # customer would keep while alive: (r + x) / (alpha + T) per time unit.
    fallback = (r + x) / (alpha + age) * t * probability_alive(params, x, t_x, age)
    bad = ~np.isfinite(result) | (result < 0)
    if np.any(bad):
        _logger.info("BG/NBD expectation out of numerical range for %d customers: run rate used",
                     int(np.count_nonzero(bad)))
    return np.where(bad, fallback, result)


def probability_purchase_within(params, t, frequency, recency, T):
    """P(at least one purchase in the next ``t`` time units | the history) under BG/NBD.

    A customer drops out only right after a purchase, so one still alive at ``T`` buys
    again with his Poisson rate, whose posterior is Gamma(r + x, alpha + T): the wait for
    his next purchase is Lomax, P(none within t | alive) = ((alpha + T) / (alpha + T + t))^(r + x).
    Hence P = P(alive) x (1 - that). Raises ValueError for a non-positive horizon."""
    r, alpha = params['r'], params['alpha']
    x, t_x, age = _arrays(frequency, recency, T)
    if t <= 0:
        raise ValueError("the horizon must be positive")
    none_while_alive = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + t)))
    return probability_alive(params, x, t_x, age) * (1.0 - none_while_alive)


def time_to_next_purchase(params, frequency, T, probability=0.5):
    """Time units after ``T`` by which a customer *still alive* has bought again with the
    given ``probability`` (default: the median wait): solving
    1 - ((alpha + T) / (alpha + T + t))^(r + x) = p gives t = (alpha + T)((1 - p)^(-1/(r + x)) - 1).
    Raises ValueError unless 0 < probability < 1."""
    r, alpha = params['r'], params['alpha']
    x, age = _arrays(frequency, T)
    if not 0 < probability < 1:
        raise ValueError("the probability must lie strictly between 0 and 1")
    return (alpha + age) * np.expm1(-np.log1p(-probability) / (r + x))


# --- Gamma-Gamma -------------------------------------------------------------------------

def gamma_gamma_log_likelihood(params, frequency, monetary_value):
    """Per-customer log-likelihood of the Gamma-Gamma spend model (repeat buyers only)."""
    p, q, v = params
    x, m = frequency, monetary_value
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit_gamma_gamma(frequency, monetary_value, sample_size=None):
    """Fit the Gamma-Gamma model; returns a FitResult with keys ``p``, ``q``, ``v``.

    Customers without repeat purchase, or with a non-positive mean spend (refunds
    larger than the purchases), carry no information for this model and are left out of
    the fit; ``sample_size`` as for ``fit_bgnbd``, among the others. Raises ValueError for
    columns of different lengths, NaN or infinite values, or a negative frequency."""
    x, m = _arrays(frequency, monetary_value, signed=(1,))
    keep = (x > 0) & (m > 0)
    x_all, m_all = x[keep], m[keep]
    (x, m), factor = _sample(sample_size, x_all, m_all)
    if x_all.size < MIN_REPEAT_CUSTOMERS:
        return _gamma_gamma_baseline(m_all, f"only {x_all.size} customers with a repeat purchase "
                                        f"(at least {MIN_REPEAT_CUSTOMERS} needed)")

    unit = float(np.mean(m))

    def neg_ll(log_params):
        p, q_minus_1, v = np.exp(log_params)
        value = -np.sum(gamma_gamma_log_likelihood((p, 1 + q_minus_1, v), x, m / unit))
        return value if np.isfinite(value) else 1e300

    # each start has the observed mean spend (1) as the population's, p v / (q - 1)
    starts = [(1.0, 1.0, 1.0), (5.0, 2.0, 0.4), (0.5, 4.0, 8.0)]
    fitted, covariance, why = _maximise(neg_ll, starts, ('p', 'q - 1', 'v / mean spend'))
    if fitted is None:
        return _gamma_gamma_baseline(m_all, f"Gamma-Gamma: {why}")
    params = {'p': fitted['p'], 'q': 1 + fitted['q - 1'], 'v': fitted['v / mean spend'] * unit}
    ll = float(np.sum(gamma_gamma_log_likelihood(tuple(params.values()), x_all, m_all)))
    return FitResult(params, converged=True, log_likelihood=ll, covariance=_scaled(covariance, factor))


def _gamma_gamma_baseline(m, reason):
    mean = float(np.mean(m)) if m.size else 0.0
    shrink = BASELINE_SPEND_SHRINK
    _logger.warning("Gamma-Gamma baseline used: %s", reason)
    return FitResult({'p': 1.0, 'q': 1.0 + shrink, 'v': shrink * mean}, converged=False, reason=reason)


def expected_spend(params, frequency, monetary_value):
    """Expected mean spend of each customer's future purchases, the customers given being
    the whole population: the Gamma-Gamma weighted mean of his own mean spend (weight
    ``p x``) and the population's (weight ``q - 1``), so between the two.

    The population's mean ``p v / (q - 1)`` is held within the range of the observed
    means (of the customers with a repeat purchase), where a fit near ``q = 1`` would
    put it far beyond; with ``q <= 1`` (a fit stored before that was excluded) it is the
    mean of the observed means, and each repeat buyer keeps his own. A mean spend below
    zero (refunds exceeding purchases) counts as zero. Never negative."""
    p, q, v = (params[k] for k in ('p', 'q', 'v'))
    x, m = _arrays(frequency, monetary_value, signed=(1,))
    m = np.maximum(m, 0.0)
    observed = m[x > 0]
    if q > 1:
        population = p * v / (q - 1)
        own_weight = p * x / (p * x + q - 1)
    else:
        population = float(np.mean(observed)) if observed.size else 0.0
        own_weight = np.where(x > 0, 1.0, 0.0)
    if observed.size:
        population = min(max(population, float(np.min(observed))), float(np.max(observed)))
    return own_weight * m + (1 - own_weight) * population


# --- Range of the predicted value -------------------------------------------------------

def _log_parameters(bgnbd, gamma_gamma):
    return np.log([bgnbd['r'], bgnbd['alpha'], bgnbd['a'], bgnbd['b'],
                   gamma_gamma['p'], gamma_gamma['q'] - 1, gamma_gamma['v']])


def _parameters(logs):
    r, alpha, a, b, p, q_minus_1, v = np.exp(logs)
    return {'r': r, 'alpha': alpha, 'a': a, 'b': b}, {'p': p, 'q': 1 + q_minus_1, 'v': v}


def predicted_value(bgnbd, gamma_gamma, horizon, frequency, recency, T, monetary_value):
    """Expected revenue over the next ``horizon`` time units: BG/NBD purchases times
    Gamma-Gamma spend (the customers given being the whole population)."""
    return (expected_purchases(bgnbd, horizon, frequency, recency, T)
            * expected_spend(gamma_gamma, frequency, monetary_value))


def value_range(bgnbd, bgnbd_covariance, gamma_gamma, gamma_gamma_covariance, horizon,
                frequency, recency, T, monetary_value, quantiles=(0.1, 0.9)):
    """Each customer's predicted value at the given ``quantiles`` of the parameters'
    uncertainty (default: the 10th and 90th percentiles), as two arrays.

    The logarithms of the parameters are taken as normal, with the fits' covariances (the
    two fits are independent); the logarithm of each customer's value is linearised in
    them (its gradient by central differences, one pair of evaluations per parameter), so
    it is normal too and its quantiles are exact: the value's are the point estimate times
    ``exp(z sd)``, never negative, scaled with the currency, around the point estimate.
    This is the uncertainty of the model's expectation, not of what the customer will
    do. Without a covariance (a baseline fit), both arrays are NaN."""
    x, t_x, age, m = _arrays(frequency, recency, T, monetary_value, signed=(3,))
    value = predicted_value(bgnbd, gamma_gamma, horizon, x, t_x, age, m)
    if bgnbd_covariance is None or gamma_gamma_covariance is None:
        nan = np.full(x.size, np.nan)
        return nan, nan.copy()
    covariance = np.zeros((7, 7))
    covariance[:4, :4] = bgnbd_covariance
    covariance[4:, 4:] = gamma_gamma_covariance
    centre = _log_parameters(bgnbd, gamma_gamma)
    purchases = expected_purchases(bgnbd, horizon, x, t_x, age)
    spend = expected_spend(gamma_gamma, x, m)
    positive = value > 0
    with np.errstate(divide='ignore', invalid='ignore'):
        log_purchases, log_spend = np.log(purchases), np.log(spend)
    gradient = np.empty((7, x.size))
    for k in range(7):
        sides = []
        for sign in (1, -1):
            shifted = centre.copy()
            shifted[k] += sign * GRADIENT_STEP
            bg, gg = _parameters(shifted)
            with np.errstate(divide='ignore', invalid='ignore'):
                # each parameter moves one factor of the value only
                sides.append(np.log(expected_purchases(bg, horizon, x, t_x, age)) - log_purchases if k < 4
                             else np.log(expected_spend(gg, x, m)) - log_spend)
        gradient[k] = np.where(positive, (sides[0] - sides[1]) / (2 * GRADIENT_STEP), 0.0)
    variance = np.einsum('kn,kl,ln->n', gradient, covariance, gradient)
    sd = np.sqrt(np.maximum(np.nan_to_num(variance, nan=0.0), 0.0))
    low, high = (value * np.exp(special.ndtri(q) * sd) for q in quantiles)
    return low, high


# --- Backtest ----------------------------------------------------------------------------

def grade(mae_model, mae_naive, total_error):
    """The model's grade from the mean absolute errors per customer of the model and of the
    naive baseline, and the relative error of the total: 'A' when it beats the baseline and
    the total is within 15 %, 'B' when it beats the baseline or the total is within 25 %,
    'C' otherwise."""
    beats = mae_model < mae_naive
    if beats and abs(total_error) <= 0.15:
        return 'A'
    if beats or abs(total_error) <= 0.25:
        return 'B'
    return 'C'


def backtest(frequency, recency, T, holdout, actual, spend=None, actual_revenue=None, deciles=10,
             sample_size=None):
    """Fit the models on a calibration period and compare what they predict for the
    ``holdout`` that followed (same time unit) with what each customer really did.

    Per customer (the cohort who bought by the end of calibration): calibration
    ``frequency``, ``recency``, ``T`` as for ``fit_bgnbd``; ``actual`` purchases in the
    holdout; optionally the calibration mean repeat ``spend`` and the ``actual_revenue`` of
    the holdout. The naive baseline repeats each customer's past rate, ``frequency / T``.

    ``sample_size``: the fits' (see ``fit_bgnbd``). Returns a dict: ``customers``,
    ``predicted``/``actual`` purchases (totals) and
    ``error`` (their relative difference), ``mae``/``mae_naive`` (mean absolute error per
    customer), ``deciles`` (customers sorted by predicted purchases in ``deciles`` groups:
    predicted and actual means), with spend also ``predicted_revenue``, ``actual_revenue``,
    ``revenue_error``; ``fit`` (parameters and whether they converged) and ``grade``.
    Raises ValueError for inconsistent columns or a non-positive holdout."""
    x, t_x, age, real = _arrays(frequency, recency, T, actual)
    if holdout <= 0:
        raise ValueError("the holdout must be positive")
    fit = fit_bgnbd(x, t_x, age, sample_size)
    predicted = np.nan_to_num(expected_purchases(fit, holdout, x, t_x, age))
    with np.errstate(divide='ignore', invalid='ignore'):
        naive = np.where(age > 0, x / age * holdout, 0.0)
    total, real_total = float(predicted.sum()), float(real.sum())
    error = (total - real_total) / real_total if real_total else 0.0
    mae, mae_naive = (float(np.mean(np.abs(p - real))) if real.size else 0.0 for p in (predicted, naive))
    order = np.argsort(predicted, kind='stable')
    groups = [chunk for chunk in np.array_split(order, min(deciles, max(real.size, 1))) if chunk.size]
    result = {
        'customers': int(real.size), 'holdout': float(holdout),
        'predicted': round(total, 2), 'actual': round(real_total, 2), 'error': round(error, 4),
        'mae': round(mae, 4), 'mae_naive': round(mae_naive, 4),
        'deciles': [{'customers': int(chunk.size), 'predicted': round(float(predicted[chunk].mean()), 4),
                     'actual': round(float(real[chunk].mean()), 4)} for chunk in groups],
        'fit': {**dict(fit), 'converged': fit.converged, 'reason': fit.reason},
        'grade': grade(mae, mae_naive, error),
    }
    if spend is not None and actual_revenue is not None:
        m, revenue = _arrays(spend, actual_revenue, signed=(0, 1))
        spend_fit = fit_gamma_gamma(x, m, sample_size)
        predicted_revenue = float(np.nan_to_num(predicted * expected_spend(spend_fit, x, m)).sum())
        real_revenue = float(revenue.sum())
        result.update({
            'predicted_revenue': round(predicted_revenue, 2), 'actual_revenue': round(real_revenue, 2),
            'revenue_error': round((predicted_revenue - real_revenue) / real_revenue, 4) if real_revenue else 0.0,
        })
    return result
