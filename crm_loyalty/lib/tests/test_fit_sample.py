"""lib/clv.py: a large population is fitted on a uniform sample of its customers, so that
the fit's time stops growing with the customers, and gives what the whole population
gives: the same parameters within the fit's own precision, the covariance of the whole
population, the same draw for the same data. Run by pytest without Odoo."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from simulation import simulate_bgnbd, simulate_spend

SPEC = importlib.util.spec_from_file_location('clv', Path(__file__).parents[1] / 'clv.py')
clv = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(clv)

BGNBD = {'r': 0.243, 'alpha': 4.414 * 7, 'a': 0.793, 'b': 2.426}   # CDNOW's, in days
GAMMA_GAMMA = {'p': 6.25, 'q': 3.74, 'v': 15.44}
CUSTOMERS, SAMPLE = 40000, 10000


@pytest.fixture(scope='module')
def population():
    frequency, recency, T, _later = simulate_bgnbd(BGNBD, CUSTOMERS, 273.0, seed=11)
    return frequency, recency, T, simulate_spend(GAMMA_GAMMA, frequency, seed=12)


@pytest.fixture(scope='module')
def fits(population):
    frequency, recency, T, spend = population
    return {
        'whole': (clv.fit_bgnbd(frequency, recency, T), clv.fit_gamma_gamma(frequency, spend)),
        'sample': (clv.fit_bgnbd(frequency, recency, T, SAMPLE), clv.fit_gamma_gamma(frequency, spend, SAMPLE)),
    }


def _standard_errors(fit):
    return np.sqrt(np.diag(fit.covariance))


@pytest.mark.parametrize('model', [0, 1], ids=['bgnbd', 'gamma_gamma'])
def test_the_sample_finds_the_populations_parameters_within_its_precision(fits, model):
    whole, sample = fits['whole'][model], fits['sample'][model]
    assert whole.converged and sample.converged
    # on the logarithms the fit works in, within three standard errors of the sample's own
    # (its covariance is scaled to the population's: the sample alone is √(n / sample) wider)
    errors = _standard_errors(sample) * np.sqrt(CUSTOMERS / SAMPLE)
    logs = [np.log(f['q'] - 1) if name == 'q' else np.log(f[name]) for f in (whole, sample) for name in f]
    half = len(logs) // 2
    assert np.all(np.abs(np.subtract(logs[:half], logs[half:])) < 3 * errors)


@pytest.mark.parametrize('model', [0, 1], ids=['bgnbd', 'gamma_gamma'])
def test_the_samples_covariance_is_the_whole_populations(fits, model):
    whole, sample = fits['whole'][model], fits['sample'][model]
    ratio = _standard_errors(sample) / _standard_errors(whole)
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio


def test_the_log_likelihood_is_the_whole_populations(population, fits):
    frequency, recency, T, _spend = population
    sample = fits['sample'][0]
    expected = np.sum(clv.bgnbd_log_likelihood(tuple(sample.values()), frequency, recency, T))
    assert sample.log_likelihood == pytest.approx(expected)


def test_the_same_data_draw_the_same_sample(population, fits):
    frequency, recency, T, _spend = population
    assert dict(clv.fit_bgnbd(frequency, recency, T, SAMPLE)) == dict(fits['sample'][0])


def test_a_population_within_the_sample_size_is_fitted_whole(population, fits):
    frequency, recency, T, _spend = population
    assert dict(clv.fit_bgnbd(frequency, recency, T, CUSTOMERS)) == dict(fits['whole'][0])
