"""The SQL CASE expressions made from lib/segments.py give, on random populations drawn in
PostgreSQL with a fixed seed, what its Python functions give on every row."""
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..lib import segments
from ..models.crm_loyalty_engine import to_sql

POPULATION = 4000
SEED = 0.1729


@tagged('post_install', '-at_install')
class TestSegmentsSql(TransactionCase):

    def _draw(self, draws, expression, **params):
        """Rows of the columns of ``draws`` (a SELECT of random values FROM
        ``%(population)s``, with ``params``) followed by ``expression`` (an SQL text of
        lib.segments) on them."""
        self.env.cr.execute(SQL("SELECT setseed(%s)", SEED))
        population = SQL("generate_series(1, %s)", POPULATION)
        return self.env.execute_query(SQL(
            "SELECT d.*, %s FROM (%s) d", to_sql(expression), SQL(draws, population=population, **params)))

    def assertSameOnEveryRow(self, rows, function):
        """Each row's last value is ``function`` of the others; returns the values met."""
        wrong = [row for row in rows if function(*row[:-1]) != row[-1]]
        self.assertEqual(wrong[:10], [], f"{len(wrong)} of {len(rows)} rows differ from lib.segments")
        return {row[-1] for row in rows}

    def test_rfm_segment_sql_is_the_grid(self):
        # a customer without purchase has no score at all
        rows = self._draw(
            """SELECT r, CASE WHEN r = 0 THEN 0 ELSE f END AS f, CASE WHEN r = 0 THEN 0 ELSE m END AS m
                 FROM (SELECT floor(random() * 6)::int AS r, 1 + floor(random() * 5)::int AS f,
                              1 + floor(random() * 5)::int AS m
                         FROM %(population)s) scores""",
            segments.rfm_segment_sql(SQL("d.r"), SQL("d.f"), SQL("d.m")))
        met = self.assertSameOnEveryRow(rows, segments.rfm_segment)
        self.assertEqual(met, {*segments.RFM_SEGMENTS, None})

    def test_loyalty_segment_sql_is_the_matrix(self):
        # satisfaction and thresholds by halves, so that many customers sit on a threshold
        rows = self._draw(
            """SELECT round(random() * 10)::float8 / 2 AS satisfaction, floor(random() * 6)::int AS purchases,
                      1 + round(random() * 8)::float8 / 2 AS attitude, 1 + floor(random() * 4)::int AS repeat,
                      random() < 0.9 AS scored
                 FROM %(population)s""",
            segments.loyalty_segment_sql(SQL("d.scored"), SQL("d.satisfaction"), SQL("d.purchases"),
                                         SQL("d.attitude"), SQL("d.repeat")))
        met = self.assertSameOnEveryRow(
            rows, lambda satisfaction, purchases, attitude, repeat, scored:
            segments.loyalty_segment(satisfaction, purchases, attitude, repeat, scored))
        self.assertEqual(met, {*segments.LOYALTY_SEGMENTS, None})

    def test_value_segment_sql_is_the_matrix(self):
        # revenue by steps of 500 around medians of 0 to 1 500, refunds included
        rows = self._draw(
            """SELECT (floor(random() * 9) - 2)::float8 * 500 AS revenue, floor(random() * 4)::float8 * 500 AS median,
                      floor(random() * 49)::int AS months, 12 * (1 + floor(random() * 3))::int AS long,
                      random() < 0.9 AS scored
                 FROM %(population)s""",
            segments.value_segment_sql(SQL("d.scored"), SQL("d.revenue"), SQL("d.median"),
                                       SQL("d.months"), SQL("d.long")))
        met = self.assertSameOnEveryRow(
            rows, lambda revenue, median, months, long, scored:
            segments.value_segment(revenue, median, months, long, scored))
        self.assertEqual(met, {*segments.VALUE_SEGMENTS, None})

    def test_matrix_axes_sql_are_the_cells(self):
        keys = [*segments.LOYALTY_SEGMENTS, *segments.VALUE_SEGMENTS]
        for matrix, axis in ((segments.LOYALTY_MATRIX, 'attitude'), (segments.LOYALTY_MATRIX, 'patronage'),
                             (segments.VALUE_MATRIX, 'profitability'), (segments.VALUE_MATRIX, 'duration')):
            with self.subTest(axis=axis):
                # any key of either matrix, or none (NULL)
                rows = self._draw(
                    "SELECT (%(keys)s::varchar[])[1 + floor(random() * %(choices)s)::int] AS segment "
                    "FROM %(population)s",
                    matrix.axis_sql(axis, SQL("d.segment")), keys=keys, choices=len(keys) + 1)
                values = matrix.axis_values(axis)
                met = self.assertSameOnEveryRow(rows, values.get)
                self.assertEqual(met, {*matrix.rows.values, None} if axis == matrix.rows.name
                                 else {*matrix.columns.values, None})

    def test_direction_sql_is_the_rule(self):
        # ranks of 0 to 400, or no level (NULL) one time in five
        ranks = """SELECT CASE WHEN random() < 0.2 THEN NULL ELSE floor(random() * 5)::float8 * 100 END AS before,
                          CASE WHEN random() < 0.2 THEN NULL ELSE floor(random() * 5)::float8 * 100 END AS after
                     FROM %(population)s"""
        rows = self._draw(ranks, segments.level_direction_sql(SQL("d.before"), SQL("d.after")))
        self.assertEqual(self.assertSameOnEveryRow(rows, segments.level_direction), {'up', 'down', 'same'})
        rows = self._draw(ranks, segments.grade_direction_sql(SQL("d.before"), SQL("d.after")))
        self.assertEqual(self.assertSameOnEveryRow(rows, segments.grade_direction), {'up', 'down', 'same', 'none'})
