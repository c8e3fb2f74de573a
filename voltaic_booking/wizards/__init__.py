from . import slot_picker
from . import book_consultation, cancel_booking, reschedule_booking, send_booking_link
