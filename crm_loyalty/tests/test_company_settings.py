from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged('post_install', '-at_install')
class TestCompanySettings(LoyaltyCase):

    def test_defaults_are_the_documented_ones(self):
        company = self.env['res.company'].create({'name': 'Fresh Company'})
        self.assertRecordValues(company, [{
            'loyalty_purchase_source': 'sale',
            'loyalty_window_months': 12,
            'loyalty_tier_basis': 'revenue',
            'loyalty_tier_grace_days': 30,
            'loyalty_abc_a_percent': 80.0,
            'loyalty_abc_b_percent': 95.0,
            'loyalty_attitude_threshold': 4.0,
            'loyalty_repeat_threshold': 2,
            'loyalty_long_relationship_months': 24,
            'loyalty_churn_medium_ratio': 1.5,
            'loyalty_churn_high_ratio': 3.0,
            'loyalty_clv_horizon_months': 12,
            'loyalty_contact_cap': 3,
            'loyalty_contact_cap_days': 30,
        }])

    def test_settings_form_writes_the_company(self):
        settings = self.env['res.config.settings'].create({
            'loyalty_purchase_source': 'invoice',
            'loyalty_window_months': 6,
            'loyalty_abc_a_percent': 70,
            'loyalty_abc_b_percent': 90,
        })
        settings.execute()
        self.assertRecordValues(self.company, [{
            'loyalty_purchase_source': 'invoice', 'loyalty_window_months': 6,
            'loyalty_abc_a_percent': 70.0, 'loyalty_abc_b_percent': 90.0,
        }])

    def assertRejected(self, values, message):
        """Writing `values` raises a ValidationError containing `message` and changes nothing."""
        before = self.company.read(list(values))[0]
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                self.company.write(values)
        self.company.invalidate_recordset()
        self.assertEqual(self.company.read(list(values))[0], before)

    def test_bad_settings_are_rejected_and_nothing_changes(self):
        cases = [
            ({'loyalty_window_months': 0}, "scoring window must be at least one month"),
            ({'loyalty_tier_grace_days': -1}, "grace period cannot be negative"),
            ({'loyalty_abc_a_percent': 96}, "ABC shares must satisfy"),
            ({'loyalty_abc_a_percent': 0}, "ABC shares must satisfy"),
            ({'loyalty_abc_b_percent': 101}, "ABC shares must satisfy"),
            ({'loyalty_abc_a_percent': 90, 'loyalty_abc_b_percent': 90}, "ABC shares must satisfy"),
            ({'loyalty_attitude_threshold': 5.5}, "between 1 and 5"),
            ({'loyalty_repeat_threshold': 0}, "at least one purchase"),
            ({'loyalty_long_relationship_months': 0}, "long relationship must last"),
            ({'loyalty_churn_medium_ratio': 3.0}, "churn risk ratios"),
            ({'loyalty_churn_medium_ratio': -1}, "churn risk ratios"),
            ({'loyalty_clv_horizon_months': 0}, "lifetime value horizon"),
            ({'loyalty_clv_horizon_months': -12}, "lifetime value horizon"),
            ({'loyalty_contact_cap': -1}, "contact cap cannot be negative"),
            ({'loyalty_contact_cap_days': 0}, "contact period must be at least one day"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                self.assertRejected(values, message)

    def test_bad_settings_form_is_rejected_and_nothing_changes(self):
        with self.assertRaisesRegex(ValidationError, "ABC shares must satisfy"):
            with self.env.cr.savepoint():
                self.env['res.config.settings'].create({
                    'loyalty_window_months': 3, 'loyalty_abc_a_percent': 99,
                }).execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.loyalty_window_months, 12)
        self.assertEqual(self.company.loyalty_abc_a_percent, 80.0)

    def test_error_is_translated_for_a_chinese_user(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['crm_loyalty'], ['zh_CN'], overwrite=True)
        with self.assertRaisesRegex(ValidationError, "评分窗口"):
            with self.env.cr.savepoint():
                self.company.with_context(lang='zh_CN').write({'loyalty_window_months': 0})
