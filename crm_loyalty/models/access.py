"""Who may do what: the checks every public method and every write of a computed figure use.

Odoo's web client lets any logged-in user call any public method of any model over RPC
(``/web/dataset/call_kw``) and write any stored field of a record he may write. So a
public method checks its caller itself, and the fields the addon computes (figures,
audit trails, tokens) are written by its own code only: in superuser mode, which no RPC
call can reach, after the code has checked the caller.
"""
from odoo import _
from odoo.exceptions import AccessError

LOYALTY_USER = 'crm_loyalty.group_loyalty_user'
LOYALTY_MANAGER = 'crm_loyalty.group_loyalty_manager'
SYSTEM = 'base.group_system'


def check_group(env, group, message=None):
    """Raise AccessError unless the user of ``env`` (or superuser mode) has ``group``
    (an XML id, e.g. ``LOYALTY_MANAGER``)."""
    if env.su or env.user.has_group(group):
        return
    if message is None:
        message = {
            LOYALTY_USER: _("Only loyalty users can do this."),
            LOYALTY_MANAGER: _("Only loyalty administrators can do this."),
            SYSTEM: _("Only system administrators can do this."),
        }.get(group) or _("You are not allowed to do this.")
    raise AccessError(message)


def check_system_fields(records, field_names, protected):
    """Raise AccessError when a user (not superuser mode) sets any of ``protected`` (field
    names) on ``records``: figures, audit fields and tokens that only the addon's code
    sets. ``field_names``: the keys of the values being written or created."""
    forbidden = sorted(set(field_names) & set(protected))
    if not forbidden or records.env.su:
        return
    labels = ", ".join(records._fields[name]._description_string(records.env) for name in forbidden)
    raise AccessError(_("These fields of %(model)s are set by Customer Loyalty itself and cannot be "
                        "changed by hand: %(fields)s.",
                        model=records.env['ir.model']._get(records._name).name, fields=labels))
