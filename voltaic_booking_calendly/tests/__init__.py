from . import test_webhooks
from . import test_webhook_processing
from . import test_provider_sync
from . import test_webhooks_openapi
from . import test_translations
from . import test_provider_cancel
from . import test_provider_reschedule
from . import test_provider_schedule_button
