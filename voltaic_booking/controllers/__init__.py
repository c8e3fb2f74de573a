from . import api
from . import api_team
from . import booking_page
from . import booking_page_team
from . import google_oauth
from . import portal
from . import booking_link
