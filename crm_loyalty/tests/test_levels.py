"""Tiers and channel grades are levels of a company (crm.loyalty.level.mixin): the same
validation gives the same clear error on both, and the database guards both alike."""
from odoo.tests import tagged
from odoo.tools import SQL

from .common import LoyaltyCase

# model, its ranking field, the words of its error: its plural and its rank
LEVELS = [
    ('crm.loyalty.tier', 'min_value', 'tiers', 'threshold'),
    ('crm.loyalty.channel.grade', 'level', 'grades', 'level'),
]


@tagged('post_install', '-at_install')
class TestLevels(LoyaltyCase):

    def _level(self, model, rank, name, value):
        return self.env[model].create({'name': name, rank: value})

    def test_two_levels_of_a_company_cannot_share_a_rank(self):
        for model, rank, plural, word in LEVELS:
            with self.subTest(model=model):
                self._level(model, rank, 'Silver', 7)
                with self.assertRefused(f"^The {plural} “Twin” and “Silver” cannot share the {word} 7"):
                    self._level(model, rank, 'Twin', 7)
                gold = self._level(model, rank, 'Gold', 9)
                with self.assertRefused(f"^The {plural} “Gold” and “Silver” cannot share the {word} 7"):
                    gold[rank] = 7
                self.assertEqual(gold[rank], 9)

    def test_an_archived_level_keeps_its_rank(self):
        for model, rank, plural, word in LEVELS:
            with self.subTest(model=model):
                self._level(model, rank, 'Silver', 7).active = False
                with self.assertRefused(f"^The {plural} “Twin” and “Silver” cannot share the {word} 7"):
                    self._level(model, rank, 'Twin', 7)

    def test_another_company_may_use_the_same_rank(self):
        other = self.env['res.company'].create({'name': 'Other Company'})
        for model, rank, _plural, _word in LEVELS:
            with self.subTest(model=model):
                mine = self._level(model, rank, 'Silver', 7)
                theirs = self.env[model].create({'name': 'Silver', rank: 7, 'company_id': other.id})
                self.assertEqual(theirs[rank], mine[rank])

    def test_a_level_needs_a_name(self):
        for model, rank, message in [('crm.loyalty.tier', 'min_value', "^Give the tier a name."),
                                     ('crm.loyalty.channel.grade', 'level', "^Give the channel grade a name.")]:
            with self.subTest(model=model):
                with self.assertRefused(message):
                    self._level(model, rank, '  ', 7)

    def test_the_database_refuses_a_shared_rank_at_commit(self):
        """The guard against two users saving at once: a deferred unique constraint."""
        rows = self.env.execute_query_dict(SQL(
            """SELECT conrelid::regclass::text AS "table", condeferrable, condeferred,
                      pg_get_constraintdef(oid) AS definition
                 FROM pg_constraint
                WHERE conname IN ('crm_loyalty_tier_min_value_unique', 'crm_loyalty_channel_grade_level_unique')
                ORDER BY conname"""))
        self.assertEqual(rows, [
            {'table': 'crm_loyalty_channel_grade', 'condeferrable': True, 'condeferred': True,
             'definition': 'UNIQUE (company_id, level) DEFERRABLE INITIALLY DEFERRED'},
            {'table': 'crm_loyalty_tier', 'condeferrable': True, 'condeferred': True,
             'definition': 'UNIQUE (company_id, min_value) DEFERRABLE INITIALLY DEFERRED'},
        ])
