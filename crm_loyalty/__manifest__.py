{
    'name': 'Customer Loyalty',
    'version': '18.0.1.0.0',
    'category': 'Sales/CRM',
    'summary': 'Loyalty tiers, satisfaction, relationship value, segments and churn risk '
               'from your sales history; automated customer care; channel partners',
    'author': 'crm_loyalty',
    'license': 'LGPL-3',
    'depends': ['contacts', 'mail', 'sale_management', 'crm'],
    'data': [
        'security/crm_loyalty_security.xml',
        'security/ir.model.access.csv',
        'data/ir_cron.xml',
        'data/crm_loyalty_feedback_data.xml',
        'data/crm_loyalty_complaint_data.xml',
        'views/res_partner_views.xml',
        'views/crm_loyalty_tier_views.xml',
        'views/crm_loyalty_feedback_views.xml',
        'views/crm_loyalty_feedback_templates.xml',
        'views/res_config_settings_views.xml',
        'wizard/crm_loyalty_survey_sample_views.xml',
        'views/crm_loyalty_menus.xml',
        'views/crm_loyalty_complaint_views.xml',
        'views/crm_loyalty_lost_views.xml',
        'wizard/crm_loyalty_mark_lost_views.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'crm_loyalty/static/src/tours/*.js',
        ],
    },
    'application': True,
    'installable': True,
}
