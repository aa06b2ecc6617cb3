from . import res_company
from . import res_config_settings
from . import crm_loyalty_tier
from . import res_partner
from . import crm_loyalty_engine
from . import sale_order
from . import account_move
from . import base_partner_merge
