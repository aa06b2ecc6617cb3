from . import test_install
from . import test_company_settings
from . import test_tours
