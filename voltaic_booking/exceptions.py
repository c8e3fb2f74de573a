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
