"""The booking service as an HTTP request calls it: Odoo's retries first, never a 500 at the end."""

from odoo.exceptions import ConcurrencyError
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import BookingBusyError

TRIES_KEY = "voltaic_booking.tries"


def book_in_request(request, env, values):
    """``voltaic.booking._book(values)`` (``env`` as the channel's user), flushed.

    A concurrency error (serialization failure, deadlock, lock timeout) is left to Odoo, which
    redoes the whole request (``odoo.service.model.retrying``: the request object, and so the try
    counter in its WSGI environ, stays the same). On the last try the transaction is rolled back
    here and ``BookingBusyError`` raised: the channel answers 503 with ``Retry-After`` instead of
    Odoo's 500. The booking service's own locking does not cause such errors (see
    ``voltaic.booking._lock_consultant``); this is the guard for the rest (a client's partner or
    opportunity written by two requests at once, an overloaded database).
    """
    environ = request.httprequest.environ
    environ[TRIES_KEY] = tries = environ.get(TRIES_KEY, 0) + 1
    try:
        booking = env["voltaic.booking"]._book(values)
        env.flush_all()  # a write conflict surfaces here, not after the answer is built
        return booking
    except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
        if tries < MAX_TRIES_ON_CONCURRENCY_FAILURE:
            raise
        env.cr.rollback()
        env.transaction.reset()
        raise BookingBusyError(env._("Many bookings are being made right now. Please try again in a moment.")) \
            from None
