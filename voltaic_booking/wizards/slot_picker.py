from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import slots as slot_lib
from odoo.addons.base.models.res_partner import _tz_get

UTC = timezone.utc



class VoltaicBookingSlotPicker(models.AbstractModel):
    """Live slots of one consultant for a month, shown in the client's time zone.

    The options come from ``voltaic.consultant._get_slots``, the computation the
    website and the API use.
    """

    _name = "voltaic.booking.slot.picker"
    _description = "Consultation Slot Picker"

    consultant_id = fields.Many2one("voltaic.consultant")
    duration = fields.Selection(selection="_duration_selection")
    client_tz = fields.Selection(_tz_get, string="Client Time Zone", required=True)
    slot_date = fields.Date(
        string="Month Of", compute="_compute_slot_date", store=True, readonly=False,
        help="The free times of this day's month are offered (from today on), in the client's time zone; "
             "the picker opens on this day.")
    slot_options = fields.Json(compute="_compute_slot_options")
    slot_start = fields.Char(
        string="Time Slot", compute="_compute_slot_start", store=True, readonly=False,
        help="Start of the chosen slot (UTC, ISO 8601).")

    @api.model
    def _duration_selection(self):
        """The lengths of the consultants' duration lines (archived ones too, so that a booking's
        own length can be shown), as ``[("30", "30 minutes")]``."""
        durations = self.env["voltaic.consultant.duration"]._offered_durations(archived=True)
        return [(str(minutes), self.env._("%s minutes", minutes)) for minutes in durations]

    def _picker_consultant(self):
        return self.consultant_id

    def _picker_duration(self):
        return int(self.duration) if self.duration else 0

    def _picker_ignore_bookings(self):
        return self.env["voltaic.booking"]

    @api.depends("consultant_id", "duration", "client_tz")
    def _compute_slot_date(self):
        """Jump to the first day with a free slot (in the client's time zone)."""
        for wizard in self:
            consultant, duration = wizard._picker_consultant(), wizard._picker_duration()
            first = None
            if consultant and duration:
                first = consultant.sudo()._next_available(duration=duration).get(consultant.id)
            if first and duration in consultant._allowed_durations():
                wizard.slot_date = first.astimezone(wizard._client_zone()).date()
            elif not wizard.slot_date:
                wizard.slot_date = wizard._client_today()

    @api.depends("consultant_id", "duration", "client_tz", "slot_date")
    def _compute_slot_options(self):
        for wizard in self:
            wizard.slot_options = [
                {"value": slot_lib.to_utc_iso(start), "label": label, "day": day, "date": local_day.isoformat()}
                for start, label, day, local_day in wizard._picker_slots()
            ]

    @api.depends("slot_options")
    def _compute_slot_start(self):
        for wizard in self:
            if wizard.slot_start and wizard.slot_start not in {option["value"] for option in wizard.slot_options}:
                wizard.slot_start = False

    def _client_tz_name(self):
        return self.client_tz if slot_lib.is_valid_timezone(self.client_tz) else "UTC"

    def _client_zone(self):
        return ZoneInfo(self.client_tz) if slot_lib.is_valid_timezone(self.client_tz) else UTC

    def _client_today(self):
        """Today's date in the client's time zone (already tomorrow, or still yesterday, for the user)."""
        return datetime.now(UTC).astimezone(self._client_zone()).date()

    def _picker_month(self):
        """``(first day, last day)`` of ``slot_date``'s month, in the client's calendar."""
        first = self.slot_date.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first, last

    def _picker_slots(self):
        """``[(start_utc, time label, day label, local date)]`` of ``slot_date``'s month, in the client's zone
        and the user's language (``2:30 PM`` / ``14:30``)."""
        self.ensure_one()
        consultant, duration = self._picker_consultant(), self._picker_duration()
        if not (consultant and duration and self.slot_date):
            return []
        zone = self._client_zone()
        first, last = self._picker_month()
        first = max(first, self._client_today())
        if first > last:
            return []
        start, end = slot_lib.local_day_bounds(first, last, zone)
        free = consultant.sudo()._get_slots(
            start, end, duration, ignore_bookings=self._picker_ignore_bookings())[consultant.id]
        result = []
        booking_model = self.env["voltaic.booking"]
        for slot_start, _slot_end in free:
            local = slot_start.astimezone(zone)
            result.append((slot_start, booking_model._time_text(slot_start, self._client_tz_name()),
                           booking_model._day_text(local.date()), local.date()))
        return result

    def _chosen_start(self):
        """The chosen slot as an aware UTC datetime; a clear error when none is chosen."""
        self.ensure_one()
        if not self.slot_start:
            raise UserError(self.env._("Choose a time slot."))
        try:
            start = datetime.fromisoformat(self.slot_start)
        except ValueError:
            raise UserError(self.env._("Choose a time slot.")) from None
        return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)

    def _format_alternatives(self, alternatives):
        """``Tue 3 Mar 10:30, …`` in the client's time zone."""
        booking_model = self.env["voltaic.booking"]
        return ", ".join(booking_model._datetime_text(start, self._client_tz_name()) for start, _end in alternatives)

    def _unavailable_message(self, error):
        message = str(error.args[0]) if error.args else self.env._("This slot is no longer available.")
        if error.alternatives:
            message += "\n" + self.env._("Free slots nearby (%(tz)s): %(slots)s",
                                         tz=self.client_tz, slots=self._format_alternatives(error.alternatives))
        return message
