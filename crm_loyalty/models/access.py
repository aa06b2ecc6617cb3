"""Who may do what: the checks every public method and every write of a computed figure use.

Odoo's web client lets any logged-in user call any public method of any model over RPC
(``/web/dataset/call_kw``) and write any stored field of a record he may write. So a
public method checks its caller itself, and the fields the addon computes (figures,
audit trails, tokens) are written by its own code only: in superuser mode, which no RPC
call can reach, after the code has checked the caller.
"""
from odoo.exceptions import AccessError

LOYALTY_USER = 'crm_loyalty.group_loyalty_user'
LOYALTY_MANAGER = 'crm_loyalty.group_loyalty_manager'
SYSTEM = 'base.group_system'

# The value of a context flag that only the addon's code can set: an object, which no RPC
# call can send (JSON carries text, numbers, lists and dicts only), unlike ``True``.
_FROM_CODE = object()


def from_code(records, flag):
    """``records`` with the context ``flag`` (a key) set as only the addon's code can:
    the partner merge, the grade review, the customer's page, the crons' commit modes."""
    return records.with_context(**{flag: _FROM_CODE})


def is_from_code(env, flag):
    """Whether the context of ``env`` carries ``flag`` set by :func:`from_code`."""
    return env.context.get(flag) is _FROM_CODE


def check_group(env, group, message=None):
    """Raise AccessError unless the user of ``env`` (or superuser mode) has ``group``
    (an XML id, e.g. ``LOYALTY_MANAGER``)."""
    if env.su or env.user.has_group(group):
        return
    if message is None:
        env = reader_env(env)
        if group == LOYALTY_USER:
            message = env._("Only loyalty users can do this.")
        elif group == LOYALTY_MANAGER:
            message = env._("Only loyalty administrators can do this.")
        elif group == SYSTEM:
            message = env._("Only system administrators can do this.")
        else:
            message = env._("You are not allowed to do this.")
    raise AccessError(message)


def reader_env(env):
    """``env`` in the language of its user when the call named none (an external RPC
    call without a context): the user reads the error in his language."""
    return env if env.context.get('lang') else env(context=dict(env.context, lang=env.user.lang))


def check_system_fields(records, vals_list, protected):
    """Raise AccessError when a user (not superuser mode) sets any of ``protected`` (a
    frozenset of field names) on ``records``: figures, audit fields and tokens that only the
    addon's code sets. ``vals_list``: the values of ``create``, or ``[vals]`` of ``write``."""
    forbidden = sorted(protected.intersection(name for vals in vals_list for name in vals))
    if not forbidden or records.env.su:
        return
    env = reader_env(records.env)
    labels = ", ".join(records._fields[name]._description_string(env) for name in forbidden)
    raise AccessError(env._("These fields of %(model)s are set by Customer Loyalty itself and cannot be "
                        "changed by hand: %(fields)s.",
                        model=env['ir.model']._get(records._name).name, fields=labels))
