"""The segment tables and the direction of a level change: the one definition of each rule.

- **RFM segments**: a customer's recency score (R, 1 to 5) against his FM score, the mean of
  his frequency and monetary scores rounded up (``RFM_GRID``).
- **Dick & Basu's loyalty matrix**: relative attitude (satisfaction against a threshold)
  against repeat patronage (window purchases against a threshold) (``LOYALTY_MATRIX``).
- **Reinartz & Kumar's value matrix**: profitability (window revenue, positive and at least
  the median of the customers who had some) against the duration of the relationship
  (months since the first purchase against a threshold) (``VALUE_MATRIX``).
- **Direction** of a move between ordered levels (tiers by threshold, channel grades by
  level): up, down or same; no level ranks below every level.

Each rule is data and a pure function here, and its SQL ``CASE`` is generated from the
same data: an :class:`SqlText`, SQL text with ``%s`` placeholders and its parameters. The
expressions a caller passes in (columns, Odoo ``SQL`` objects) are parameters that this
module never looks into, so it imports nothing of Odoo: ``SQL(text.code, *text.params)``
makes an Odoo ``SQL`` of it.
"""
from typing import NamedTuple


class SqlText(NamedTuple):
    """SQL text with ``%s`` placeholders, and the parameters that fill them in order."""
    code: str
    params: tuple


def sql(code, *params):
    """``code`` with its ``params``; a parameter that is itself an :class:`SqlText` is
    inlined (its text and its own parameters)."""
    parts = code.split('%s')
    if len(parts) != len(params) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders for {len(params)} parameters in {code!r}")
    chunks, values = [parts[0]], []
    for param, part in zip(params, parts[1:], strict=True):
        if isinstance(param, SqlText):
            chunks.append(param.code)
            values.extend(param.params)
        else:
            chunks.append('%s')
            values.append(param)
        chunks.append(part)
    return SqlText(''.join(chunks), tuple(values))


def join(texts, separator):
    """The ``texts`` joined by ``separator`` (plain SQL text without placeholders)."""
    return sql(separator.join(['%s'] * len(texts)), *texts)


# --------------------------------------------------------------------------------------
# RFM segments
# --------------------------------------------------------------------------------------

# The keys of the segments, in the order of the selection.
RFM_SEGMENTS = (
    'champions', 'loyal', 'potential_loyalist', 'new_customer', 'promising', 'need_attention',
    'about_to_sleep', 'at_risk', 'cannot_lose', 'hibernating', 'lost',
)

