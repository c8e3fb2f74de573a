# Load order: the provider mapping (and its selection) first, then the consultant and booking
# extensions that use it, the inbox that turns deliveries into bookings, the reconciliation,
# the tombstones of deleted bookings and the settings.
from . import (
    provider_mapping,
    consultant_provider,
    booking_provider,
    webhook_inbox,
    provider_sync,
    booking_provider_push,
    provider_tombstone,
    res_config_settings,
)
