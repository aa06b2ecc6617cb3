"""Tier changes and grade reviews logged before they kept a reason code: the sentences the
engine and the grade log wrote (in English, or in Chinese when they ran in Chinese) become
their codes, read from now on in each user's language. A reason typed by a user stays."""

SET_BY_HAND = ("Set by hand", "手动设置")
TIER_REASONS = {
    'up': ("Figure reached the tier's threshold", "指标达到该等级门槛"),
    'down': ("Figure stayed below the tier for the grace period", "指标在整个宽限期内持续低于该等级"),
    'override_end': ("Override ended: back to the computed tier", "手动指定已结束：恢复为计算所得等级"),
}
REVIEW_REASONS = {
    'manual': SET_BY_HAND,
    'superseded': ("Superseded: the grade was set by hand.", "已失效：渠道等级已被手动设置。"),
}


def migrate(cr, version):
    for code, sentences in TIER_REASONS.items():
        cr.execute("""UPDATE crm_loyalty_tier_history SET reason_code = %s, reason = NULL
                       WHERE reason_code IS NULL AND reason = ANY(%s)""", [code, list(sentences)])
    # an override keeps the reason its administrator gave; "Set by hand" stood in for none
    cr.execute("""UPDATE crm_loyalty_tier_history
                     SET reason_code = 'override', reason = CASE WHEN reason = ANY(%s) THEN NULL ELSE reason END
                   WHERE reason_code IS NULL AND manual""", [list(SET_BY_HAND)])
    for code, sentences in REVIEW_REASONS.items():
        cr.execute("""UPDATE crm_loyalty_channel_grade_review SET reason_code = %s, reason = NULL
                       WHERE reason_code IS NULL AND reason = ANY(%s)""", [code, list(sentences)])
