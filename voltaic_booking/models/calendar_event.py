from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .consultant import ACTIVE_STATES

# what moves a meeting in time (a drag or resize in the Calendar app sends start/stop/allday)
EVENT_TIME_FIELDS = ("start", "stop", "start_date", "stop_date", "allday", "duration")


class CalendarEvent(models.Model):
    """Meetings of bookings are guarded: a move reschedules, a delete or archive cancels, through the service.

    Odoo's other writes on a meeting (attendees' answers, alarms, the Google sync's own fields)
    and every event without a booking go on as before. The booking service writes meetings with
    the context key ``voltaic_booking_service``, which lets them through.
    """

    _inherit = "calendar.event"

    voltaic_booking_ids = fields.One2many("voltaic.booking", "event_id", string="Consultation Bookings")

    _vb_busy_range_idx = models.Index("(stop, start) WHERE active AND show_as = 'busy'")

    def write(self, vals):
        guarded = not self.env.context.get("voltaic_booking_service") and (
            "active" in vals or any(name in vals for name in EVENT_TIME_FIELDS))
        booked = self._voltaic_booked() if guarded else self.browse()
        if not booked:
            return super().write(vals)
        if self - booked:
            super(CalendarEvent, self - booked).write(vals)
        vals = dict(vals)
        times = {name: vals.pop(name) for name in EVENT_TIME_FIELDS if name in vals}
        if times:
            for event in booked:
                event._voltaic_move(times)
        if "active" in vals:
            if vals["active"]:
                booked._voltaic_check_restore()
            else:
                booked._voltaic_cancel(self.env._("The meeting was archived in the calendar."))
        if vals:
            super(CalendarEvent, booked).write(vals)
        return True

    def unlink(self):
        if not self.env.context.get("voltaic_booking_service"):
            self._voltaic_booked()._voltaic_cancel(self.env._("The meeting was deleted in the calendar."))
        return super().unlink()

    # ------------------------------------------------------------------
    # The guard
    # ------------------------------------------------------------------

    def _voltaic_booked(self):
        """The events of ``self`` that are the meeting of a booking (whatever the user may read)."""
        bookings = self.env["voltaic.booking"].sudo().search([("event_id", "in", self.ids)])
        return self.filtered(lambda event: event.id in set(bookings.event_id.ids))

    def _voltaic_bookings(self):
        """The bookings of this meeting, in the user's environment, once the user may change them."""
        bookings = self.sudo().voltaic_booking_ids
        denied = bookings.with_env(self.env).filtered(lambda booking: not booking.has_access("write"))
        if denied:
            raise AccessError(self.env._(
                "This meeting belongs to consultation %s: only its consultant or a consultation manager can "
                "move or delete it.", denied[0].reference))
        return bookings.with_env(self.env)

    def _voltaic_from_external_sync(self):
        """The write comes from Odoo's Google or Outlook sync (they mark theirs with ``dont_notify``)."""
        return bool(self.env.context.get("dont_notify"))

    def _voltaic_move(self, times):
        """A new time for a booking's meeting: the booking is rescheduled, which moves the meeting."""
        self.ensure_one()
        to_datetime = fields.Datetime.to_datetime
        start = to_datetime(times["start"]) if times.get("start") else self.start
        if times.get("stop"):
            stop = to_datetime(times["stop"])
        elif times.get("duration"):
            stop = start + timedelta(minutes=round(float(times["duration"]) * 60))
        else:
            stop = start + (self.stop - self.start)
        to_allday = bool(times.get("allday")) and not self.allday
        if (start, stop) == (self.start, self.stop) and not to_allday:
            return
        if self._voltaic_from_external_sync():
            # a calendar sync proposes, people decide: the booking and its meeting keep their time
            bookings = self.sudo().voltaic_booking_ids
            bookings.filtered(lambda b: b.state == "confirmed" and not b.meeting_started)._flag_for_review(
                [("moved_externally", {"start": start})])
            return
        bookings = self._voltaic_bookings()
        if to_allday:
            raise UserError(self.env._(
                "The meeting of a consultation cannot become an all-day event: move it to a time instead."))
        confirmed = bookings.filtered(lambda b: b.state == "confirmed")
        if not confirmed:
            labels = dict(bookings._fields["state"]._description_selection(self.env))
            raise UserError(self.env._(
                "The meeting of consultation %(reference)s cannot be moved: the consultation is “%(state)s”.",
                reference=bookings[0].reference, state=labels.get(bookings[0].state, bookings[0].state)))
        for booking in confirmed:
            booking._reschedule_from_write({"start": start, "stop": stop})

    def _voltaic_cancel(self, reason):
        """The meeting goes (deleted or archived): its confirmed booking is cancelled first, and the client told."""
        for event in self:
            for booking in event._voltaic_bookings().filtered(lambda b: b.state == "confirmed"):
                if booking.meeting_started:
                    if self._voltaic_from_external_sync():
                        continue  # a past meeting leaving an external calendar changes nothing
                    raise UserError(self.env._(
                        "Consultation %s has already begun: mark it completed or no-show instead of deleting "
                        "its meeting.", booking.reference))
                booking.action_cancel(reason=reason)

    def _voltaic_check_restore(self):
        """The meeting of a cancelled consultation does not come back on its own."""
        if self._voltaic_from_external_sync():
            return
        for event in self.filtered(lambda event: not event.active):
            ended = event._voltaic_bookings().filtered(lambda b: b.state not in ACTIVE_STATES)
            if ended:
                raise UserError(self.env._(
                    "Consultation %s was cancelled: its meeting cannot be restored. Book a new consultation "
                    "instead.", ended[0].reference))


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    # availability reads a consultant's busy meetings by attendee: without it, a sequential scan; with
    # the attendance's state in the index, a consultant's meetings are found from the index alone
    _vb_partner_event_state_idx = models.Index("(partner_id, event_id) INCLUDE (state)")

    def init(self):
        # the index of the first versions, without the state: the planner would still prefer it
        self.env.cr.execute("DROP INDEX IF EXISTS calendar_attendee_vb_partner_event_idx")
        return super().init()
