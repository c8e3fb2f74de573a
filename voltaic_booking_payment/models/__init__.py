# Load order: consultant (prices) before booking (holds, payment states), then the
# payment.transaction link, the analysis report and the settings.
from . import consultant, booking, payment_transaction, booking_report, res_config_settings
