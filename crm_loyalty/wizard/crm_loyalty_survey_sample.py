from odoo import fields, models


class CrmLoyaltySurveySample(models.TransientModel):
    _name = 'crm.loyalty.survey.sample'
    _description = 'Survey a Sample of Customers'

    sample_size = fields.Integer(default=50)
