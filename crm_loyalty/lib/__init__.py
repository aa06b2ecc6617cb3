"""Pure Python parts of crm_loyalty (scoring maths, CLV fitting, postcode ranges,
the segment tables and the direction of a change of level).

Nothing here imports Odoo, so it is unit-tested without a database.
"""
