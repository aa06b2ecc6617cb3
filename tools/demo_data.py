"""Realistic, reproducible demo data for crm_loyalty, at any size.

    python tools/demo_data.py --customers 2000 --orders 20000 [--seed 7] [--as-of 2026-11-22] \
        -- -c odoo.conf -d DATABASE

A trading company selling tea, teaware and gift sets in China and abroad: salespeople
and sales teams, a product catalogue, a few distributors, and customers (companies with
their contacts, and private persons; Chinese and Western names and addresses) with
several years of orders: loyal regulars, occasional and one-time buyers, dormant and
churned customers, seasonal peaks (Chinese New Year, Mid-Autumn, 11.11, Christmas),
a few cancelled orders and open quotations.

The small reference data goes through the ORM. Customers, orders and order lines are
bulk-loaded with PostgreSQL COPY: each table's rows are cloned from a real record that
the ORM created first (so every stored column Odoo expects is filled the way Odoo fills
it) with the generated values laid over. The same seed gives the same data.
"""
import argparse
import io
import json
import math
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
CN_GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红鹏辉建文斌宇浩凯健俊帆帅旭宁龙林欣晨雪琳"
CN_COMPANY_WORDS = ["华泰", "鼎盛", "宏远", "嘉禾", "瑞丰", "恒信", "盛世", "锦程", "金桥", "新源", "博雅",
                    "德润", "永安", "天和", "茗香", "云岭", "翠峰", "悦来", "春晖", "汇通"]
CN_COMPANY_KINDS = ["贸易有限公司", "茶业有限公司", "酒店管理有限公司", "商贸有限公司", "餐饮管理有限公司",
                    "礼品有限公司", "科技有限公司", "文化传播有限公司"]
WEST_FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
              "Elizabeth", "David", "Barbara", "Richard", "Susan", "Thomas", "Jessica", "Charles", "Sarah",
              "Emma", "Lukas", "Sophie", "Hannah", "Louis", "Camille", "Oliver", "Amelia", "Noah", "Chloe"]
WEST_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
             "Anderson", "Thomas", "Moore", "Martin", "Thompson", "White", "Clark", "Lewis", "Walker",
             "Müller", "Schmidt", "Schneider", "Fischer", "Dubois", "Bernard", "Moreau", "Evans", "Hughes"]
WEST_COMPANY_WORDS = ["Green Leaf", "Silver Spoon", "Harbour", "Oakwood", "Blue Lantern", "Golden Gate",
                      "Riverside", "Northwind", "Maple", "Stonebridge", "Willow", "Crescent", "Summit"]
WEST_COMPANY_KINDS = ["Tea Room", "Hotels", "Trading Ltd", "Café", "Gift Shop", "Catering", "Delicatessen",
                      "Imports Inc.", "GmbH", "SARL"]
CN_STREETS = ["南京路", "淮海中路", "人民路", "解放路", "中山路", "建国路", "长安街", "延安路", "西湖大道", "天府大道"]
WEST_STREETS = ["High Street", "Main Street", "Market Street", "Church Road", "Park Avenue", "Hauptstraße",
                "Bahnhofstraße", "Rue de la Paix", "Rue Victor Hugo", "King Street"]

# (country code, state xml id or None, city, zip prefix, weight)
REGIONS = [
    ('cn', 'base.state_cn_SH', '上海', '200', 16), ('cn', 'base.state_cn_BJ', '北京', '100', 12),
    ('cn', 'base.state_cn_ZJ', '杭州', '310', 10), ('cn', 'base.state_cn_GD', '广州', '510', 10),
    ('cn', 'base.state_cn_GD', '深圳', '518', 8), ('cn', 'base.state_cn_SC', '成都', '610', 6),
    ('cn', 'base.state_cn_FJ', '福州', '350', 5), ('cn', 'base.state_cn_YN', '昆明', '650', 3),
    ('us', 'base.state_us_5', 'San Francisco', '941', 5), ('us', 'base.state_us_27', 'New York', '100', 5),
    ('de', 'base.state_de_by', 'München', '80', 4), ('de', 'base.state_de_be', 'Berlin', '10', 3),
    ('fr', None, 'Paris', '75', 4), ('uk', None, 'London', 'EC', 5), ('sg', None, 'Singapore', '0', 4),
]
# Seasonal demand by month: Chinese New Year, Mid-Autumn, 11.11, Christmas
SEASON = [1.35, 1.15, 0.85, 0.9, 0.9, 0.85, 0.8, 0.85, 1.2, 1.05, 1.45, 1.5]
# (archetype, share, relative purchase frequency, days before as-of of the last purchase)
# About half the customers buy once, as in real bases (60 % of CDNOW's cohort).
ARCHETYPES = [
    ('loyal', 0.08, 4.0, (1, 40)), ('regular', 0.16, 1.6, (1, 150)), ('occasional', 0.12, 0.6, (20, 300)),
    ('one_time', 0.46, 0.0, (1, 1800)), ('dormant', 0.09, 1.0, (200, 500)),
    ('churned', 0.09, 1.0, (500, 1500)),
]
HISTORY_DAYS = 5 * 365

CATALOGUE = [
    ('Tea', 'Longjing Green Tea 250 g', 38.0), ('Tea', 'Pu-erh Cake 357 g', 56.0),
    ('Tea', 'Tieguanyin Oolong 250 g', 42.0), ('Tea', 'Jasmine Pearls 100 g', 24.0),
    ('Tea', 'Da Hong Pao 125 g', 65.0), ('Tea', 'White Peony 200 g', 33.0),
    ('Tea', 'Keemun Black Tea 250 g', 29.0), ('Tea', 'Silver Needle 100 g', 72.0),
    ('Teaware', 'Yixing Clay Teapot', 120.0), ('Teaware', 'Gaiwan Porcelain Set', 48.0),
    ('Teaware', 'Glass Tea Pitcher', 18.0), ('Teaware', 'Bamboo Tea Tray', 64.0),
    ('Teaware', 'Celadon Cups (6)', 36.0), ('Teaware', 'Electric Kettle 1.2 L', 55.0),
    ('Gift Sets', 'Mid-Autumn Tea & Mooncake Box', 88.0), ('Gift Sets', 'New Year Red Gift Box', 128.0),
    ('Gift Sets', 'Corporate Tea Hamper', 260.0), ('Gift Sets', 'Tasting Sampler (8 teas)', 45.0),
    ('Services', 'Tea Ceremony Workshop', 150.0), ('Services', 'Office Tea Service (month)', 320.0),
]
SALESPEOPLE = [('Li Na', 'li.na', 'China Sales'), ('Zhang Wei', 'zhang.wei', 'China Sales'),
               ('Chen Jing', 'chen.jing', 'China Sales'), ('Emma Wilson', 'emma.wilson', 'International Sales'),
               ('Lukas Müller', 'lukas.mueller', 'International Sales'), ('Sophie Martin', 'sophie.martin',
                                                                           'International Sales')]
