from . import api, payment
