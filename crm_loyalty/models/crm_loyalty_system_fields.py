from odoo import api, models

from .access import check_system_fields


class CrmLoyaltySystemFieldsMixin(models.AbstractModel):
    """Fields that only Customer Loyalty's code sets (figures, audit fields, decisions):
    a model lists them in ``_loyalty_system_fields``; creating or writing them is refused to
    users (not to superuser mode, which no RPC call reaches)."""
    _name = 'crm.loyalty.system.fields.mixin'
    _description = 'Fields Set by Customer Loyalty Only'

    _loyalty_system_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, self._loyalty_system_fields)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], self._loyalty_system_fields)
        return super().write(vals)
