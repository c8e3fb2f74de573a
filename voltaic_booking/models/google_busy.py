from odoo import fields, models


class VoltaicGoogleBusy(models.Model):
    """A busy period of a consultant read from Google Calendar's free/busy answer.

    Rows are replaced per consultant and calendar at every refresh; availability
    subtracts them like bookings and meetings.
    """

    _name = "voltaic.google.busy"
    _description = "Busy Time from Google Calendar"
    _order = "consultant_id, start"
    _rec_name = "calendar"

    consultant_id = fields.Many2one("voltaic.consultant", required=True, ondelete="cascade", index=True)
    calendar = fields.Char(required=True, help="Google calendar the busy time comes from.")
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)

    _consultant_start_idx = models.Index("(consultant_id, start, stop)")
    _stop_after_start = models.Constraint("CHECK(stop > start)", "A busy period must end after it starts.")
