"""lib/segments.py, read as the specification of each table: the RFM segment of every cell
of the grid, the four cells of Dick & Basu's loyalty matrix and of Reinartz & Kumar's value
matrix with their boundaries, and the direction of a change of tier or grade. The SQL made
from the same tables is checked against these functions in tests/test_segments_sql.py.
Run by pytest without Odoo."""
import importlib.util
import itertools
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location('segments', Path(__file__).parents[1] / 'segments.py')
segments = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(segments)

SCORES = range(1, 6)

# --- RFM segments -----------------------------------------------------------------------

# Every cell of the grid: R score (5 = bought most recently), FM score, segment.
RFM_CELLS = [
    (5, 1, 'new_customer'), (5, 2, 'potential_loyalist'), (5, 3, 'potential_loyalist'),
    (5, 4, 'champions'), (5, 5, 'champions'),
    (4, 1, 'promising'), (4, 2, 'potential_loyalist'), (4, 3, 'potential_loyalist'),
    (4, 4, 'loyal'), (4, 5, 'loyal'),
    (3, 1, 'about_to_sleep'), (3, 2, 'about_to_sleep'), (3, 3, 'need_attention'),
    (3, 4, 'loyal'), (3, 5, 'loyal'),
    (2, 1, 'hibernating'), (2, 2, 'hibernating'), (2, 3, 'at_risk'),
    (2, 4, 'at_risk'), (2, 5, 'cannot_lose'),
    (1, 1, 'lost'), (1, 2, 'hibernating'), (1, 3, 'at_risk'),
    (1, 4, 'at_risk'), (1, 5, 'cannot_lose'),
]


@pytest.mark.parametrize(('r', 'fm', 'segment'), RFM_CELLS)
def test_every_cell_of_the_rfm_grid(r, fm, segment):
    assert segments.RFM_GRID[r][fm - 1] == segment
    for f, m in itertools.product(SCORES, SCORES):
        if segments.fm_score(f, m) == fm:
            assert segments.rfm_segment(r, f, m) == segment, (r, f, m)


def test_the_grid_has_every_cell_once():
    assert sorted((r, fm) for r, fm, _segment in RFM_CELLS) == list(itertools.product(SCORES, SCORES))
    assert sorted(segments.RFM_GRID) == list(SCORES)


