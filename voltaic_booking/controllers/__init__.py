from . import api
from . import booking_page
from . import google_oauth
from . import portal
from . import booking_link
