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
    the context key ``voltaic_booking_service``, which lets them through, and creates them with
    ``voltaic_booking_meeting``.

    Odoo's Google and Outlook syncs (``google_calendar``, ``microsoft_calendar``) are not
    dependencies: the hooks below that only they call (``_need_video_call``, ``_cancel_microsoft``, ``_cancel``)
    are never reached without them.
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
    # Odoo's calendar syncs
    # ------------------------------------------------------------------

    def _check_organizer_validation_conditions(self, vals_list):
        """A booking's meeting is the consultant's, whoever books it (hook of ``calendar``, for ``microsoft_calendar``).

        Odoo's Outlook sync refuses an event organised by someone else than its creator when the
        creator syncs with Outlook and the organizer does not (it would land in the creator's
        Outlook). A booking made by a manager who syncs for a consultant who does not is kept out of
        Outlook instead (``booking_outlook.py``), and must not fail.
        """
        if self.env.context.get("voltaic_booking_meeting"):
            return [False] * len(vals_list)
        return super()._check_organizer_validation_conditions(vals_list)

    def _need_video_call(self):
        """No Teams or Meet call of the sync's own on a booking's meeting (hook of the Google and Outlook syncs).

        Odoo's syncs ask Outlook (Teams) or Google (Meet) for a call when an event has neither a
        place nor a link, and then replace the meeting's link with that call's. A booking's meeting
        keeps the link the client was given (or is by phone, or in person).
        """
        self.ensure_one()
        if self.env.context.get("voltaic_booking_meeting") or self.sudo().voltaic_booking_ids:
            return False
        return super()._need_video_call()

    def _cancel_microsoft(self):  # pylint: disable=useless-parent-delegation  # not useless: the context
        """Events cancelled or deleted in Outlook, which Odoo's Outlook sync deletes (hook of ``microsoft_calendar``).

        The sync writes with ``dont_notify`` but deletes without it: the deletion is marked as the
        sync's here, so that the guard applies the rule of the calendar syncs (a meeting that has
        begun is let go) instead of refusing, which would fail the user's whole synchronization.
        """
        return super(CalendarEvent, self.with_context(voltaic_external_sync=True))._cancel_microsoft()

    def _cancel(self):  # pylint: disable=useless-parent-delegation  # not useless: the context
        """Events cancelled in Google, which Odoo's Google sync deletes (hook of ``google_calendar``).

        Like ``_cancel_microsoft``: the deletion is the sync's, so a meeting that has begun is let go
        instead of refused (which would fail the user's whole Google synchronization at every run).
        """
        return super(CalendarEvent, self.with_context(voltaic_external_sync=True))._cancel()

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
        """The change comes from Odoo's Google or Outlook sync (they mark their writes with ``dont_notify``;
        their deletions are marked by ``_cancel`` and ``_cancel_microsoft``)."""
        return bool(self.env.context.get("dont_notify") or self.env.context.get("voltaic_external_sync"))

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


MEETING_COPY_HELP = "The meeting's value, copied for the availability of consultations."


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    # availability reads a consultant's busy meetings by attendee: without it, a sequential scan; with
    # the attendance's state in the index, a consultant's meetings are found from the index alone
    _vb_partner_event_state_idx = models.Index("(partner_id, event_id) INCLUDE (state)")

    # The meeting's time and whether it blocks, copied onto each attendance (kept by the ORM; filled in SQL
    # when the columns are added): a person's busy meetings in a date range are then one range scan of the
    # index below, read from the index alone, instead of one lookup per meeting in calendar_event. The
    # cost follows that person's meetings in the range, not their whole history nor the calendar table.
    voltaic_event_start = fields.Datetime(
        related="event_id.start", store=True, string="Meeting Start", help=MEETING_COPY_HELP)
    voltaic_event_stop = fields.Datetime(
        related="event_id.stop", store=True, string="Meeting End", help=MEETING_COPY_HELP)
    voltaic_event_allday = fields.Boolean(
        related="event_id.allday", store=True, string="All-Day Meeting", help=MEETING_COPY_HELP)
    voltaic_event_active = fields.Boolean(
        related="event_id.active", store=True, string="Meeting Active", help=MEETING_COPY_HELP)
    voltaic_event_show_as = fields.Selection(
        related="event_id.show_as", store=True, string="Meeting Shown As", help=MEETING_COPY_HELP)
    _vb_busy_idx = models.Index(
        "(partner_id, voltaic_event_stop) INCLUDE (voltaic_event_start, voltaic_event_allday, event_id) "
        "WHERE voltaic_event_active AND voltaic_event_show_as = 'busy' AND state != 'declined'")

    def init(self):
        # the index of the first versions, without the state: the planner would still prefer it
        self.env.cr.execute("DROP INDEX IF EXISTS calendar_attendee_vb_partner_event_idx")
        return super().init()
