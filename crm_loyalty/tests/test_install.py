from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestInstall(TransactionCase):

    def test_admin_is_loyalty_manager(self):
        admin = self.env.ref('base.user_admin')
        self.assertTrue(admin.has_group('crm_loyalty.group_loyalty_manager'))
        self.assertTrue(admin.has_group('crm_loyalty.group_loyalty_user'))

    def test_manager_group_implies_user_group(self):
        manager = self.env.ref('crm_loyalty.group_loyalty_manager')
        self.assertIn(self.env.ref('crm_loyalty.group_loyalty_user'), manager.implied_ids)

    def test_loyalty_menu_is_for_loyalty_users_only(self):
        menu = self.env.ref('crm_loyalty.menu_loyalty_root')
        self.assertEqual(menu.groups_id, self.env.ref('crm_loyalty.group_loyalty_user'))
        user = self.env['res.users'].create({
            'name': 'Wang Fang', 'login': 'wang.fang',
            'groups_id': [(6, 0, [self.env.ref('base.group_user').id])],
        })
        visible = self.env['ir.ui.menu'].with_user(user)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        user.groups_id = [(4, self.env.ref('crm_loyalty.group_loyalty_user').id)]
        visible = self.env['ir.ui.menu'].with_user(user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(self.env.ref('crm_loyalty.menu_loyalty_configuration').id, visible)

    def test_settings_app_is_registered(self):
        arch = self.env['res.config.settings'].get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('name="crm_loyalty"', arch)
        self.assertIn('loyalty_purchase_source', arch)

    def test_install_queues_the_snapshots_of_past_months(self):
        """The install only asks for the backfill: the job builds the snapshots later."""
        positions = self.env['crm.loyalty.cron.position']._positions('crm_loyalty.ir_cron_loyalty_backfill')
        self.assertIn(self.env.company, positions.company_id)
        cron = self.env.ref('crm_loyalty.ir_cron_loyalty_backfill')
        self.assertTrue(cron.active)
        self.assertTrue(self.env['ir.cron.trigger'].search_count([('cron_id', '=', cron.id)]))
