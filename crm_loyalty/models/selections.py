"""Selection values shared by partners, snapshots and reports (public contract keys)."""

RELATIONSHIP_LEVELS = [
    ('basic', 'Basic'),
    ('reactive', 'Reactive'),
    ('accountable', 'Accountable'),
    ('proactive', 'Proactive'),
    ('partnership', 'Partnership'),
]

RFM_SEGMENTS = [
    ('champions', 'Champions'),
    ('loyal', 'Loyal'),
    ('potential_loyalist', 'Potential Loyalist'),
    ('new_customer', 'New Customer'),
    ('promising', 'Promising'),
    ('need_attention', 'Needs Attention'),
    ('about_to_sleep', 'About to Sleep'),
    ('at_risk', 'At Risk'),
    ('cannot_lose', 'Cannot Lose Them'),
    ('hibernating', 'Hibernating'),
    ('lost', 'Lost'),
]

ABC_CLASSES = [('a', 'A'), ('b', 'B'), ('c', 'C')]

LOYALTY_SEGMENTS = [
    ('loyal', 'Loyal'),
    ('latent', 'Latent Loyalty'),
    ('spurious', 'Spurious Loyalty'),
    ('none', 'No Loyalty'),
]

VALUE_SEGMENTS = [
    ('true_friend', 'True Friend'),
    ('butterfly', 'Butterfly'),
    ('barnacle', 'Barnacle'),
    ('stranger', 'Stranger'),
]

CHURN_RISKS = [('low', 'Low'), ('medium', 'Medium'), ('high', 'High')]

# Why a tier changed, stored as a code so that each reader sees it in his own language.
TIER_CHANGE_REASONS = [
    ('up', "Figure reached the tier's threshold"),
    ('down', "Figure stayed below the tier for the grace period"),
    ('override', "Set by hand"),
    ('override_end', "Override ended: back to the computed tier"),
]
