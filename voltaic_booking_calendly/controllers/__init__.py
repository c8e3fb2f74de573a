from . import provider_embed, webhooks
