from . import test_install
from . import test_company_settings
from . import test_lib_clv
from . import test_translations
from . import test_tours
from . import test_demo_data
from . import test_engine
from . import test_invoices
