from . import test_signatures
from . import test_providers
from . import test_webhooks
from . import test_webhook_processing
from . import test_provider_sync
from . import test_webhooks_openapi
