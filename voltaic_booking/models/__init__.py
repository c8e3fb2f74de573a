from . import (
    booking,
    booking_idempotency,
    calendar_event,
    consultant,
    consultant_expertise,
    crm_lead,
    request_throttle,
    res_config_settings,
)
