"""The booking service as an HTTP request calls it: Odoo's retries first, never a 500 at the end."""

from odoo.exceptions import ConcurrencyError
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import BookingBusyError

TRIES_KEY = "voltaic_booking.tries"


def service_in_request(request, env, work, busy_message):
    """``work()`` (a call of the booking service), flushed, with the busy guard of ``book_in_request``.

    ``busy_message`` is the message of the ``BookingBusyError`` raised when the last try still
    meets a concurrent writer.
    """
    environ = request.httprequest.environ
    environ[TRIES_KEY] = tries = environ.get(TRIES_KEY, 0) + 1
    try:
        result = work()
        env.flush_all()  # a write conflict surfaces here, not after the answer is built
        return result
    except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
        if tries < MAX_TRIES_ON_CONCURRENCY_FAILURE:
            raise
        env.cr.rollback()
        env.transaction.reset()
        raise BookingBusyError(busy_message) from None


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
    return service_in_request(
        request, env, lambda: env["voltaic.booking"]._book(values),
        env._("Many bookings are being made right now. Please try again in a moment."))


def change_in_request(request, booking, work):
    """``work()``, a change of ``booking`` by its client (``_reschedule``, ``action_cancel``), with the same
    guard: its lead, its meeting or the consultant's day may be written by another request at once."""
    env = booking.env
    return service_in_request(
        request, env, work, env._("Many bookings are being changed right now. Please try again in a moment."))
