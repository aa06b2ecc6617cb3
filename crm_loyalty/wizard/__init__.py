from . import crm_loyalty_survey_sample
from . import crm_loyalty_mark_lost
from . import crm_loyalty_handover
from . import crm_loyalty_export
