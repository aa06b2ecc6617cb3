from . import crm_loyalty_report_customer
from . import crm_loyalty_report_tier_migration
from . import crm_loyalty_report_trend
from . import crm_loyalty_dashboard
from . import crm_loyalty_report_cohort