def test_fm_score_is_the_mean_of_f_and_m_rounded_up():
    assert segments.fm_score(1, 1) == 1
    assert segments.fm_score(1, 2) == 2
    assert segments.fm_score(2, 3) == 3
    assert segments.fm_score(4, 5) == 5
    assert segments.fm_score(5, 5) == 5
    for f, m in itertools.product(SCORES, SCORES):
        assert segments.fm_score(f, m) == -(-(f + m) // 2)


# The segments described in words, the first that applies.
DESCRIBED = [
    (lambda r, fm: r == 1 and fm == 1, 'lost'),            # lowest recency, frequency and spend
    (lambda r, fm: r <= 2 and fm <= 2, 'hibernating'),     # long ago, few purchases, low spend
    (lambda r, fm: r <= 2 and fm <= 4, 'at_risk'),         # bought often and spent well, but long ago
    (lambda r, fm: r <= 2, 'cannot_lose'),                 # among the best, gone for long
    (lambda r, fm: r == 3 and fm <= 2, 'about_to_sleep'),
    (lambda r, fm: r == 3 and fm == 3, 'need_attention'),
    (lambda r, fm: r <= 4 and fm >= 4, 'loyal'),
    (lambda r, fm: r == 4 and fm == 1, 'promising'),
    (lambda r, fm: fm == 1, 'new_customer'),               # bought recently, for the first times
    (lambda r, fm: fm <= 3, 'potential_loyalist'),
    (lambda r, fm: True, 'champions'),                     # bought recently, buy often and spend the most
]


def test_the_rfm_segments_read_as_their_definitions():
    for r, f, m in itertools.product(SCORES, SCORES, SCORES):
        fm = segments.fm_score(f, m)
        described = next(segment for applies, segment in DESCRIBED if applies(r, fm))
        assert segments.rfm_segment(r, f, m) == described, (r, f, m)


def test_every_rfm_segment_is_a_cell_of_the_grid():
    assert {segment for row in segments.RFM_GRID.values() for segment in row} == set(segments.RFM_SEGMENTS)
    assert len(segments.RFM_SEGMENTS) == 11


def test_a_customer_who_never_bought_has_no_rfm_segment():
    assert segments.rfm_segment(0, 0, 0) is None
    assert segments.rfm_segment(6, 3, 3) is None


# --- Dick & Basu's loyalty matrix -------------------------------------------------------

ATTITUDE, REPEAT = 4.0, 3     # the company's thresholds: satisfaction, window purchases


@pytest.mark.parametrize(('satisfaction', 'purchases', 'segment'), [
    (4.5, 5, 'loyal'),          # satisfied and buys again
    (4.5, 1, 'latent'),         # satisfied, buys rarely
    (2.0, 5, 'spurious'),       # buys out of habit
    (2.0, 1, 'none'),
])
def test_every_cell_of_the_loyalty_matrix(satisfaction, purchases, segment):
    assert segments.loyalty_segment(satisfaction, purchases, ATTITUDE, REPEAT) == segment


def test_attitude_is_high_from_the_threshold_on():
    assert segments.loyalty_segment(4.0, 5, ATTITUDE, REPEAT) == 'loyal'
    assert segments.loyalty_segment(3.99, 5, ATTITUDE, REPEAT) == 'spurious'


def test_patronage_is_high_from_the_threshold_on():
    assert segments.loyalty_segment(4.5, 3, ATTITUDE, REPEAT) == 'loyal'
    assert segments.loyalty_segment(4.5, 2, ATTITUDE, REPEAT) == 'latent'
    assert segments.loyalty_segment(2.0, 0, ATTITUDE, REPEAT) == 'none'


def test_no_loyalty_segment_without_satisfaction_or_purchase():
    assert segments.loyalty_segment(0, 5, ATTITUDE, REPEAT) is None
    assert segments.loyalty_segment(4.5, 5, ATTITUDE, REPEAT, scored=False) is None


def test_the_loyalty_matrix_reads_attitude_by_patronage_high_first():
    assert segments.LOYALTY_MATRIX.reading_order() == [
        ('loyal', 'high', 'high'), ('latent', 'high', 'low'), ('spurious', 'low', 'high'), ('none', 'low', 'low')]
    assert segments.LOYALTY_MATRIX.axis_values('attitude') == {
        'loyal': 'high', 'latent': 'high', 'spurious': 'low', 'none': 'low'}
    assert segments.LOYALTY_MATRIX.axis_values('patronage') == {
        'loyal': 'high', 'latent': 'low', 'spurious': 'high', 'none': 'low'}
    assert set(segments.LOYALTY_MATRIX.cells.values()) == set(segments.LOYALTY_SEGMENTS)


# --- Reinartz & Kumar's value matrix ----------------------------------------------------

MEDIAN, LONG = 1000.0, 24     # the median window revenue, the months of a long relationship


@pytest.mark.parametrize(('revenue', 'months', 'segment'), [
    (1500.0, 36, 'true_friend'),    # profitable and long-standing
    (1500.0, 6, 'butterfly'),       # profitable, short-lived
    (200.0, 36, 'barnacle'),        # long-standing, not profitable
    (200.0, 6, 'stranger'),
])
def test_every_cell_of_the_value_matrix(revenue, months, segment):
    assert segments.value_segment(revenue, MEDIAN, months, LONG) == segment


def test_profitable_from_the_median_on():
    assert segments.value_segment(1000.0, MEDIAN, 36, LONG) == 'true_friend'
    assert segments.value_segment(999.99, MEDIAN, 36, LONG) == 'barnacle'


def test_no_revenue_in_the_window_is_never_profitable():
    # without any revenue in the window the median is 0: nobody reaches it with nothing
    assert segments.value_segment(0.0, 0.0, 36, LONG) == 'barnacle'
    assert segments.value_segment(-50.0, 0.0, 6, LONG) == 'stranger'
    assert segments.value_segment(0.01, 0.0, 6, LONG) == 'butterfly'


def test_long_relationship_from_the_threshold_on():
    assert segments.value_segment(1500.0, MEDIAN, 24, LONG) == 'true_friend'
    assert segments.value_segment(1500.0, MEDIAN, 23, LONG) == 'butterfly'


def test_no_value_segment_without_purchase():
    assert segments.value_segment(1500.0, MEDIAN, 36, LONG, scored=False) is None


def test_the_value_matrix_reads_profitability_by_duration_short_first():
    assert segments.VALUE_MATRIX.reading_order() == [
        ('butterfly', 'high', 'short'), ('true_friend', 'high', 'long'),
        ('stranger', 'low', 'short'), ('barnacle', 'low', 'long')]
    assert segments.VALUE_MATRIX.axis_values('profitability') == {
        'true_friend': 'high', 'butterfly': 'high', 'barnacle': 'low', 'stranger': 'low'}
    assert segments.VALUE_MATRIX.axis_values('duration') == {
        'true_friend': 'long', 'butterfly': 'short', 'barnacle': 'long', 'stranger': 'short'}
    assert set(segments.VALUE_MATRIX.cells.values()) == set(segments.VALUE_SEGMENTS)


# --- Direction of a change of level -----------------------------------------------------

@pytest.mark.parametrize(('before', 'after', 'direction'), [
    (100.0, 500.0, 'up'),
    (500.0, 100.0, 'down'),
    (500.0, 500.0, 'same'),
    (None, 0.0, 'up'),          # no tier ranks below every tier, a threshold of 0 too
    (0.0, None, 'down'),
    (None, None, 'same'),
    (-3, -1, 'up'),             # a grade's level may be negative: still above no grade
    (None, -3, 'up'),
])
def test_direction_of_a_change_of_level(before, after, direction):
    assert segments.level_direction(before, after) == direction


def test_a_partner_who_meets_no_grade_loses_his_grade():
    assert segments.grade_direction(2, None) == 'none'
    assert segments.grade_direction(None, None) == 'none'
    assert segments.grade_direction(None, 1) == 'up'
    assert segments.grade_direction(3, 1) == 'down'


# --- SQL text ---------------------------------------------------------------------------

def test_sql_text_inlines_sql_text_and_keeps_other_parameters_opaque():
    column = object()
    text = segments.sql("CASE WHEN %s THEN %s END", segments.sql("%s > %s", column, 5), 'x')
    assert text.code == "CASE WHEN %s > %s THEN %s END"
    assert text.params == (column, 5, 'x')


def test_sql_text_refuses_a_wrong_number_of_parameters():
    with pytest.raises(ValueError, match="2 placeholders for 1 parameters"):
        segments.sql("%s = %s", 1)


@pytest.mark.parametrize('text', [
    segments.rfm_segment_sql('r', 'f', 'm'),
    segments.loyalty_segment_sql('scored', 'satisfaction', 'purchases', 4.0, 3),
    segments.value_segment_sql('scored', 'revenue', 1000.0, 'months', 24),
    segments.LOYALTY_MATRIX.axis_sql('attitude', 'segment'),
    segments.VALUE_MATRIX.axis_sql('duration', 'segment'),
    segments.level_direction_sql('before', 'after'),
    segments.grade_direction_sql('before', 'after'),
])
def test_generated_sql_has_one_parameter_per_placeholder(text):
    assert text.code.count('%s') == len(text.params)
    assert '%' not in text.code.replace('%s', '')
