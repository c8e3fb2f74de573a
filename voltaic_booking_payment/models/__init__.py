# Load order: consultant and its duration lines (prices) before booking (holds, payment states),
# then what the client is told (e-mail kinds), the payment.transaction link, the analysis report and the settings.
from . import (
    consultant,
    consultant_duration,
    booking,
    booking_message,
    payment_transaction,
    booking_report,
    res_config_settings,
)
