"""Errors of the booking service, understood by every channel."""

from odoo.exceptions import UserError, ValidationError


class BookingValidationError(ValidationError):
    """Input that cannot be booked; ``fields`` maps field names to messages."""

    def __init__(self, fields):
        self.fields = dict(fields)
        super().__init__("\n".join(f"{message}" for message in self.fields.values()))


class SlotUnavailableError(UserError):
    """The slot is taken (or outside availability); ``alternatives`` are free ``(start, end)`` slots."""

    def __init__(self, message, alternatives=()):
        self.alternatives = list(alternatives)
        super().__init__(message)


class BookingBusyError(UserError):
    """The database kept meeting concurrent transactions, even after Odoo's retries: try again shortly.

    Channels answer it as "busy" (HTTP 503 with ``Retry-After``), never as a server error.
    """

    def __init__(self, message, retry_after=5):
        self.retry_after = retry_after
        super().__init__(message)


class BookingLinkError(BookingValidationError):
    """A personal booking link that cannot be used (unknown, expired, used or withdrawn): nothing is booked.

    A validation error under the key ``link`` (no form field), so every channel already answers it.
    """

    def __init__(self, message):
        super().__init__({"link": message})
