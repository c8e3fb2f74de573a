from . import test_payments
from . import test_openapi_payment
from . import test_translations
from . import test_reporting_payments
from . import test_payment_mails
