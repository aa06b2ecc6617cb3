from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parents[1] / 'i18n'


@tagged('post_install', '-at_install')
class TestTranslations(TransactionCase):

    def test_every_term_has_a_chinese_translation(self):
        """Every translatable term of the module (fields, help texts, selections, views,
        menus, error messages...) is translated in i18n/zh_CN.po."""
        translated = {e.msgid for e in polib.pofile(str(I18N / 'zh_CN.po')) if e.msgstr.strip()}
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments
                 in TranslationModuleReader(self.env.cr, modules=['crm_loyalty'])}
        self.assertTrue(terms)
        self.assertEqual(sorted(terms - translated), [], "terms missing from i18n/zh_CN.po")

    def test_template_lists_every_term(self):
        """i18n/crm_loyalty.pot is current (regenerate it with Odoo's --i18n-export)."""
        listed = {e.msgid for e in polib.pofile(str(I18N / 'crm_loyalty.pot'))}
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments
                 in TranslationModuleReader(self.env.cr, modules=['crm_loyalty'])}
        self.assertEqual(sorted(terms - listed), [], "terms missing from i18n/crm_loyalty.pot")
