from . import api
from . import booking_page
from . import google_oauth
from . import payment
from . import portal
from . import provider_embed
from . import webhooks