# The segment of each cell: one row per R score (5 = bought most recently), one column per
# FM score, 1 to 5.
RFM_GRID = {
    5: ('new_customer', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'),
    4: ('promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'loyal'),
    3: ('about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'),
    2: ('hibernating', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose'),
    1: ('lost', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose'),
}
SCORES = range(1, 6)


def fm_score(f_score, m_score):
    """The FM score: the mean of the F and M scores, rounded up."""
    return (f_score + m_score + 1) // 2


def fm_score_sql(f_score, m_score):
    """:func:`fm_score` in SQL, of two integer expressions."""
    return sql("((%s + %s + 1) / 2)", f_score, m_score)


def rfm_segment(r_score, f_score, m_score):
    """The RFM segment of the scores; None unless they are scores of 1 to 5 (a customer
    who never bought has an R score of 0)."""
    fm = fm_score(f_score, m_score)
    if r_score not in RFM_GRID or fm not in SCORES:
        return None
    return RFM_GRID[r_score][fm - 1]


def rfm_segment_sql(r_score, f_score, m_score):
    """:func:`rfm_segment` in SQL, of three integer expressions: the grid cell by cell."""
    def row(segments):
        cells = [sql("WHEN %s THEN %s", fm, segment) for fm, segment in zip(SCORES, segments, strict=True)]
        return sql("CASE %s %s END", fm_score_sql(f_score, m_score), join(cells, ' '))
    rows = [sql("WHEN %s THEN %s", r, row(segments)) for r, segments in RFM_GRID.items()]
    return sql("CASE %s %s END", r_score, join(rows, ' '))


# --------------------------------------------------------------------------------------
# The two matrices
# --------------------------------------------------------------------------------------

class Axis(NamedTuple):
    """An axis of a 2×2 matrix: its name, its two values in reading order, and the value
    of a customer who meets its test."""
    name: str
    values: tuple
    met: str

    def value(self, met):
        """The axis value of a customer who meets (or not) its test."""
        return self.met if met else next(value for value in self.values if value != self.met)


class Matrix(NamedTuple):
    """A 2×2 matrix: two axes and the segment of each cell."""
    rows: Axis
    columns: Axis
    cells: dict     # (row value, column value): segment key

    def segment(self, row_met, column_met):
        return self.cells[self.rows.value(row_met), self.columns.value(column_met)]

    def reading_order(self):
        """(segment, row value, column value) of each cell, row by row."""
        return [(self.cells[row, column], row, column) for row in self.rows.values for column in self.columns.values]

    def axis_values(self, axis):
        """{segment: its value on ``axis`` (the name of an axis)}."""
        index = [self.rows.name, self.columns.name].index(axis)
        return {segment: cell[index] for cell, segment in self.cells.items()}

    def segment_sql(self, row_test, column_test):
        """The segment of a customer in SQL, from the tests of the axes (SQL conditions);
        a test that is NULL is not met."""
        def column(row_met):
            return sql("CASE WHEN %s THEN %s ELSE %s END", column_test,
                       self.segment(row_met, True), self.segment(row_met, False))
        return sql("CASE WHEN %s THEN %s ELSE %s END", row_test, column(True), column(False))

    def axis_sql(self, axis, segment):
        """The value on ``axis`` of the segment ``segment`` (an SQL expression); NULL
        without segment."""
        cells = [sql("WHEN %s THEN %s", key, value) for key, value in self.axis_values(axis).items()]
        return sql("CASE %s %s END", segment, join(cells, ' '))


# Dick & Basu (1994): relative attitude against repeat patronage.
LOYALTY_SEGMENTS = ('loyal', 'latent', 'spurious', 'none')
LOYALTY_MATRIX = Matrix(
    rows=Axis('attitude', ('high', 'low'), 'high'),
    columns=Axis('patronage', ('high', 'low'), 'high'),
    cells={('high', 'high'): 'loyal', ('high', 'low'): 'latent',
           ('low', 'high'): 'spurious', ('low', 'low'): 'none'},
)

# Reinartz & Kumar (2002): profitability against the duration of the relationship.
VALUE_SEGMENTS = ('true_friend', 'butterfly', 'barnacle', 'stranger')
VALUE_MATRIX = Matrix(
    rows=Axis('profitability', ('high', 'low'), 'high'),
    columns=Axis('duration', ('short', 'long'), 'long'),
    cells={('high', 'short'): 'butterfly', ('high', 'long'): 'true_friend',
           ('low', 'short'): 'stranger', ('low', 'long'): 'barnacle'},
)


def loyalty_segment(satisfaction, purchases, attitude_threshold, repeat_threshold, scored=True):
    """The customer's cell of the loyalty matrix: attitude is high when his satisfaction
    reaches ``attitude_threshold``, patronage when his window purchases reach
    ``repeat_threshold``. None unless ``scored`` (he bought) and he has a satisfaction."""
    if not scored or satisfaction <= 0:
        return None
    return LOYALTY_MATRIX.segment(satisfaction >= attitude_threshold, purchases >= repeat_threshold)


def loyalty_segment_sql(scored, satisfaction, purchases, attitude_threshold, repeat_threshold):
    """:func:`loyalty_segment` in SQL (``scored``: an SQL condition)."""
    return sql(
        "CASE WHEN NOT (%s) OR %s <= 0 THEN NULL ELSE %s END", scored, satisfaction,
        LOYALTY_MATRIX.segment_sql(sql("%s >= %s", satisfaction, attitude_threshold),
                                   sql("%s >= %s", purchases, repeat_threshold)))


def value_segment(revenue, median_revenue, months, long_months, scored=True):
    """The customer's cell of the value matrix: profitable when his window revenue is
    positive and at least ``median_revenue``, long when his relationship is at least
    ``long_months`` old. None unless ``scored`` (he bought)."""
    if not scored:
        return None
    return VALUE_MATRIX.segment(revenue > 0 and revenue >= median_revenue, months >= long_months)


def value_segment_sql(scored, revenue, median_revenue, months, long_months):
    """:func:`value_segment` in SQL (``scored``: an SQL condition)."""
    return sql(
        "CASE WHEN NOT (%s) THEN NULL ELSE %s END", scored,
        VALUE_MATRIX.segment_sql(sql("(%s > 0 AND %s >= %s)", revenue, revenue, median_revenue),
                                 sql("%s >= %s", months, long_months)))


# --------------------------------------------------------------------------------------
# Direction of a change of level
# --------------------------------------------------------------------------------------

def level_direction(before, after):
    """``'up'``, ``'down'`` or ``'same'``: the rank ``after`` (a tier's threshold, a
    grade's level) against ``before``; None, no level, ranks below every level."""
    if before == after:
        return 'same'
    if before is None or (after is not None and after > before):
        return 'up'
    return 'down'


def level_direction_sql(before, after):
    """:func:`level_direction` in SQL, of two rank expressions (NULL: no level)."""
    return sql(
        """CASE WHEN %s IS NOT DISTINCT FROM %s THEN %s
                WHEN %s IS NULL OR %s > %s THEN %s
                ELSE %s END""",
        before, after, 'same', before, after, before, 'up', 'down')


def grade_direction(before, after):
    """A channel grade's review: ``'none'`` when the partner loses his grade (``after``
    None), else :func:`level_direction`."""
    return 'none' if after is None else level_direction(before, after)


def grade_direction_sql(before, after):
    """:func:`grade_direction` in SQL."""
    return sql("CASE WHEN %s IS NULL THEN %s ELSE %s END", after, 'none', level_direction_sql(before, after))