DISTRIBUTORS = [('华东茗品分销有限公司', 'cn', 'base.state_cn_SH', '上海', '200030'),
                ('华南茶业供应链有限公司', 'cn', 'base.state_cn_GD', '广州', '510000'),
                ('西南云茶分销有限公司', 'cn', 'base.state_cn_SC', '成都', '610000'),
                ('Euro Tea Distribution GmbH', 'de', 'base.state_de_by', 'München', '80331'),
                ('Pacific Leaf Distributors Inc.', 'us', 'base.state_us_5', 'San Francisco', '94105')]
# (name, Chinese name, distributor index, exclusive, states, countries)
TERRITORIES = [
    ('East China', '华东', 0, True, ['base.state_cn_SH', 'base.state_cn_ZJ', 'base.state_cn_JS'], []),
    ('South China', '华南', 1, True, ['base.state_cn_GD', 'base.state_cn_FJ'], []),
    ('Southwest China', '西南', 2, True, ['base.state_cn_SC', 'base.state_cn_YN'], []),
    ('Continental Europe', '欧洲大陆', 3, False, [], ['base.de', 'base.fr']),
    ('US West Coast', '美国西海岸', 4, True, ['base.state_us_5'], []),
]
# (name, Chinese name, level, annual volume from, satisfaction from, conflicts at most)
CHANNEL_GRADES = [('Certified Distributor', '认证分销商', 1, 0.0, 0.0, -1),
                  ('Gold Distributor', '金牌分销商', 2, 20000.0, 3.5, 2),
                  ('Strategic Partner', '战略合作伙伴', 3, 80000.0, 4.0, 0)]
SHOWCASE = 'Lotus Tea House'
DEMO_TZ = 'Asia/Shanghai'   # the demo company's time zone: its days are Shanghai's, not UTC's
# the second demo user, a loyalty administrator working in Simplified Chinese (login / password)
CHINESE_USER = ('张敏', 'zhang')
# (name, Chinese name, trigger, days, holdout %, activity summary)
CARE_RULES = [
    ('Birthday wishes', '生日祝福', 'birthday', 3, 0, 'Call to wish a happy birthday'),
    ('Win back dormant customers', '唤回沉睡客户', 'dormant', 180, 10, 'Call with a win-back offer'),
    ('Call back detractors', '回访不满意客户', 'low_satisfaction', 0, 0, 'Call back about the low score'),
]
# (subject, Chinese subject, kind, severity, category, state)
COMPLAINTS = [
    ('Tea tin arrived dented', '茶叶罐到货时有凹痕', 'complaint', 'medium', 'delivery', 'new'),
    ('Invoice shows the wrong amount', '发票金额有误', 'complaint', 'high', 'billing', 'in_progress'),
    ('Oolong tastes stale', '乌龙茶口感陈旧', 'complaint', 'high', 'product', 'in_progress'),
    ('Late delivery before the holiday', '节前送货延误', 'complaint', 'critical', 'delivery', 'new'),
    ('Rude reply on the phone', '电话答复态度不好', 'complaint', 'medium', 'staff', 'resolved'),
    ('Gift box missing a cup', '礼盒少了一只杯子', 'complaint', 'low', 'product', 'closed'),
    ('Offer smaller sample packs', '希望提供小包装试饮装', 'suggestion', 'low', 'product', 'new'),
    ('Deliver on Saturdays', '希望周六也能送货', 'suggestion', 'low', 'service', 'closed'),
]


def copy_value(value):
    """One value in PostgreSQL COPY text format."""
    kind = type(value)
    if kind is int or kind is float:
        return str(value)
    if value is None:
        return '\\N'
    if kind is bool:
        return 't' if value else 'f'
    if kind is dict:
        value = json.dumps(value)
    value = str(value)
    if '\\' in value or '\t' in value or '\n' in value or '\r' in value:
        value = value.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')
    return value


def copy_rows(cr, table, template, rows, chunk=50000):
    """COPY rows (dicts of overrides) into table, each completed from the template row."""
    columns = list(template)
    base = [copy_value(template[c]) for c in columns]
    index = {c: i for i, c in enumerate(columns)}
    buf, count = io.StringIO(), 0
    for row in rows:
        values = base.copy()
        for column, value in row.items():
            values[index[column]] = copy_value(value)
        buf.write('\t'.join(values))
        buf.write('\n')
        count += 1
        if count % chunk == 0:
            _flush(cr, table, columns, buf)
            buf = io.StringIO()
    _flush(cr, table, columns, buf)
    return count


def _flush(cr, table, columns, buf):
    buf.seek(0)
    cr.copy_expert(f'COPY "{table}" ({", ".join(f"{c!r}".replace(chr(39), chr(34)) for c in columns)}) '
                   f'FROM STDIN', buf)


def template_row(cr, table, record_id):
    cr.execute(f'SELECT * FROM "{table}" WHERE id = %s', [record_id])
    names = [d.name for d in cr.description]
    return dict(zip(names, cr.fetchone(), strict=True))


def reserve_ids(cr, table, count):
    """The first of `count` consecutive ids taken from the table's sequence."""
    cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count])
    return first


