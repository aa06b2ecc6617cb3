"""Selection values shared by partners, snapshots and reports (public contract keys). The
segments' keys and their order are those of ``lib.segments``; their labels are here."""
from ..lib import segments


def labelled(keys, labels):
    """The selection of ``keys``, in their order, with their ``labels`` (one for each key)."""
    if set(labels) != set(keys):
        raise ValueError(f"labels for {sorted(labels)}, keys {sorted(keys)}")
    return [(key, labels[key]) for key in keys]


RELATIONSHIP_LEVELS = [
    ('basic', 'Basic'),
    ('reactive', 'Reactive'),
    ('accountable', 'Accountable'),
    ('proactive', 'Proactive'),
    ('partnership', 'Partnership'),
]

RFM_SEGMENTS = labelled(segments.RFM_SEGMENTS, {
    'champions': 'Champions',
    'loyal': 'Loyal',
    'potential_loyalist': 'Potential Loyalist',
    'new_customer': 'New Customer',
    'promising': 'Promising',
    'need_attention': 'Needs Attention',
    'about_to_sleep': 'About to Sleep',
    'at_risk': 'At Risk',
    'cannot_lose': 'Cannot Lose Them',
    'hibernating': 'Hibernating',
    'lost': 'Lost',
})

ABC_CLASSES = [('a', 'A'), ('b', 'B'), ('c', 'C')]

LOYALTY_SEGMENTS = labelled(segments.LOYALTY_SEGMENTS, {
    'loyal': 'Loyal',
    'latent': 'Latent Loyalty',
    'spurious': 'Spurious Loyalty',
    'none': 'No Loyalty',
})

VALUE_SEGMENTS = labelled(segments.VALUE_SEGMENTS, {
    'true_friend': 'True Friend',
    'butterfly': 'Butterfly',
    'barnacle': 'Barnacle',
    'stranger': 'Stranger',
})

CHURN_RISKS = [('low', 'Low'), ('medium', 'Medium'), ('high', 'High')]

# Why a tier changed, stored as a code so that each reader sees it in his own language.
TIER_CHANGE_REASONS = [
    ('up', "Figure reached the tier's threshold"),
    ('down', "Figure stayed below the tier for the grace period"),
    ('override', "Set by hand"),
    ('override_end', "Override ended: back to the computed tier"),
]
