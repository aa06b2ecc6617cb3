"""Pure Python parts of crm_loyalty (scoring maths, CLV fitting, postcode ranges).

Nothing here imports Odoo, so it is unit-tested without a database.
"""