class Generator:
    def __init__(self, env, customers, orders, seed, as_of):
        self.env = env
        self.cr = env.cr
        self.rng = random.Random(seed)
        self.n_customers = customers
        self.n_orders = orders
        self.as_of = as_of
        self.company = env.company
        self.zh = bool(env['res.lang']._lang_get('zh_CN'))

    # --- reference data through the ORM ---------------------------------------------
    def setup_languages(self):
        """English active for the administrator (the README's screenshots are English) and
        Simplified Chinese installed beside it, with every installed module's terms, for a
        loyalty administrator who works in Chinese."""
        Lang = self.env['res.lang']
        Lang._activate_lang('en_US')
        if not self.zh:
            Lang._activate_lang('zh_CN')
            self.env['ir.module.module'].search([('state', '=', 'installed')])._update_translations(['zh_CN'])
            self.zh = True
        self.env.ref('base.user_admin').lang = 'en_US'
        name, login = CHINESE_USER
        user = self.env['res.users'].search([('login', '=', login)])
        if not user:
            self.env['res.users'].create({
                'name': name, 'login': login, 'password': login, 'lang': 'zh_CN', 'tz': DEMO_TZ,
                'email': f'{login}@lotus-oak.example.com',
                'groups_id': [(6, 0, [self.env.ref('sales_team.group_sale_salesman_all_leads').id,
                                      self.env.ref('crm_loyalty.group_loyalty_manager').id])],
            })

    def setup_company(self):
        company = self.company
        if company.name in ('YourCompany', 'My Company'):
            company.write({
                'name': 'Lotus & Oak Tea Trading Co.', 'street': '1288 Nanjing West Road',
                'city': 'Shanghai', 'zip': '200040', 'country_id': self.env.ref('base.cn').id,
                'state_id': self.env.ref('base.state_cn_SH').id, 'email': 'info@lotus-oak.example.com',
                'phone': '+86 21 6288 0000', 'website': 'https://lotus-oak.example.com',
            })
            company.partner_id.tz = DEMO_TZ   # its days are Shanghai's, not UTC's

    def setup_sales_force(self):
        teams = {}
        for team_name in ('China Sales', 'International Sales'):
            teams[team_name] = self.env['crm.team'].search([('name', '=', team_name)], limit=1) \
                or self.env['crm.team'].create({'name': team_name})
        groups = [self.env.ref('sales_team.group_sale_salesman').id,
                  self.env.ref('crm_loyalty.group_loyalty_user').id]
        users = []
        for name, login, team_name in SALESPEOPLE:
            user = self.env['res.users'].search([('login', '=', login)]) or self.env['res.users'].create({
                'name': name, 'login': login, 'password': login, 'email': f'{login}@lotus-oak.example.com',
                'groups_id': [(6, 0, groups)],
            })
            teams[team_name].member_ids |= user
            users.append((user.id, teams[team_name].id, team_name))
        self.salespeople = users

    def setup_products(self):
        products = []
        for categ_name, name, price in CATALOGUE:
            categ = self.env['product.category'].search([('name', '=', categ_name)], limit=1) \
                or self.env['product.category'].create({'name': categ_name})
            product = self.env['product.product'].search([('name', '=', name)], limit=1) \
                or self.env['product.product'].create({
                    'name': name, 'categ_id': categ.id, 'list_price': price,
                    'standard_price': round(price * 0.55, 2),
                    'type': 'service' if categ_name == 'Services' else 'consu', 'sale_ok': True,
                    'invoice_policy': 'order',
                })
            products.append(product)
        self.products = products

    def setup_distributors(self):
        """The channel: distributors with their grade, contract and exclusive or shared
        territories (the generated customers are matched to them after the bulk load)."""
        tag = self.env['res.partner.category'].search([('name', '=', 'Distributor')], limit=1) \
            or self.env['res.partner.category'].create({'name': 'Distributor'})
        grades = self.env['crm.loyalty.channel.grade'].search([('company_id', '=', self.company.id)])
        if not grades:
            grades = self.env['crm.loyalty.channel.grade'].create([{
                'name': name, 'level': level, 'min_revenue': revenue, 'min_satisfaction': satisfaction,
                'max_conflicts': conflicts, 'company_id': self.company.id,
            } for name, _zh, level, revenue, satisfaction, conflicts in CHANNEL_GRADES])
            if self.zh:
                for grade, (_name, zh, *_rest) in zip(grades, CHANNEL_GRADES, strict=True):
                    grade.with_context(lang='zh_CN').name = zh
        distributors = []
        for index, (name, country, state, city, zip_code) in enumerate(DISTRIBUTORS):
            distributor = self.env['res.partner'].search([('name', '=', name)], limit=1) \
                or self.env['res.partner'].create({
                    'name': name, 'is_company': True, 'country_id': self.env.ref(f'base.{country}').id,
                    'state_id': self.env.ref(state).id, 'city': city, 'zip': zip_code,
                    'category_id': [(6, 0, tag.ids)], 'customer_rank': 1,
                    'email': f"orders@distributor{index + 1}.example.com",
                    'channel_role': 'distributor',
                    'channel_partner_since': self.as_of - timedelta(days=900 - 150 * index),
                    'channel_contract_end': self.as_of + timedelta(days=40 + 120 * index),
                    'channel_grade_id': grades[min(index, len(grades) - 1) if index < 2 else 0].id,
                    'channel_target': 50000.0 + 25000.0 * (index % 3),
                })
            distributors.append(distributor)
        Territory = self.env['crm.loyalty.territory']
        if not Territory.search_count([('company_id', '=', self.company.id)]):
            territories = Territory.create([{
                'name': name, 'exclusive': exclusive, 'company_id': self.company.id,
                'state_ids': [(6, 0, [self.env.ref(x).id for x in states])],
                'country_ids': [(6, 0, [self.env.ref(x).id for x in countries])],
                'distributor_ids': [(6, 0, distributors[index].ids)],
            } for name, _zh, index, exclusive, states, countries in TERRITORIES])
            if self.zh:
                for territory, (_name, zh, *_rest) in zip(territories, TERRITORIES, strict=True):
                    territory.with_context(lang='zh_CN').name = zh
        reseller = self.env['res.partner'].search([('name', '=', '苏州茶庄')], limit=1) \
            or self.env['res.partner'].create({
                'name': '苏州茶庄', 'is_company': True, 'country_id': self.env.ref('base.cn').id,
                'state_id': self.env.ref('base.state_cn_JS').id, 'city': '苏州', 'zip': '215000',
                'channel_role': 'reseller', 'channel_parent_id': distributors[0].id, 'customer_rank': 1,
            })
        self.distributors = distributors
        self.reseller = reseller

    def setup_channel(self):
        """After the bulk load: every address matched to its territory (one statement),
        a fifth of the customers of each territory served by its distributor (one
        statement), and a few orders that cross territories, confirmed the ordinary way so
        that their conflicts are detected; then the grade review."""
        Territory = self.env['crm.loyalty.territory']
        self.env.flush_all()
        Territory._match_partners(self.company)
        self.cr.execute(
            """UPDATE res_partner p SET channel_parent_id = r.partner_id
                 FROM crm_loyalty_territory t
                 JOIN crm_loyalty_territory_partner_rel r ON r.territory_id = t.id
                WHERE t.company_id = %s AND p.id = p.commercial_partner_id AND p.channel_role IS NULL
                  AND p.channel_parent_id IS NULL AND p.id <> r.partner_id AND p.id %% 5 = 0
                  AND (p.channel_territory_id ->> %s)::int = t.id""",
            [self.company.id, str(self.company.id)])
        served = self.cr.rowcount
        self.cr.execute("UPDATE res_partner c SET channel_parent_id = p.channel_parent_id FROM res_partner p "
                        "WHERE c.commercial_partner_id = p.id AND c.id <> p.id AND p.channel_parent_id IS NOT NULL")
        self.env.invalidate_all()
        # cross-territory sales: customers of the South China territory sold through the
        # East China distributor, and the US distributor delivering to New York
        south = Territory.search([('company_id', '=', self.company.id), ('name', '=', 'South China')])
        east, _south, _west, _euro, pacific = self.distributors
        poached = self.env['res.partner'].search([
            ('channel_territory_id', '=', south.id), ('is_company', '=', True), ('channel_role', '=', False),
            ('channel_parent_id', '=', False)], limit=3, order='id')
        poached.write({'channel_parent_id': east.id})
        depot = self.env['res.partner'].search([('name', '=', 'Pacific Leaf — New York depot')], limit=1) \
            or self.env['res.partner'].create({
                'name': 'Pacific Leaf — New York depot', 'parent_id': pacific.id, 'type': 'delivery',
                'country_id': self.env.ref('base.us').id, 'state_id': self.env.ref('base.state_us_27').id,
                'city': 'New York', 'zip': '10001'})
        sales = [(customer, customer) for customer in poached] + [(pacific, depot), (self.reseller, self.reseller)]
        user_id, team_id, _team = self.salespeople[0]
        for customer, shipping in sales:
            order = self.env['sale.order'].create({
                'partner_id': customer.id, 'partner_shipping_id': shipping.id, 'user_id': user_id,
                'team_id': team_id,
                'order_line': [(0, 0, {'product_id': self.products[16].id, 'product_uom_qty': 5})],
            })
            order.action_confirm()
        conflicts = self.env['crm.loyalty.channel.conflict'].search_count([('company_id', '=', self.company.id)])
        # the monthly grade review, so that its proposals wait for a manager
        self.env['crm.loyalty.channel.grade.review']._run_review(self.company, as_of=self.as_of)
        return served, conflicts

    def setup_showcase(self):
        """A customer made the ordinary way, whose rows serve as templates for the bulk."""
        partner = self.env['res.partner'].search([('name', '=', SHOWCASE)], limit=1)
        if partner:
            raise SystemExit(f"This database already has demo data (customer {SHOWCASE!r}).")
        user_id, team_id, _team = self.salespeople[0]
        partner = self.env['res.partner'].create({
            'name': SHOWCASE, 'is_company': True, 'street': '88 Xihu Avenue', 'city': 'Hangzhou',
            'zip': '310002', 'country_id': self.env.ref('base.cn').id,
            'state_id': self.env.ref('base.state_cn_ZJ').id, 'email': 'orders@lotus-tea.example.com',
            'phone': '+86 571 8700 1234', 'user_id': user_id,
        })
        self.env['res.partner'].create({'name': 'Zhou Min', 'parent_id': partner.id, 'type': 'contact',
                                        'email': 'zhou.min@lotus-tea.example.com'})
        order = None
        for days_ago, lines in ((700, [(0, 10), (9, 2)]), (420, [(1, 6)]), (35, [(14, 20), (2, 4)])):
            order = self.env['sale.order'].create({
                'partner_id': partner.id, 'user_id': user_id, 'team_id': team_id,
                'order_line': [(0, 0, {'product_id': self.products[p].id, 'product_uom_qty': q}) for p, q in lines],
            })
            order.action_confirm()
            order.date_order = datetime.combine(self.as_of - timedelta(days=days_ago), datetime.min.time()) \
                + timedelta(hours=10)
        # its figures follow the dates set above (the confirmation saw today's date)
        self.env['crm.loyalty.engine']._refresh_partners(partner)
        self.env.flush_all()
        partner_template = template_row(self.cr, 'res_partner', partner.id)
        for name, field in self.env['res.partner']._fields.items():
            # generated customers start with no loyalty figure of their own
            if field._module == 'crm_loyalty' and field.company_dependent and name in partner_template:
                partner_template[name] = None
        self.templates = {
            'res_partner': partner_template,
            'sale_order': template_row(self.cr, 'sale_order', order.id),
            'sale_order_line': template_row(self.cr, 'sale_order_line', order.order_line[0].id),
        }

    # --- generated people ---------------------------------------------------------------
    def setup_tiers(self):
        """Four tiers at round figures near the 40th, 70th, 90th and 98th percentiles of
        the customers' revenue of the last 12 months (none if the company has tiers)."""
        Tier = self.env['crm.loyalty.tier']
        if Tier.search_count([('company_id', '=', self.company.id)]):
            return
        self.cr.execute("""
            SELECT PERCENTILE_DISC(ARRAY[0.4, 0.7, 0.9, 0.98]) WITHIN GROUP (ORDER BY revenue)
              FROM (SELECT SUM(so.amount_untaxed) AS revenue
                      FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                     WHERE so.state = 'sale' AND so.company_id = %s
                       AND so.date_order >= %s::date - INTERVAL '12 months'
                     GROUP BY p.commercial_partner_id) r
        """, (self.company.id, self.as_of))
        cuts = self.cr.fetchone()[0] or [1000, 5000, 20000, 50000]
        tiers = [('Bronze', '青铜', 'reactive', 0), ('Silver', '白银', 'accountable', 1),
                 ('Gold', '黄金', 'proactive', 2), ('Platinum', '铂金', 'partnership', 4)]
        previous = 0
        for (name, name_zh, level, color), cut in zip(tiers, cuts, strict=True):
            value = float(f"{float(cut):.2g}")
            value = max(value, previous + 1)
            previous = value
            tier = Tier.create({'name': name, 'min_value': value, 'relationship_level': level,
                                'color': color, 'company_id': self.company.id})
            if self.zh:
                tier.with_context(lang='zh_CN').name = name_zh

    def setup_feedback(self, share=0.2):
        """Satisfaction answers for a share of the scored customers, more satisfied the more
        recently and often they buy, plus a few open requests and a few expired ones."""
        rng = self.rng
        self.cr.execute("""SELECT id, (rfm_r_score ->> %s)::int, (rfm_f_score ->> %s)::int FROM res_partner
                            WHERE id = commercial_partner_id AND (rfm_r_score ->> %s)::int > 0 ORDER BY id""",
                        [str(self.company.id)] * 3)
        customers = self.cr.fetchall()
        chosen = rng.sample(customers, int(len(customers) * share))
        now = datetime.combine(self.as_of, datetime.min.time()) + timedelta(hours=11)
        channels = ['email', 'email', 'phone', 'visit', 'web']
        values = []
        for partner_id, r, f in chosen:
            mood = (r + f) / 2          # 1 (lost) .. 5 (champion)
            for _answer in range(rng.choice([1, 1, 2, 3])):
                score = min(5, max(1, round(rng.gauss(1.5 + mood * 0.65, 0.9))))
                nps = min(10, max(0, round(rng.gauss(score * 2 - 0.5, 1.5)))) if rng.random() < 0.8 else None
                values.append({
                    'partner_id': partner_id, 'score': str(score), 'nps': nps is not None and str(nps),
                    'channel': rng.choice(channels),
                    'date': now - timedelta(days=rng.randint(0, 540), hours=rng.randint(0, 8)),
                })
        feedback = self.env['crm.loyalty.feedback']
        feedback.create([v for v in values if v['channel'] != 'web'])
        # answers on the customer's page: only the page may record those
        from odoo.addons.crm_loyalty.models.access import from_code  # once the addons are loaded
        from_code(feedback, 'crm_loyalty_page').create([v for v in values if v['channel'] == 'web'])
        requests = feedback.create([{'partner_id': partner_id, 'channel': 'email'}
                                    for partner_id, _r, _f in rng.sample(customers, len(chosen) // 4)])
        requests[: len(requests) // 3].write({'state': 'expired'})
        return len(values) + len(requests)

    def setup_birthdays(self, share=0.4):
        """Birthdays for a share of the private customers, a few of them in three days of the
        company's day (the demo's birthday rule has someone to wish)."""
        from odoo.addons.crm_loyalty.models.local_day import company_today  # once the addons are loaded
        rng, today = self.rng, company_today(self.company)
        self.cr.execute("""SELECT id FROM res_partner
                            WHERE NOT is_company AND customer_rank > 0 AND parent_id IS NULL ORDER BY id""")
        people = [row[0] for row in self.cr.fetchall()]
        chosen = rng.sample(people, int(len(people) * share))
        birthdays = []
        for index, partner_id in enumerate(chosen):
            year = today.year - rng.randint(22, 70)
            day = (today + timedelta(days=3 if index < 5 else rng.randint(0, 364))).replace(year=2000)
            birthdays.append((partner_id, date(year, day.month, min(day.day, 28 if day.month == 2 else day.day))))
        self.cr.execute("""UPDATE res_partner p SET birthday = b.birthday
                             FROM (SELECT * FROM unnest(%s::int[], %s::date[])) AS b (id, birthday)
                            WHERE p.id = b.id""", [[b[0] for b in birthdays], [b[1] for b in birthdays]])
        self.env['res.partner'].invalidate_model(['birthday'])
        return len(birthdays)

    def setup_relationship_value(self, share=0.1):
        """The relationship value's inputs a real company would have entered: a default annual
        wallet for the distributors' tag, a salesperson's estimate for a share of the company
        customers (a few times what they spend), and referrals between customers. Returns
        (estimates, referrals)."""
        rng = self.rng
        tag = self.env['res.partner.category'].search([('name', '=', 'Distributor')], limit=1)
        if tag and not self.env['crm.loyalty.wallet.default'].search([('category_id', '=', tag.id)]):
            self.env['crm.loyalty.wallet.default'].create({'category_id': tag.id, 'amount': 2_000_000})
        self.cr.execute("""SELECT p.id, COALESCE(SUM(o.amount_untaxed), 0) FROM res_partner p
                             JOIN sale_order o ON o.partner_id = p.id AND o.state = 'sale'
                            WHERE p.customer_rank > 0 AND p.parent_id IS NULL AND p.channel_role IS NULL
                            GROUP BY p.id ORDER BY p.id""")
        buyers = self.cr.fetchall()
        estimated = rng.sample(buyers, int(len(buyers) * share))
        Partner = self.env['res.partner']
        admin = self.env.ref('base.user_admin')
        for partner_id, spent in estimated:
            partner = Partner.browse(partner_id)
            # entered by his salesperson, who the form names as its author
            partner.with_user(partner.user_id or admin).sudo().loyalty_wallet_estimate = \
                round(max(spent, 1000) * rng.uniform(1.2, 6), -2)
        ids = [partner_id for partner_id, _spent in buyers]
        referred = rng.sample(ids, int(len(ids) * share / 2))
        for partner_id in referred:
            referrer = rng.choice(ids)
            if referrer != partner_id:
                Partner.browse(partner_id).loyalty_referred_by_id = referrer
        return len(estimated), len(referred)

    def setup_care(self):
        """The demo's care rules, each with its "What to do" line, run once (today, as the
        hourly job would)."""
        Rule = self.env['crm.loyalty.care.rule']
        call = self.env.ref('mail.mail_activity_data_call')
        rules = Rule.search([('company_id', '=', self.company.id)])
        if not rules:
            rules = Rule.create([{
                'name': name, 'trigger': trigger, 'days': days, 'holdout_percent': holdout,
                'company_id': self.company.id, 'user_id': self.env.ref('base.user_admin').id,
                'step_ids': [(0, 0, {'kind': 'activity', 'activity_type_id': call.id, 'activity_summary': summary,
                                     'activity_days': 1, 'activity_assignee': 'salesperson'})],
            } for name, _zh, trigger, days, holdout, summary in CARE_RULES])
            if self.zh:
                for rule, (_name, zh, *_rest) in zip(rules, CARE_RULES, strict=True):
                    rule.with_context(lang='zh_CN').name = zh
        for rule in rules:
            rule._run()
        return self.env['crm.loyalty.care.action'].search_count([('rule_id', 'in', rules.ids)])

    def setup_complaints(self):
        """Complaints and suggestions in every state, from customers who bought."""
        rng = self.rng
        self.cr.execute("""SELECT DISTINCT p.id, p.lang FROM res_partner p JOIN sale_order so ON so.partner_id = p.id
                            WHERE so.state = 'sale' AND so.company_id = %s AND p.id = p.commercial_partner_id
                              AND p.channel_role IS NULL ORDER BY p.id""", [self.company.id])
        customers = rng.sample(self.cr.fetchall(), len(COMPLAINTS))
        Complaint = self.env['crm.loyalty.complaint']
        complaints = Complaint
        for (partner_id, lang), (subject, subject_zh, kind, severity, category, state) in zip(
                customers, COMPLAINTS, strict=True):
            complaint = Complaint.create({
                'partner_id': partner_id, 'kind': kind, 'severity': severity,
                'subject': subject_zh if lang == 'zh_CN' else subject,
                'category_id': self.env.ref(f'crm_loyalty.complaint_category_{category}').id,
                'company_id': self.company.id,
            })
            if state != 'new':
                complaint.action_start()
            if state in ('resolved', 'closed'):
                complaint.resolution = "<p>Replaced at our cost and apologised.</p>"
                complaint.action_resolve()
            if state == 'closed':
                complaint.action_close()
            complaints |= complaint
        return len(complaints)

    def person_name(self, chinese):
        rng = self.rng
        if chinese:
            return rng.choice(CN_SURNAMES) + ''.join(rng.choice(CN_GIVEN) for _ in range(rng.choice((1, 2))))
        return f"{rng.choice(WEST_FIRST)} {rng.choice(WEST_LAST)}"

    def company_name(self, chinese, city):
        rng = self.rng
        if chinese:
            return f"{city}{rng.choice(CN_COMPANY_WORDS)}{rng.choice(CN_COMPANY_KINDS)}"
        return f"{rng.choice(WEST_COMPANY_WORDS)} {rng.choice(WEST_COMPANY_KINDS)}"

    def address(self, region):
        country, _state, city, zip_prefix, _w = region
        rng = self.rng
        number = rng.randint(1, 999)
        if country == 'cn':
            return f"{rng.choice(CN_STREETS)}{number}号", city, zip_prefix + f"{rng.randint(0, 999):03d}"
        return f"{number} {rng.choice(WEST_STREETS)}", city, zip_prefix + f"{rng.randint(0, 99):02d}"

    def phone(self, country):
        rng = self.rng
        prefix = {'cn': '+86 13', 'us': '+1 415', 'de': '+49 89', 'fr': '+33 1', 'uk': '+44 20', 'sg': '+65 6'}
        return f"{prefix[country]}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"

    # --- purchase histories -------------------------------------------------------------
    def purchase_dates(self, archetype, count):
        """Purchase dates of one customer, oldest first, following his archetype: at most
        one purchase a day, and at most one every other day on average."""
        rng = self.rng
        _name, _share, _freq, (last_min, last_max) = next(a for a in ARCHETYPES if a[0] == archetype)
        last = self.as_of - timedelta(days=rng.randint(last_min, last_max))
        available = HISTORY_DAYS - (self.as_of - last).days
        count = min(count, max(1, available // 2))
        if count == 1:
            return [last]
        span = rng.randint(min(max(60, 15 * count), available), available)
        first = last - timedelta(days=span)
        dates = {first, last}
        while len(dates) < count:
            day = first + timedelta(days=rng.randint(0, span))
            if rng.random() * 1.5 < SEASON[day.month - 1]:
                dates.add(day)
        return sorted(dates)

    def plan(self):
        """(archetype, order count) per customer, adding up to the requested orders."""
        rng = self.rng
        names = [a[0] for a in ARCHETYPES]
        weights = [a[1] for a in ARCHETYPES]
        freq = {a[0]: a[2] for a in ARCHETYPES}
        archetypes = rng.choices(names, weights, k=self.n_customers)
        spread = [rng.lognormvariate(0, 0.5) * freq[a] for a in archetypes]
        repeat_orders = self.n_orders - archetypes.count('one_time')
        scale = max(repeat_orders, 0) / (sum(spread) or 1)
        counts = [1 if a == 'one_time' else max(2, round(s * scale)) for a, s in zip(archetypes, spread, strict=True)]
        return list(zip(archetypes, counts, strict=True))

    def generate(self):
        started = time.time()
        rng = self.rng
        # The rows are consistent by construction: skip the per-row foreign key triggers
        # where the role may (a superuser, as in the tooling's own cluster).
        self.cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = self.cr.fetchone()[0]
        if superuser:
            self.cr.execute("SET LOCAL session_replication_role = replica")
        plan = self.plan()
        n_companies = sum(1 for _ in range(self.n_customers) if rng.random() < 0.35)
        company_flags = [i < n_companies for i in range(self.n_customers)]
        rng.shuffle(company_flags)
        n_contacts = sum(company_flags)
        first_partner = reserve_ids(self.cr, 'res_partner', self.n_customers + n_contacts)
        regions = rng.choices(REGIONS, [r[4] for r in REGIONS], k=self.n_customers)
        state_ids = {r[1]: self.env.ref(r[1]).id for r in REGIONS if r[1]}
        country_ids = {code: self.env.ref(f'base.{code}').id for code in {r[0] for r in REGIONS}}
        now = datetime.now().replace(microsecond=0)

        partners, contacts, buyers = [], [], []
        next_contact = first_partner + self.n_customers
        for i in range(self.n_customers):
            pid = first_partner + i
            region = regions[i]
            country = region[0]
            chinese = country == 'cn' or (country == 'sg' and rng.random() < 0.7)
            is_company = company_flags[i]
            name = self.company_name(chinese, region[2]) if is_company else self.person_name(chinese)
            street, city, zip_code = self.address(region)
            user_id, team_id, team_name = rng.choice(
                [s for s in self.salespeople if (s[2] == 'China Sales') == (country == 'cn')])
            email = f"customer{pid}@{'example.cn' if country == 'cn' else 'example.com'}"
            phone = self.phone(country)
            archetype, count = plan[i]
            dates = self.purchase_dates(archetype, count)
            created = datetime.combine(dates[0] - timedelta(days=rng.randint(0, 60)), datetime.min.time())
            lang = 'zh_CN' if chinese and self.zh else 'en_US'
            partners.append({
                'id': pid, 'name': name, 'complete_name': name, 'commercial_partner_id': pid,
                'commercial_company_name': name if is_company else None, 'is_company': is_company,
                'parent_id': None, 'type': 'contact', 'street': street, 'street2': None, 'city': city,
                'zip': zip_code, 'state_id': state_ids.get(region[1]), 'country_id': country_ids[country],
                'email': email, 'email_normalized': email, 'phone': phone,
                'phone_sanitized': phone.replace(' ', ''), 'lang': lang, 'user_id': user_id,
                'customer_rank': 1, 'create_date': created, 'write_date': now,
                'ref': None, 'function': None, 'comment': None, 'website': None, 'vat': None,
            })
            ordering = [pid]
            if is_company:
                cname = self.person_name(chinese)
                cemail = f"contact{next_contact}@{'example.cn' if country == 'cn' else 'example.com'}"
                contacts.append({
                    **partners[-1], 'id': next_contact, 'name': cname, 'complete_name': f"{name}, {cname}",
                    'commercial_partner_id': pid, 'commercial_company_name': name, 'is_company': False,
                    'parent_id': pid, 'email': cemail, 'email_normalized': cemail, 'customer_rank': 0,
                    'function': rng.choice(['Purchasing Manager', 'Owner', 'Office Manager', '采购经理', '总经理']),
                })
                ordering.append(next_contact)
                next_contact += 1
            spend = rng.lognormvariate(5.3 if is_company else 4.3, 0.6)
            buyers.append((ordering, dates, spend, user_id, team_id))

        count_partners = copy_rows(self.cr, 'res_partner', self.templates['res_partner'], partners + contacts)
        order_count, line_count = self.load_orders(buyers)
        if superuser:
            self.cr.execute("SET LOCAL session_replication_role = DEFAULT")
        self.env.invalidate_all()
        self.cr.execute('ANALYZE res_partner, sale_order, sale_order_line')
        return count_partners, order_count, line_count, time.time() - started

    def load_orders(self, buyers):
        """Orders and lines: Python streams only what varies (who, when, what, how many)
        into temporary tables; PostgreSQL derives the rest set-based while copying the
        template rows' other columns."""
        rng = self.rng
        products = [(p.id, p.list_price) for p in self.products]
        events = []
        for ordering, dates, spend, user_id, team_id in buyers:
            favourites = rng.sample(range(len(products)), 4)
            events.extend((day, rng.choice(ordering), spend, favourites, user_id, team_id) for day in dates)
        events.sort(key=lambda e: e[0])
        total = len(events)
        first_order = reserve_ids(self.cr, 'sale_order', total)
        sequence = self.env['ir.sequence'].search([('code', '=', 'sale.order')], limit=1)
        first_number = sequence.number_next_actual
        sequence.number_next_actual = first_number + total
        prefix, padding = sequence.prefix or 'S', sequence.padding or 5

        self.cr.execute("""
            CREATE TEMP TABLE demo_order (id int, name varchar, partner_id int, date_order timestamp,
                                          state varchar, user_id int, team_id int) ON COMMIT DROP;
            CREATE TEMP TABLE demo_line (order_id int, sequence int, product_id int,
                                         qty numeric, price_unit numeric) ON COMMIT DROP;
        """)
        orders, lines = io.StringIO(), io.StringIO()
        for n, (day, partner_id, spend, favourites, user_id, team_id) in enumerate(events):
            oid = first_order + n
            recent = (self.as_of - day).days
            draw = rng.random()
            state = 'cancel' if draw < 0.03 else 'draft' if recent < 45 and draw < 0.15 else 'sale'
            # from 07:00 to 01:59 the next night in Shanghai (UTC+8), stored in UTC: orders
            # after midnight there are of the previous day in UTC
            moment = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=rng.randint(7, 25) - 8, minutes=rng.randint(0, 59))
            orders.write(f"{oid}\t{prefix}{first_number + n:0{padding}d}\t{partner_id}\t{moment}"
                         f"\t{state}\t{user_id}\t{team_id}\n")
            for seq in range(rng.choice((1, 1, 2, 2, 3, 4))):
                pid, price = products[rng.choice(favourites) if rng.random() < 0.7
                                      else rng.randrange(len(products))]
                qty = max(1, round(rng.lognormvariate(math.log(max(spend / price, 1)), 0.5)))
                lines.write(f"{oid}\t{10 + seq}\t{pid}\t{qty}\t{price}\n")
        orders.seek(0)
        lines.seek(0)
        self.cr.copy_expert("COPY demo_order FROM STDIN", orders)
        self.cr.copy_expert("COPY demo_line FROM STDIN", lines)
        self.cr.execute("CREATE TEMP TABLE demo_product (id int, display_name varchar, uom_id int) ON COMMIT DROP")
        self.cr.execute_values("INSERT INTO demo_product VALUES %s",
                               [(p.id, p.display_name, p.uom_id.id) for p in self.products])
        self.cr.execute("ANALYZE demo_order; ANALYZE demo_line")

        sold = "o.state = 'sale'"
        subtotal = "round(l.qty * l.price_unit, 2)"
        insert_from_template(self.cr, 'sale_order', self.templates['sale_order'], {
            'id': 'o.id', 'name': 'o.name',
            'state': 'o.state', 'partner_id': 'o.partner_id', 'partner_invoice_id': 'o.partner_id',
            'partner_shipping_id': 'o.partner_id', 'date_order': 'o.date_order',
            'create_date': 'o.date_order', 'write_date': 'o.date_order', 'user_id': 'o.user_id',
            'team_id': 'o.team_id', 'validity_date': "(o.date_order + interval '30 days')::date",
            'amount_untaxed': 'a.untaxed', 'amount_tax': '0', 'amount_total': 'a.untaxed',
            'invoice_status': f"CASE WHEN {sold} THEN 'to invoice' ELSE 'no' END",
            'origin': 'NULL', 'client_order_ref': 'NULL', 'access_token': 'NULL', 'reference': 'NULL',
            'signed_by': 'NULL', 'signed_on': 'NULL', 'currency_rate': '1.0', 'locked': 'false',
        }, f"""demo_order o JOIN (SELECT l.order_id, sum({subtotal}) AS untaxed FROM demo_line l
                                  GROUP BY l.order_id) a ON a.order_id = o.id""")
        insert_from_template(self.cr, 'sale_order_line', self.templates['sale_order_line'], {
            'id': "nextval('sale_order_line_id_seq')", 'order_id': 'o.id', 'sequence': 'l.sequence',
            'name': 'p.display_name', 'product_id': 'l.product_id', 'product_uom': 'p.uom_id',
            'product_uom_qty': 'l.qty', 'price_unit': 'l.price_unit', 'technical_price_unit': 'l.price_unit',
            'discount': '0', 'price_subtotal': subtotal, 'price_tax': '0', 'price_total': subtotal,
            'price_reduce_taxexcl': 'l.price_unit', 'price_reduce_taxinc': 'l.price_unit', 'state': 'o.state',
            'order_partner_id': 'o.partner_id', 'salesman_id': 'o.user_id',
            'qty_delivered': f"CASE WHEN {sold} THEN l.qty ELSE 0 END", 'qty_delivered_method': "'manual'",
            'qty_invoiced': '0', 'qty_to_invoice': f"CASE WHEN {sold} THEN l.qty ELSE 0 END",
            'invoice_status': f"CASE WHEN {sold} THEN 'to invoice' ELSE 'no' END",
            'untaxed_amount_invoiced': '0',
            'untaxed_amount_to_invoice': f"CASE WHEN {sold} THEN {subtotal} ELSE 0 END",
            'create_date': 'o.date_order', 'write_date': 'o.date_order',
        }, "demo_line l JOIN demo_order o ON o.id = l.order_id JOIN demo_product p ON p.id = l.product_id",
            order_by="o.id, l.sequence")
        self.cr.execute("SELECT count(*) FROM demo_line")
        return total, self.cr.fetchone()[0]


def insert_from_template(cr, table, template, expressions, source, order_by="1"):
    """INSERT INTO table SELECT ... FROM source: each column from its SQL expression, or
    else copied from the template row (alias t)."""
    columns = list(template)
    select = ", ".join(expressions.get(c, f't."{c}"') for c in columns)
    unknown = set(expressions) - set(columns)
    if unknown:
        raise ValueError(f"{table} has no columns {sorted(unknown)}")
    cr.execute(f"""INSERT INTO "{table}" ({", ".join(f'"{c}"' for c in columns)})
                   SELECT {select} FROM {source} CROSS JOIN "{table}" t WHERE t.id = %s
                   ORDER BY {order_by}""", [template['id']])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--customers', type=int, default=2000)
    parser.add_argument('--orders', type=int, default=20000)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--loyalty', action='store_true',
                        help="also create tiers from the revenue distribution, run the loyalty engine and "
                             "build the snapshots of the past months")
    parser.add_argument('--as-of', type=date.fromisoformat,
                        default=datetime.now(ZoneInfo(DEMO_TZ)).date(),
                        help="the day the history ends (default: today in the demo company's time zone)")
    args, odoo_args = parser.parse_known_args()
    if args.customers < 1 or args.orders < args.customers:
        parser.error("need at least one customer and at least one order per customer")
    sys.path.insert(0, os.environ['ODOO_SRC'])
    import odoo  # importable once ODOO_SRC is on the path
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config([a for a in odoo_args if a != '--'], setup_logging=True)
    with Registry(odoo.tools.config['db_name']).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        gen = Generator(env, args.customers, args.orders, args.seed, args.as_of)
        started = time.time()
        gen.setup_company()
        gen.setup_languages()
        gen.setup_sales_force()
        gen.setup_products()
        gen.setup_distributors()
        gen.setup_showcase()
        partners, orders, lines, bulk_seconds = gen.generate()
        served, conflicts = gen.setup_channel()
        print(f"channel: {len(gen.distributors)} distributors, {served} customers served through them, "
              f"{conflicts} conflicts")
        env['ir.config_parameter'].set_param(
            'crm_loyalty.demo_data', f"{args.customers} customers, {args.orders} orders, seed {args.seed}")
        estimates, referrals = gen.setup_relationship_value()
        print(f"relationship value: {estimates} wallet estimates, {referrals} referrals")
        if args.loyalty:
            cr.commit()
            gen.setup_tiers()
            engine_started = time.time()
            written = env['crm.loyalty.engine']._recompute(as_of=args.as_of)
            print(f"loyalty engine: {written} customers scored in {time.time() - engine_started:.1f} s")
            backfill_started = time.time()
            env['crm.loyalty.engine']._start_backfill(gen.company, trigger=False)
            months, _left = env['crm.loyalty.engine']._backfill_steps()
            print(f"loyalty snapshots: {months} past months built in {time.time() - backfill_started:.1f} s")
            # once more, now that the past months' snapshots give the revenue's growth
            env['crm.loyalty.engine']._recompute(as_of=args.as_of)
            answers = gen.setup_feedback()
            print(f"satisfaction: {answers} answers and requests")
        print(f"care: {gen.setup_birthdays()} birthdays, {gen.setup_complaints()} complaints, "
              f"{gen.setup_care()} care actions logged by the demo's rules")
    print(f"demo data: {partners} partners ({args.customers} customers), {orders} orders, "
          f"{lines} order lines loaded in {time.time() - started:.1f} s (bulk load {bulk_seconds:.1f} s)")


if __name__ == '__main__':
    main()
